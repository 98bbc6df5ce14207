"""Members: the people who write articles and comments."""
