"""The benchmark: groupql against a minimal "floor" server doing the same work (`make bench`)."""
