// Reactions on an article or a comment: a toggle per kind, with its count.
import { useMutation } from "@apollo/client/react";
import { useAuth } from "../auth";
import { graphql } from "../gql";
import type { ReactionFieldsFragment, ReactionKind } from "../gql/graphql";
import { ErrorMessage, UserErrors } from "./ErrorMessage";

graphql(`
  fragment ReactionFields on Reactable {
    reactionCount
    viewerCanReact
    reactionGroups {
      kind
      count
      viewerHasReacted
    }
  }
`);

// `subject` is a Reactable: its id comes through the Node interface, which is why the cache
// needs the generated possibleTypes to match these fragments.
const ADD = graphql(`
  mutation AddReaction($input: ReactionInput!) {
    addReaction(input: $input) {
      errors {
        code
        message
      }
      subject {
        ... on Node {
          id
        }
        ...ReactionFields
      }
    }
  }
`);

const REMOVE = graphql(`
  mutation RemoveReaction($input: ReactionInput!) {
    removeReaction(input: $input) {
      errors {
        code
        message
      }
      subject {
        ... on Node {
          id
        }
        ...ReactionFields
      }
    }
  }
`);

const KINDS: { kind: ReactionKind; name: string }[] = [
  { kind: "LIKE", name: "Like" },
  { kind: "HEART", name: "Heart" },
  { kind: "INSIGHTFUL", name: "Insightful" },
  { kind: "SUPPORT", name: "Support" },
];

export function Reactions({
  subjectId,
  subject,
  label,
}: {
  subjectId: string;
  subject: ReactionFieldsFragment;
  label: string;
}) {
  const { viewer } = useAuth();
  const [add, adding] = useMutation(ADD);
  const [remove, removing] = useMutation(REMOVE);
  const busy = adding.loading || removing.loading;
  const groups = new Map(subject.reactionGroups.map((group) => [group.kind, group]));
  const errors = adding.data?.addReaction.errors ?? removing.data?.removeReaction.errors;
  return (
    <div className="reactions" role="group" aria-label={label}>
      {KINDS.map(({ kind, name }) => {
        const group = groups.get(kind);
        const count = group?.count ?? 0;
        const pressed = group?.viewerHasReacted ?? false;
        const toggle = pressed ? remove : add;
        return (
          <button
            key={kind}
            type="button"
            className="reaction outline"
            aria-pressed={pressed}
            title={subject.viewerCanReact ? undefined : viewer ? "Members react" : "Sign in to react"}
            disabled={!subject.viewerCanReact || busy}
            onClick={() => void toggle({ variables: { input: { subjectId, kind } } })}
          >
            {name} <span className="count">{count}</span>
          </button>
        );
      })}
      <UserErrors errors={errors} />
      {(adding.error || removing.error) && <ErrorMessage error={adding.error ?? removing.error} />}
    </div>
  );
}
