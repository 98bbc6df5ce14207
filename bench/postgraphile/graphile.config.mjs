// PostGraphile 5 as `make bench` runs it: the amber preset (PostGraphile's
// recommended defaults) and simplify-inflection (relations named `articles`,
// `author`, `comments` rather than `articlesByGroupId`, `memberByAuthorId`),
// served as in production: no GraphiQL, no watch mode, no explain.
// DATABASE_URL and PG_POOL_SIZE come from the environment, the port from the
// command line (bench/peer.py).
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      // The node-postgres pool: the same size as groupql's and the floor's.
      poolConfig: { max: Number(process.env.PG_POOL_SIZE ?? 10) },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    graphqlPath: "/graphql",
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;
