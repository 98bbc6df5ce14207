import { defineConfig } from "vite";

// Two pages: the app (index.html) and GraphiQL (graphiql.html, served by the Python server at
// GET /graphql with the example query filled in). Both build into dist/, which is committed:
// content-hashed file names under dist/assets/, no source maps, so the same source always
// builds the same bytes (CI checks that).
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { app: "index.html", graphiql: "graphiql.html" },
      onwarn(warning, warn) {
        // GraphiQL's dependencies mark modules "use client" (for React server components);
        // in a browser bundle that means nothing.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: {
    // `npm run dev` next to `make run`: the API through the dev server, same origin.
    proxy: { "/graphql": { target: "http://127.0.0.1:8000", ws: true } },
  },
});
