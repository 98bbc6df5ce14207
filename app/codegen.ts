// Typed operations, possibleTypes and schema features, generated from the committed SDL
// (schema/schema.graphql) into src/gql/ on every build: never edited by hand, never committed.
import type { CodegenConfig } from "@graphql-codegen/cli";
import { Kind, visit } from "graphql";
import type { ASTNode, DocumentNode, SelectionSetNode } from "graphql";

const TYPENAME = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: "__typename" } } as const;

/** `__typename` in every selection set but an operation's own, as Apollo Client adds it
 * before sending: the text of a persisted document is the one Apollo would send. */
function withTypenames(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet(node: SelectionSetNode, _key, parent: ASTNode | readonly ASTNode[] | undefined) {
      if (parent && !Array.isArray(parent) && (parent as ASTNode).kind === Kind.OPERATION_DEFINITION)
        return undefined;
      if (node.selections.some((s) => s.kind === Kind.FIELD && s.name.value.startsWith("__")))
        return undefined;
      return { ...node, selections: [...node.selections, TYPENAME] };
    },
  });
}

const addTypenames = {
  transform: ({ documents }: { documents: { document?: DocumentNode }[] }) =>
    documents.map((file) => ({ ...file, document: file.document && withTypenames(file.document) })),
};

const config: CodegenConfig = {
  schema: "../schema/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      // persisted-documents.json: every operation's text by its SHA-256, the server's trusted
      // documents (copied to dist/ by the build; PERSISTED_ONLY). Each document carries its
      // hash (`__meta__.hash`), which src/apollo.ts sends instead of the text.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
      documentTransforms: [addTypenames],
      config: {
        scalars: { DateTime: "string" },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false },
        nonOptionalTypename: true,
        skipTypeNameForRoot: true,
        defaultScalarType: "unknown",
      },
    },
    // Which concrete types each interface (Node, Reactable) has: Apollo's InMemoryCache
    // needs them to match fragments on interfaces (see src/apollo.ts).
    "src/gql/possible-types.ts": {
      plugins: ["fragment-matcher"],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
    // The object types without an id, for caches that need them named (urql graphcache keys).
    "src/gql/schema-features.ts": { plugins: ["./codegen/schema-features.cjs"] },
  },
};

export default config;
