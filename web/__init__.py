"""HTTP: GraphQL over HTTP, GraphiQL, health checks, request logs."""
