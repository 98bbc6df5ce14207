"""The GraphQL API: types, loaders, queries and mutations, composed in `schema.schema`."""
