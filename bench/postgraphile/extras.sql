-- What PostGraphile 5 needs to answer the benchmark's operations over groupql's
-- own tables. `make bench` runs this on the benchmark database only, after the
-- migrations and the data: never part of groupql's migrations.
SET client_min_messages = warning;

-- Article.excerpt: a computed column (a STABLE SQL function of the row). The
-- floor sends the same text; groupql renders the Markdown to plain text and cuts
-- it on a word boundary, so the benchmark compares excerpts by presence only.
CREATE OR REPLACE FUNCTION articles_excerpt(a articles) RETURNS text
LANGUAGE sql STABLE STRICT AS $$ SELECT left(a.body, 200) $$;

-- The view increment the standard PostGraphile way: a VOLATILE function
-- returning the row is the mutation incrementArticleViews(input: {articleId}).
-- It is one atomic UPDATE ... RETURNING, what the floor sends; groupql's
-- recordArticleView also upserts a per-viewer marker in the same statement.
CREATE OR REPLACE FUNCTION increment_article_views(article_id integer) RETURNS articles
LANGUAGE sql VOLATILE STRICT AS $$
  UPDATE articles SET views = views + 1
  WHERE id = increment_article_views.article_id
  RETURNING *;
$$;

-- Article.reactionGroups and Comment.reactionGroups, as groupql answers them:
-- every kind in a fixed order with its count, 0 included. groupql counts with
-- one GROUP BY over the reactions of all the subjects of a level and fills in
-- the zeros in Python; a computed column returning a list is how PostGraphile
-- adds such a field, and its planner inlines this SQL function into the one
-- statement it builds per request. Both read the reactions_of_* indexes.
-- (viewerHasReacted is left out of the benchmark: it is always false for the
-- anonymous requests measured, and PostGraphile has no notion of the viewer.)
DROP FUNCTION IF EXISTS articles_reaction_groups(articles);
DROP FUNCTION IF EXISTS comments_reaction_groups(comments);
DROP TYPE IF EXISTS reaction_group;
CREATE TYPE reaction_group AS (kind text, count integer);

CREATE FUNCTION articles_reaction_groups(a articles) RETURNS SETOF reaction_group
LANGUAGE sql STABLE STRICT AS $$
  SELECT k.kind, (SELECT count(*) FROM reactions r WHERE r.article_id = a.id AND r.kind = k.kind)::integer
  FROM unnest(ARRAY['LIKE', 'HEART', 'INSIGHTFUL', 'SUPPORT']) WITH ORDINALITY AS k(kind, n)
  ORDER BY k.n
$$;

CREATE FUNCTION comments_reaction_groups(c comments) RETURNS SETOF reaction_group
LANGUAGE sql STABLE STRICT AS $$
  SELECT k.kind, (SELECT count(*) FROM reactions r WHERE r.comment_id = c.id AND r.kind = k.kind)::integer
  FROM unnest(ARRAY['LIKE', 'HEART', 'INSIGHTFUL', 'SUPPORT']) WITH ORDINALITY AS k(kind, n)
  ORDER BY k.n
$$;

-- A plain list (as groupql's [ReactionGroup!]!), not a connection.
COMMENT ON FUNCTION articles_reaction_groups(articles) IS E'@behavior -connection +list';
COMMENT ON FUNCTION comments_reaction_groups(comments) IS E'@behavior -connection +list';
