"""Groups: the communities that hold articles."""
