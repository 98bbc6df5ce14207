// The Apollo Client: the token on every request, queries and mutations over HTTP and
// subscriptions over WebSocket (graphql-transport-ws), each operation sent by its hash (the
// server's trusted documents), a normalised cache that knows the schema's interfaces
// (possibleTypes, generated), and paging policies for comment threads.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import type { DocumentNode, FieldPolicy } from "@apollo/client";
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition, print } from "@apollo/client/utilities";
import { OperationTypeNode } from "graphql";
import { createClient as createWsClient } from "graphql-ws";
import type { Client } from "graphql-ws";
import generated from "./gql/possible-types";
import { token } from "./storage";

type Page = { nodes: readonly unknown[]; pageInfo: { hasNextPage: boolean; endCursor?: string } };

/** A connection read with `nodes`: the page asked `after` a cursor is appended to the one
 * before it; a first page (no `after`) replaces what was there. */
export function nodesPagination(): FieldPolicy<Page> {
  return {
    keyArgs: ["orderBy"],
    merge(existing, incoming, { args }) {
      if (!existing || !args?.after) return incoming;
      return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes] };
    },
  };
}

/** Told when the server no longer accepts the token (expired, revoked): the app signs out. */
let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(callback: () => void): void {
  onUnauthenticated = callback;
}

function isUnauthenticated(error: unknown): boolean {
  if (ServerError.is(error)) return error.statusCode === 401;
  return (
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((e) => e.extensions?.["code"] === "UNAUTHENTICATED")
  );
}

const auth = new SetContextLink((previous) => {
  const issued = token.get();
  if (!issued) return {};
  return { headers: { ...previous["headers"], authorization: `Bearer ${issued}` } };
});

const signOutOnUnauthenticated = new ErrorLink(({ error }) => {
  if (token.get() && isUnauthenticated(error)) {
    token.set(null);
    reconnectLive();
    onUnauthenticated();
  }
});

/** The WebSocket URL of an HTTP(S) endpoint path, on this page's host. */
function socketUrl(uri: string): string {
  const url = new URL(uri, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** Subscriptions share one socket, opened with the first and closed a moment after the last.
 * The token goes in `connection_init`; signing in or out reconnects (`reconnectLive`). */
const sockets = new Set<ReturnType<typeof createWsClient>>();
export function reconnectLive(): void {
  for (const socket of sockets) socket.terminate();
}

function liveLink(uri: string): ApolloLink {
  const socket: Client = createWsClient({
    url: socketUrl(uri),
    lazy: true,
    lazyCloseTimeout: 1000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    connectionParams: () => {
      const issued = token.get();
      return issued ? { Authorization: `Bearer ${issued}` } : {};
    },
  });
  sockets.add(socket);
  // A trusted document goes by its hash alone, as over HTTP: the text Apollo prints is not
  // the one the hash was made of, so the two sent together would not match.
  const byHash: Client = {
    ...socket,
    subscribe: (payload, sink) => {
      const hash = (payload.extensions?.["persistedQuery"] as { sha256Hash?: string } | undefined)
        ?.sha256Hash;
      return socket.subscribe(hash && trusted.has(hash) ? { ...payload, query: "" } : payload, sink);
    },
  };
  return new GraphQLWsLink(byHash);
}

function isSubscription({ query }: ApolloLink.Operation): boolean {
  const definition = getMainDefinition(query);
  return (
    definition.kind === "OperationDefinition" &&
    definition.operation === OperationTypeNode.SUBSCRIPTION
  );
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The hash codegen gave the document (the key of the server's persisted-documents.json,
 * which the server runs with PERSISTED_ONLY=on); a document written otherwise is hashed
 * here, and sent once with its text when the server does not know it yet. */
const trusted = new Set<string>();
function hashOf(document: DocumentNode): Promise<string> {
  const meta = (document as { __meta__?: { hash?: string } }).__meta__;
  if (!meta?.hash) return sha256(print(document));
  trusted.add(meta.hash);
  return Promise.resolve(meta.hash);
}

const persisted = new PersistedQueryLink({ generateHash: hashOf });

export function createClient(uri = "/graphql"): ApolloClient {
  const http = ApolloLink.from([signOutOnUnauthenticated, auth, new HttpLink({ uri })]);
  return new ApolloClient({
    link: persisted.concat(ApolloLink.split(isSubscription, liveLink(uri), http)),
    cache: new InMemoryCache({
      possibleTypes: generated.possibleTypes,
      typePolicies: {
        Article: { fields: { comments: nodesPagination() } },
        Comment: { fields: { replies: nodesPagination() } },
      },
    }),
    clientAwareness: { name: "groupql-app", version: "0.1.0" },
  });
}
