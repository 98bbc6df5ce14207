// Write a comment on an article, or a reply to a comment.
import { useMutation } from "@apollo/client/react";
import { useId, useState } from "react";
import { graphql } from "../gql";
import { addToThread } from "../threads";
import { ErrorMessage, UserErrors } from "./ErrorMessage";

const ADD_COMMENT = graphql(`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      errors {
        field
        code
        message
      }
      comment {
        ...NewCommentFields
      }
    }
  }
`);

export function CommentForm({
  articleId,
  replyToId,
  label,
  onDone,
}: {
  articleId: string;
  replyToId?: string;
  label: string;
  onDone?: () => void;
}) {
  const id = useId();
  const [body, setBody] = useState("");
  const [addComment, { data, loading, error }] = useMutation(ADD_COMMENT, {
    update(cache, { data: answer }) {
      const comment = answer?.addComment.comment;
      if (comment) addToThread(cache, comment);
    },
  });
  const errors = data?.addComment.errors;
  return (
    <form
      className="comment-form"
      onSubmit={(event) => {
        event.preventDefault();
        void addComment({ variables: { input: { articleId, body, replyToId } } }).then(
          (result) => {
            if (result.data?.addComment.comment) {
              setBody("");
              onDone?.();
            }
          },
        );
      }}
    >
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={body}
        required
        rows={replyToId ? 2 : 3}
        onChange={(event) => setBody(event.target.value)}
        aria-invalid={errors?.length ? true : undefined}
      />
      <UserErrors errors={errors} />
      {error && <ErrorMessage error={error} />}
      <div className="form-actions">
        <button type="submit" disabled={loading || !body.trim()} aria-busy={loading}>
          {replyToId ? "Post reply" : "Post comment"}
        </button>
        {onDone && (
          <button type="button" className="secondary" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
