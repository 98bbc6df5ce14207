// Typed operations, possibleTypes and schema features, generated from the committed SDL
// (schema/schema.graphql) into src/gql/ on every build: never edited by hand, never committed.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
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
