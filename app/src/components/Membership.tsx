// Join, ask to join, leave, or withdraw a request: what the viewer may do, as the API says.
import { useMutation } from "@apollo/client/react";
import { useState } from "react";
import { Link } from "wouter";
import { useAuth } from "../auth";
import { graphql } from "../gql";
import type { MembershipFieldsFragment } from "../gql/graphql";
import { ErrorMessage, UserErrors } from "./ErrorMessage";

graphql(`
  fragment MembershipFields on Group {
    id
    slug
    privacy
    memberCount
    viewerMembership {
      role
      status
    }
    viewerCanJoin
    viewerCanLeave
    viewerCanPost
  }
`);

const JOIN = graphql(`
  mutation JoinGroup($input: GroupInput!) {
    joinGroup(input: $input) {
      errors {
        code
        message
      }
      group {
        ...MembershipFields
      }
    }
  }
`);

const LEAVE = graphql(`
  mutation LeaveGroup($input: GroupInput!) {
    leaveGroup(input: $input) {
      errors {
        code
        message
      }
      group {
        ...MembershipFields
      }
    }
  }
`);

const ROLE: Record<string, string> = {
  OWNER: "owner",
  ADMIN: "admin",
  MODERATOR: "moderator",
  MEMBER: "member",
};

export function Membership({ group }: { group: MembershipFieldsFragment }) {
  const { viewer } = useAuth();
  // Joining or leaving can change what the group shows (a PRIVATE group's articles), so
  // every query on screen is asked again.
  const [join, joining] = useMutation(JOIN, { refetchQueries: "active" });
  const [leave, leaving] = useMutation(LEAVE, { refetchQueries: "active" });
  const [confirming, setConfirming] = useState(false);
  const input = { variables: { input: { groupId: group.id } } };
  const membership = group.viewerMembership;
  const errors = joining.data?.joinGroup.errors ?? leaving.data?.leaveGroup.errors;
  const busy = joining.loading || leaving.loading;

  let body;
  if (!viewer) {
    body = (
      <p>
        <Link href={`/sign-in?next=/groups/${group.slug}`}>Sign in</Link> to join this group.
      </p>
    );
  } else if (membership?.status === "PENDING") {
    body = (
      <>
        <p role="status">Your request to join is pending: an owner or admin will answer it.</p>
        <button type="button" className="secondary" disabled={busy} onClick={() => void leave(input)}>
          Withdraw request
        </button>
      </>
    );
  } else if (membership?.status === "ACTIVE") {
    body = (
      <>
        <p role="status">You are a {ROLE[membership.role] ?? "member"} of this group.</p>
        {group.viewerCanLeave &&
          (confirming ? (
            <div role="group" aria-label="Leave the group?">
              <button
                type="button"
                disabled={busy}
                onClick={() => void leave(input).then(() => setConfirming(false))}
              >
                Yes, leave
              </button>{" "}
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Stay
              </button>
            </div>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Leave group
            </button>
          ))}
      </>
    );
  } else if (group.viewerCanJoin) {
    body = (
      <button type="button" disabled={busy} onClick={() => void join(input)}>
        {group.privacy === "PRIVATE" ? "Ask to join" : "Join group"}
      </button>
    );
  } else {
    body = null;
  }
  return (
    <section aria-label="Membership" className="membership">
      {body}
      <UserErrors errors={errors} />
      {(joining.error || leaving.error) && <ErrorMessage error={joining.error ?? leaving.error} />}
    </section>
  );
}
