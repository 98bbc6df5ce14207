import { useQuery } from "@apollo/client/react";
import { ArticleCard } from "../components/ArticleCard";
import { ErrorMessage, Loading } from "../components/ErrorMessage";
import { Membership } from "../components/Membership";
import { PageHeading } from "../components/PageHeading";
import { privacyAndMembers } from "../format";
import { graphql } from "../gql";
import { NotFound } from "./NotFound";

const GROUP_PAGE = graphql(`
  query GroupPage($slug: String!, $first: Int!, $after: String) {
    group(slug: $slug) {
      id
      name
      description
      ...MembershipFields
      pinnedArticles {
        ...ArticleCardFields
      }
      articles(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...ArticleCardFields
        }
      }
    }
  }
`);

export function Group({ slug }: { slug: string }) {
  const { data, error, loading, fetchMore, refetch } = useQuery(GROUP_PAGE, {
    variables: { slug, first: 20 },
  });
  if (loading && !data) return <Loading what="the group" />;
  if (error && !data?.group) return <ErrorMessage error={error} retry={() => void refetch()} />;
  const group = data?.group;
  if (!group) return <NotFound what="group" />;

  const readsContent = group.privacy === "PUBLIC" || group.viewerMembership?.status === "ACTIVE";
  const pinnedIds = new Set(group.pinnedArticles.map((article) => article.id));
  // Pinned articles first, then the rest, newest first.
  const articles = [
    ...group.pinnedArticles,
    ...group.articles.nodes.filter((article) => !pinnedIds.has(article.id)),
  ];
  return (
    <>
      <header className="group-header">
        <PageHeading title={group.name} />
        <p className="meta group-meta">{privacyAndMembers(group.privacy, group.memberCount)}</p>
        {group.description && <p>{group.description}</p>}
        <Membership group={group} />
      </header>
      {error && <ErrorMessage error={error} />}
      {readsContent ? (
        <section aria-label="Articles" className="articles">
          {articles.length === 0 && <p>No articles yet.</p>}
          {articles.map((article) => (
            <ArticleCard key={article.id} article={article} groupSlug={group.slug} />
          ))}
          {group.articles.pageInfo.hasNextPage && (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void fetchMore({
                  variables: { after: group.articles.pageInfo.endCursor },
                  updateQuery: (previous, { fetchMoreResult }) => {
                    if (!previous.group || !fetchMoreResult.group) return previous;
                    return {
                      group: {
                        ...fetchMoreResult.group,
                        articles: {
                          ...fetchMoreResult.group.articles,
                          nodes: [
                            ...previous.group.articles.nodes,
                            ...fetchMoreResult.group.articles.nodes,
                          ],
                        },
                      },
                    };
                  },
                })
              }
            >
              More articles
            </button>
          )}
        </section>
      ) : (
        <section aria-label="Articles" className="private-notice">
          <h2>This group is private</h2>
          <p>Only its members see its articles, comments and member list.</p>
        </section>
      )}
    </>
  );
}
