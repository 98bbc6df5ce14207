// The Apollo Client: the token on every request, each operation sent by its hash (the server's
// trusted documents), a normalised cache that knows the schema's interfaces (possibleTypes,
// generated), and paging policies for comment threads.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import type { DocumentNode, FieldPolicy } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print } from "@apollo/client/utilities";
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
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
    onUnauthenticated();
  }
});

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The hash codegen gave the document (the key of the server's persisted-documents.json,
 * which the server runs with PERSISTED_ONLY=on); a document written otherwise is hashed
 * here, and sent once with its text when the server does not know it yet. */
function hashOf(document: DocumentNode): Promise<string> {
  const meta = (document as { __meta__?: { hash?: string } }).__meta__;
  return meta?.hash ? Promise.resolve(meta.hash) : sha256(print(document));
}

const persisted = new PersistedQueryLink({ generateHash: hashOf });

export function createClient(uri = "/graphql"): ApolloClient {
  return new ApolloClient({
    link: ApolloLink.from([signOutOnUnauthenticated, auth, persisted, new HttpLink({ uri })]),
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
