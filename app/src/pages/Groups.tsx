import { useQuery } from "@apollo/client/react";
import { Link } from "wouter";
import { ErrorMessage, Loading } from "../components/ErrorMessage";
import { PageHeading } from "../components/PageHeading";
import { privacyAndMembers } from "../format";
import { graphql } from "../gql";

const GROUPS = graphql(`
  query Groups($first: Int!, $after: String) {
    groups(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        slug
        name
        description
        privacy
        memberCount
      }
    }
  }
`);

export function Groups() {
  const { data, error, loading, fetchMore, refetch } = useQuery(GROUPS, { variables: { first: 20 } });
  const groups = data?.groups;
  return (
    <>
      <PageHeading title="Groups" />
      {loading && !groups && <Loading what="groups" />}
      {error && <ErrorMessage error={error} retry={() => void refetch()} />}
      {groups && (
        <>
          <p>{groups.totalCount === 1 ? "One group" : `${groups.totalCount} groups`} you can see.</p>
          <ul className="groups">
            {groups.nodes.map((group) => (
              <li key={group.id}>
                <article aria-labelledby={`group-${group.id}`}>
                  <h2 id={`group-${group.id}`}>
                    <Link href={`/groups/${group.slug}`}>{group.name}</Link>
                  </h2>
                  <p className="meta">{privacyAndMembers(group.privacy, group.memberCount)}</p>
                  {group.description && <p>{group.description}</p>}
                </article>
              </li>
            ))}
          </ul>
          {groups.pageInfo.hasNextPage && (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void fetchMore({
                  variables: { after: groups.pageInfo.endCursor },
                  updateQuery: (previous, { fetchMoreResult }) => ({
                    groups: {
                      ...fetchMoreResult.groups,
                      nodes: [...previous.groups.nodes, ...fetchMoreResult.groups.nodes],
                    },
                  }),
                })
              }
            >
              More groups
            </button>
          )}
        </>
      )}
    </>
  );
}
