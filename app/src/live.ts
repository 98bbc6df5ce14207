// Live updates of an open article over the WebSocket (see src/apollo.ts): its views, comment
// count and reactions as they move (`articleChanged`: the first event is the current state),
// and the comments and replies others write (`commentAdded`), put where they belong in the
// cached threads. The normalised cache does the rest: every component showing the article
// re-renders with the new values.
import { useSubscription } from "@apollo/client/react";
import { graphql } from "./gql";
import { addToThread } from "./threads";

const ARTICLE_CHANGED = graphql(`
  subscription ArticleChanged($ids: [ID!]!) {
    articleChanged(ids: $ids) {
      id
      views
      commentCount
      ...ReactionFields
    }
  }
`);

const COMMENT_ADDED = graphql(`
  subscription CommentAdded($articleId: ID!) {
    commentAdded(articleId: $articleId) {
      ...NewCommentFields
    }
  }
`);

export function useLiveArticle(articleId: string | undefined): void {
  useSubscription(ARTICLE_CHANGED, {
    variables: { ids: articleId ? [articleId] : [] },
    skip: !articleId,
  });
  useSubscription(COMMENT_ADDED, {
    variables: { articleId: articleId ?? "" },
    skip: !articleId,
    onData: ({ client, data }) => {
      const comment = data.data?.commentAdded;
      if (comment) addToThread(client.cache, comment);
    },
  });
}
