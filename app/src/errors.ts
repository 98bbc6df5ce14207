// Any failure in words a person can act on: never a blank page.
import { CombinedGraphQLErrors, ServerError, ServerParseError } from "@apollo/client/errors";

type GraphQLError = { message: string; extensions?: Record<string, unknown> };

function fromBody(bodyText: string): GraphQLError[] {
  try {
    const body = JSON.parse(bodyText) as { errors?: GraphQLError[] };
    return Array.isArray(body.errors) ? body.errors : [];
  } catch {
    return [];
  }
}

function sentence(error: GraphQLError): string {
  const code = error.extensions?.["code"];
  if (code === "RATE_LIMITED") {
    const wait = error.extensions?.["retryAfter"];
    return `Too many requests: try again in ${typeof wait === "number" ? wait : "a few"} seconds.`;
  }
  if (code === "UNAUTHENTICATED") return "Your session has ended: please sign in again.";
  return error.message;
}

export function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    return [...new Set(error.errors.map(sentence))].join(" ");
  }
  if (ServerError.is(error)) {
    const errors = fromBody(error.bodyText);
    if (errors.length) return [...new Set(errors.map(sentence))].join(" ");
    return `The server answered with an error (HTTP ${error.statusCode}). Try again in a moment.`;
  }
  if (ServerParseError.is(error)) {
    return "The server sent an answer the app cannot read. Try again in a moment.";
  }
  if (error instanceof TypeError) {
    return "The app cannot reach the server. Check your connection and try again.";
  }
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Try again in a moment.";
}
