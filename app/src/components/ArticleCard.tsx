import { Link } from "wouter";
import { count, date } from "../format";
import { graphql } from "../gql";
import type { ArticleCardFieldsFragment } from "../gql/graphql";
import { Cover } from "./Cover";

graphql(`
  fragment ArticleCardFields on Article {
    id
    slug
    title
    excerpt
    views
    commentCount
    publishedAt
    pinnedAt
    coverImage {
      url
      caption
    }
    author {
      id
      name
    }
  }
`);

/** One article in a group's list, as on the group page: cover and caption, title exactly as
 * typed, excerpt, views and comment count. */
export function ArticleCard({
  article,
  groupSlug,
}: {
  article: ArticleCardFieldsFragment;
  groupSlug: string;
}) {
  const headingId = `article-${article.id}`;
  return (
    <article className="article-card" aria-labelledby={headingId}>
      <Cover image={article.coverImage} />
      <div className="card-text">
      <h2 id={headingId}>
        <Link href={`/groups/${groupSlug}/${article.slug}`}>{article.title}</Link>
      </h2>
      <p className="meta">
        {article.pinnedAt && <span className="pinned">Pinned · </span>}
        {article.author.name} · <time dateTime={article.publishedAt}>{date(article.publishedAt)}</time>
      </p>
      <p className="excerpt">{article.excerpt}</p>
      <p className="counts">
        <span className="views">{count(article.views, "view")}</span>
        <span className="comment-count">{count(article.commentCount, "comment")}</span>
      </p>
      </div>
    </article>
  );
}
