"""Reactions: members' LIKE, HEART, INSIGHTFUL and SUPPORT on articles and comments."""
