// Live updates of an open article, once the server offers them.
//
// The schema (schema/schema.graphql) has no Subscription type yet, so `subscriptionFields`
// (generated from it by codegen/schema-features.cjs) is empty and this hook does nothing: the
// views and comments on screen change when the page is reloaded or reopened. When the server
// gains `articleChanged(ids: [ID!]!): Article!` over graphql-ws, `make app` regenerates
// `subscriptionFields`, and this hook is the one place to subscribe (see README, "Live updates").
import { subscriptionFields } from "./gql/schema-features";

export const LIVE_ARTICLES = subscriptionFields.includes("articleChanged");

export function useLiveArticle(articleId: string | undefined): void {
  if (!LIVE_ARTICLES || !articleId) return;
}
