"""The root `node` and `nodes` fields: any object by its global id."""
