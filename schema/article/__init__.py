"""Articles: what members post in groups, and the views they collect."""
