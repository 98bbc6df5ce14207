// Threaded comments of any depth. The article query brings the first two levels of replies;
// deeper ones, and more of any level, come on demand through `node(id:)` and are merged into
// the cached thread (see nodesPagination in src/apollo.ts), so every level pages the same way.
import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { useAuth } from "../auth";
import { count, date } from "../format";
import { graphql } from "../gql";
import type { CommentFieldsFragment } from "../gql/graphql";
import { CommentForm } from "./CommentForm";
import { ErrorMessage, Loading, UserErrors } from "./ErrorMessage";
import { Reactions } from "./Reactions";

graphql(`
  fragment CommentFields on Comment {
    id
    body
    isDeleted
    depth
    replyCount
    createdAt
    editedAt
    author {
      id
      name
    }
    viewerCanReply
    viewerCanDelete
    ...ReactionFields
  }
`);

const REPLIES = graphql(`
  query CommentReplies($id: ID!, $first: Int!, $after: String) {
    node(id: $id) {
      ... on Comment {
        id
        replies(first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...CommentFields
            replies(first: 3) {
              totalCount
              pageInfo {
                hasNextPage
                endCursor
              }
              nodes {
                ...CommentFields
              }
            }
          }
        }
      }
    }
  }
`);

const MORE_COMMENTS = graphql(`
  query ArticleComments($id: ID!, $first: Int!, $after: String) {
    node(id: $id) {
      ... on Article {
        id
        comments(first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...CommentFields
            replies(first: 3) {
              totalCount
              pageInfo {
                hasNextPage
                endCursor
              }
              nodes {
                ...CommentFields
                replies(first: 3) {
                  totalCount
                  pageInfo {
                    hasNextPage
                    endCursor
                  }
                  nodes {
                    ...CommentFields
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`);

const DELETE = graphql(`
  mutation DeleteComment($input: DeleteCommentInput!) {
    deleteComment(input: $input) {
      errors {
        code
        message
      }
      deletedCommentId
      comment {
        ...CommentFields
      }
    }
  }
`);

const PAGE = 10;

export type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: readonly Thread[];
};
export type Thread = CommentFieldsFragment & { replies?: Page };

/** Loads the next page of a thread into the cache; whichever query shows it re-renders. */
function useMore(query: typeof REPLIES | typeof MORE_COMMENTS, id: string) {
  const client = useApolloClient();
  const [state, setState] = useState<{ loading: boolean; error?: unknown }>({ loading: false });
  const more = (after: string | null) => {
    setState({ loading: true });
    client
      .query({ query, variables: { id, first: PAGE, after }, fetchPolicy: "network-only" })
      .then(
        () => setState({ loading: false }),
        (error: unknown) => setState({ loading: false, error }),
      );
  };
  return { more, ...state };
}

function MoreButton({
  page,
  query,
  id,
  noun,
}: {
  page: Page;
  query: typeof REPLIES | typeof MORE_COMMENTS;
  id: string;
  noun: string;
}) {
  const { more, loading, error } = useMore(query, id);
  if (!page.pageInfo.hasNextPage) return null;
  const left = page.totalCount - page.nodes.length;
  return (
    <div className="more">
      <button
        type="button"
        className="secondary outline"
        aria-busy={loading}
        disabled={loading}
        onClick={() => more(page.pageInfo.endCursor)}
      >
        {left > 0 ? `${count(left, `more ${noun}`, `more ${noun}s`)}` : `More ${noun}s`}
      </button>
      {error !== undefined && <ErrorMessage error={error} />}
    </div>
  );
}

/** Replies the article query did not bring (deeper levels): asked for when opened. */
function LaterReplies({ comment, articleId }: { comment: Thread; articleId: string }) {
  const [open, setOpen] = useState(false);
  const { data, error, loading } = useQuery(REPLIES, {
    variables: { id: comment.id, first: PAGE },
    skip: !open,
  });
  if (!open) {
    return (
      <button type="button" className="secondary outline" onClick={() => setOpen(true)}>
        Show {count(comment.replyCount, "reply", "replies")}
      </button>
    );
  }
  if (loading && !data) return <Loading what="replies" />;
  if (error) return <ErrorMessage error={error} />;
  const node = data?.node;
  if (node?.__typename !== "Comment") return null;
  return <Replies page={node.replies} parentId={comment.id} articleId={articleId} />;
}

