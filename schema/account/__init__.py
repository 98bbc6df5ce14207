"""Accounts: signing up, signing in and out, and who the viewer is."""
