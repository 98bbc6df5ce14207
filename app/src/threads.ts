// Where a new comment goes in the cached threads: at the end of the thread it answers (oldest
// first) when that thread is loaded to its end, otherwise with the next page. Both the writer's
// own mutation and the live `commentAdded` event land here; a comment already there is not
// added twice.
import type { ApolloCache, Reference } from "@apollo/client";
import { graphql } from "./gql";
import type { NewCommentFieldsFragment } from "./gql/graphql";

// What a new comment brings to be placed (the mutation's answer, the live event's): the thread
// it goes in, and the counts that move with it.
graphql(`
  fragment NewCommentFields on Comment {
    ...CommentFields
    parent {
      id
      replyCount
    }
    article {
      id
      commentCount
    }
  }
`);

type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean };
  nodes: readonly Reference[];
};

export function addToThread(cache: ApolloCache, comment: NewCommentFieldsFragment): void {
  const ref = cache.identify(comment);
  const owner = comment.parent
    ? cache.identify({ __typename: "Comment", id: comment.parent.id })
    : cache.identify({ __typename: "Article", id: comment.article.id });
  cache.modify({
    id: owner,
    fields: {
      [comment.parent ? "replies" : "comments"](value: unknown, { toReference }) {
        const existing = value as Page;
        const node = ref ? toReference(ref) : undefined;
        if (!node || existing.nodes.some((known) => known.__ref === node.__ref)) return existing;
        return {
          ...existing,
          totalCount: existing.totalCount + 1,
          nodes: existing.pageInfo.hasNextPage ? existing.nodes : [...existing.nodes, node],
        };
      },
    },
  });
}