function Replies({ page, parentId, articleId }: { page: Page; parentId: string; articleId: string }) {
  return (
    <>
      {page.nodes.length > 0 && (
        <ol className="replies">
          {page.nodes.map((reply) => (
            <CommentItem key={reply.id} comment={reply} articleId={articleId} />
          ))}
        </ol>
      )}
      <MoreButton page={page} query={REPLIES} id={parentId} noun="reply" />
    </>
  );
}

function CommentItem({ comment, articleId }: { comment: Thread; articleId: string }) {
  const [replying, setReplying] = useState(false);
  const [remove, removing] = useMutation(DELETE, {
    update(cache, { data }) {
      const answer = data?.deleteComment;
      if (answer?.deletedCommentId && !answer.comment) {
        cache.evict({ id: cache.identify({ __typename: "Comment", id: answer.deletedCommentId }) });
        cache.gc();
      }
    },
  });
  const headingId = `comment-${comment.id}`;
  return (
    <li>
      <article className={comment.isDeleted ? "comment deleted" : "comment"} aria-labelledby={headingId}>
        <header>
          <h3 id={headingId} className="comment-author">
            {comment.isDeleted ? "Deleted comment" : (comment.author?.name ?? "Former member")}
          </h3>
          <time dateTime={comment.createdAt}>{date(comment.createdAt)}</time>
          {comment.editedAt && <span className="edited"> · edited</span>}
        </header>
        {comment.isDeleted ? (
          <p className="placeholder">This comment was deleted.</p>
        ) : (
          <p className="comment-body">{comment.body}</p>
        )}
        {!comment.isDeleted && (
          <div className="comment-actions">
            <Reactions subjectId={comment.id} subject={comment} label={`Reactions to ${comment.author?.name ?? "this comment"}`} />
            {comment.viewerCanReply && !replying && (
              <button type="button" className="secondary outline" onClick={() => setReplying(true)}>
                Reply
              </button>
            )}
            {comment.viewerCanDelete && (
              <button
                type="button"
                className="secondary outline"
                disabled={removing.loading}
                onClick={() => void remove({ variables: { input: { commentId: comment.id } } })}
              >
                Delete
              </button>
            )}
          </div>
        )}
        <UserErrors errors={removing.data?.deleteComment.errors} />
        {removing.error && <ErrorMessage error={removing.error} />}
        {replying && (
          <CommentForm
            articleId={articleId}
            replyToId={comment.id}
            label={`Reply to ${comment.author?.name ?? "this comment"}`}
            onDone={() => setReplying(false)}
          />
        )}
      </article>
      {comment.replies ? (
        <Replies page={comment.replies} parentId={comment.id} articleId={articleId} />
      ) : (
        comment.replyCount > 0 && <LaterReplies comment={comment} articleId={articleId} />
      )}
    </li>
  );
}

export function Comments({
  articleId,
  page,
  commentCount,
  canComment,
  signedIn,
}: {
  articleId: string;
  page: Page;
  commentCount: number;
  canComment: boolean;
  signedIn: boolean;
}) {
  const { viewer } = useAuth();
  return (
    <section aria-labelledby="comments-heading" className="comments">
      <h2 id="comments-heading">{count(commentCount, "comment")}</h2>
      {page.nodes.length > 0 && (
        <ol className="thread">
          {page.nodes.map((comment) => (
            <CommentItem key={comment.id} comment={comment} articleId={articleId} />
          ))}
        </ol>
      )}
      <MoreButton page={page} query={MORE_COMMENTS} id={articleId} noun="comment" />
      {canComment ? (
        <CommentForm articleId={articleId} label={`Write a comment as ${viewer?.name ?? "you"}`} />
      ) : (
        <p className="hint">
          {signedIn ? "Join the group to comment." : "Sign in and join the group to comment."}
        </p>
      )}
    </section>
  );
}
