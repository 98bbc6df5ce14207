"""The floor's statements: each builds a whole answer as JSON inside PostgreSQL.

One simplification: the floor's `excerpt` is `left(body, 200)`, where groupql
renders the Markdown to plain text and cuts it on a word boundary (a cached
step in groupql, so the difference in work is small).
"""

from __future__ import annotations

# groupql's ReactionKind, in its order (the answers are compared before timing).
KINDS = ("LIKE", "HEART", "INSIGHTFUL", "SUPPORT")


def _base64url(text: str) -> str:
    """SQL for base64url without padding of `text` (encode() wraps lines: drop the newlines)."""
    return f"rtrim(translate(encode(convert_to({text}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"


def _global_id(type_name: str, alias: str) -> str:
    return _base64url(f"'{type_name}:' || {alias}.id")


def _reaction_groups(column: str, subject: str) -> str:
    """Every kind in groupql's order with its count, 0 included: one GROUP BY per subject."""
    kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    return f"""(
        SELECT json_agg(json_build_object('kind', k.kind, 'count', COALESCE(n.count, 0))
                        ORDER BY k.position)
        FROM unnest(ARRAY[{kinds}]) WITH ORDINALITY AS k(kind, position)
        LEFT JOIN (
            SELECT kind, count(*) AS count FROM reactions WHERE {column} = {subject}.id
            GROUP BY kind
        ) n ON n.kind = k.kind
    )"""


def _comment(alias: str, replies: str) -> str:
    """The JSON of one comment row `alias` as groupql's thread answers it, plus `replies`."""
    return f"""json_build_object(
        'id', {_global_id("Comment", alias)},
        'body', CASE WHEN {alias}.deleted_at IS NULL THEN {alias}.body ELSE '' END,
        'createdAt', {alias}.created_at,
        'author', CASE WHEN {alias}.deleted_at IS NULL THEN json_build_object(
            'name', (SELECT name FROM members WHERE id = {alias}.author_id)) END,
        'replyCount', {alias}.reply_count,
        'reactionGroups', {_reaction_groups("comment_id", alias)}{replies}
    )"""


ARTICLE_ID = _global_id("Article", "a")
ARTICLE_CURSOR = _base64url(
    """'["article:NEWEST","' || (to_json(a.published_at) #>> '{}') || '",' || a.id || ']'"""
)

# $1: the group's slug. The article page is read one row long, as groupql does, so
# that the 21st row says whether another page follows.
GROUP_PAGE = f"""
WITH grp AS (
    SELECT id, name, privacy, member_count FROM groups WHERE slug = $1 AND privacy = 'PUBLIC'
), page AS (
    SELECT a.*, row_number() OVER (ORDER BY a.published_at DESC, a.id DESC) AS n
    FROM articles a
    WHERE a.group_id = (SELECT id FROM grp) AND a.deleted_at IS NULL
    ORDER BY a.published_at DESC, a.id DESC
    LIMIT 21
)
SELECT json_build_object('data', json_build_object('group', (
    SELECT json_build_object(
        'name', grp.name,
        'privacy', grp.privacy,
        'memberCount', grp.member_count,
        'articles', json_build_object(
            'totalCount', (
                SELECT count(*) FROM articles WHERE group_id = grp.id AND deleted_at IS NULL
            ),
            'pageInfo', json_build_object(
                'hasNextPage', (SELECT count(*) > 20 FROM page),
                'endCursor', (SELECT {ARTICLE_CURSOR} FROM page a WHERE a.n = LEAST(
                    20, (SELECT count(*) FROM page)))
            ),
            'nodes', COALESCE((
                SELECT json_agg(json_build_object(
                    'id', {ARTICLE_ID},
                    'title', a.title,
                    'excerpt', left(a.body, 200),
                    'views', a.views,
                    'coverImage', CASE WHEN a.cover_image_url IS NULL THEN NULL ELSE
                        json_build_object('url', a.cover_image_url,
                                          'caption', a.cover_image_caption) END,
                    'author', json_build_object('name', author.name),
                    'commentCount', a.comment_count,
                    'comments', json_build_object('nodes', COALESCE((
                        SELECT json_agg(json_build_object(
                            'body', c.body,
                            'createdAt', c.created_at,
                            'author', json_build_object('name', commenter.name)
                        ) ORDER BY c.created_at, c.id)
                        FROM (
                            SELECT * FROM comments
                            WHERE article_id = a.id AND parent_id IS NULL
                            ORDER BY created_at, id
                            LIMIT 3
                        ) c
                        JOIN members commenter ON commenter.id = c.author_id
                    ), '[]'::json))
                ) ORDER BY a.n)
                FROM page a
                JOIN members author ON author.id = a.author_id
                WHERE a.n <= 20
            ), '[]'::json)
        )
    )
    FROM grp
)))::text
"""

REPLIES = f""",
        'replies', json_build_object('nodes', COALESCE((
            SELECT json_agg({_comment("r", "")} ORDER BY r.created_at, r.id)
            FROM (
                SELECT * FROM comments WHERE parent_id = c.id ORDER BY created_at, id LIMIT 5
            ) r
        ), '[]'::json))"""

# $1: the article's primary key. The comment page is read one row long, for hasNextPage.
ARTICLE_THREAD = f"""
WITH article AS (
    SELECT a.* FROM articles a JOIN groups g ON g.id = a.group_id AND g.privacy = 'PUBLIC'
    WHERE a.id = $1 AND a.deleted_at IS NULL
), top AS (
    SELECT c.*, row_number() OVER (ORDER BY c.created_at, c.id) AS n
    FROM comments c
    WHERE c.article_id = (SELECT id FROM article) AND c.parent_id IS NULL
    ORDER BY c.created_at, c.id
    LIMIT 21
)
SELECT json_build_object('data', json_build_object('node', (
    SELECT json_build_object(
        'id', {ARTICLE_ID},
        'title', a.title,
        'body', a.body,
        'views', a.views,
        'author', json_build_object('name', (SELECT name FROM members WHERE id = a.author_id)),
        'reactionGroups', {_reaction_groups("article_id", "a")},
        'comments', json_build_object(
            'totalCount', (
                SELECT count(*) FROM comments WHERE article_id = a.id AND parent_id IS NULL
            ),
            'pageInfo', json_build_object('hasNextPage', (SELECT count(*) > 20 FROM top)),
            'nodes', COALESCE((
                SELECT json_agg({_comment("c", REPLIES)} ORDER BY c.n) FROM top c WHERE c.n <= 20
            ), '[]'::json)
        )
    )
    FROM article a
)))::text
"""

COUNT_VIEW = "UPDATE articles SET views = views + 1 WHERE id = $1 RETURNING views"
