import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useRef } from "react";
import { Link } from "wouter";
import { useAuth } from "../auth";
import { Comments } from "../components/Comments";
import { Cover } from "../components/Cover";
import { ErrorMessage, Loading } from "../components/ErrorMessage";
import { Membership } from "../components/Membership";
import { PageHeading } from "../components/PageHeading";
import { Reactions } from "../components/Reactions";
import { SafeHtml } from "../components/SafeHtml";
import { count, date, privacyAndMembers } from "../format";
import { graphql } from "../gql";
import { useLiveArticle } from "../live";
import { viewerKey } from "../storage";
import { NotFound } from "./NotFound";

// Two levels of replies come with the page (the depth limit allows no more in one query);
// deeper ones load when opened.
const ARTICLE_PAGE = graphql(`
  query ArticlePage($group: String!, $article: String!) {
    group(slug: $group) {
      id
      name
      ...MembershipFields
      article(slug: $article) {
        id
        slug
        title
        subtitle
        bodyHtml
        views
        commentCount
        publishedAt
        readingTimeMinutes
        coverImage {
          url
          caption
        }
        author {
          id
          name
        }
        viewerCanComment
        ...ReactionFields
        comments(first: 20) {
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

const RECORD_VIEW = graphql(`
  mutation RecordArticleView($input: RecordArticleViewInput!) {
    recordArticleView(input: $input) {
      counted
      reason
      article {
        id
        views
      }
    }
  }
`);

/** Count the view once when the article opens; the server ignores a repeat within its view
 * window (same viewer key, or the same signed-in member). */
function useRecordView(articleId: string | undefined) {
  const [record] = useMutation(RECORD_VIEW);
  const recorded = useRef<string | null>(null);
  useEffect(() => {
    if (!articleId || recorded.current === articleId) return;
    recorded.current = articleId;
    record({ variables: { input: { articleId, viewerKey: viewerKey() } } }).catch(() => {
      // Not counting a view is nothing the reader needs to act on.
    });
  }, [articleId, record]);
}

export function Article({ groupSlug, articleSlug }: { groupSlug: string; articleSlug: string }) {
  const { viewer } = useAuth();
  const { data, error, loading, refetch } = useQuery(ARTICLE_PAGE, {
    variables: { group: groupSlug, article: articleSlug },
  });
  const article = data?.group?.article;
  useRecordView(article?.id);
  useLiveArticle(article?.id);

  if (loading && !data) return <Loading what="the article" />;
  if (error && !data?.group) return <ErrorMessage error={error} retry={() => void refetch()} />;
  const group = data?.group;
  if (!group) return <NotFound what="group" />;
  if (!article) {
    const hidden = group.privacy !== "PUBLIC" && group.viewerMembership?.status !== "ACTIVE";
    if (!hidden) return <NotFound what="article" />;
    return (
      <>
        <PageHeading title={group.name} />
        <p className="meta">{privacyAndMembers(group.privacy, group.memberCount)}</p>
        <p>This group is private: only its members read its articles.</p>
        <Membership group={group} />
      </>
    );
  }
  return (
    <article className="article" aria-labelledby="article-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href={`/groups/${group.slug}`}>{group.name}</Link>
      </nav>
      <header>
        <PageHeading title={article.title} id="article-title" />
        {article.subtitle && <p className="subtitle">{article.subtitle}</p>}
        <p className="meta">
          {article.author.name} · <time dateTime={article.publishedAt}>{date(article.publishedAt)}</time>{" "}
          · {count(article.readingTimeMinutes, "minute")} read
        </p>
        <p className="counts">
          <span className="views">{count(article.views, "view")}</span>
          <span className="comment-count">{count(article.commentCount, "comment")}</span>
        </p>
      </header>
      <Cover image={article.coverImage} />
      <SafeHtml html={article.bodyHtml} className="article-body" />
      <Reactions subjectId={article.id} subject={article} label="Reactions to the article" />
      {error && <ErrorMessage error={error} />}
      <Comments
        articleId={article.id}
        page={article.comments}
        commentCount={article.commentCount}
        canComment={article.viewerCanComment}
        signedIn={viewer !== null}
      />
    </article>
  );
}
