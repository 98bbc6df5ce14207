"""Comments: members' threaded conversation under an article."""
