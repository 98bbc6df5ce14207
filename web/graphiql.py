"""GraphiQL, opening on the group page query with its variables filled in.

The page and its assets are bundled from npm by `make app` into app/dist/ (committed), and
served by this server: nothing is loaded from elsewhere, so GraphiQL works offline.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from web.app import APP_DIST

GROUP_PAGE_QUERY = """\
# The seed group's page in one query. Press the run button (or Ctrl-Enter).
# To count a view when someone opens an article, see the Mutation type in
# the documentation explorer: recordArticleView(input: {articleId: ...}).
# To sign in, run signIn and put {"Authorization": "Bearer <token>"} in Headers.
query GroupPage($slug: String!) {
  group(slug: $slug) {
    name
    privacy
    memberCount
    articles(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        title
        excerpt
        views
        coverImage { url caption }
        author { name }
        commentCount
        comments(first: 3) { nodes { body createdAt author { name } } }
      }
    }
  }
}
"""
GROUP_PAGE_VARIABLES = {"slug": "muscle-weakness-ms"}
GRAPHIQL_PAGE = APP_DIST / "graphiql.html"
# Where app/graphiql.html takes its configuration.
CONFIG_MARK = "<!-- graphiql-config -->"
NOT_BUILT = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>GraphiQL</title>"
    "<p>GraphiQL is not built: run <code>make app</code>.</p></html>"
)


def script_json(value: object) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return orjson.dumps(value).decode().replace("<", "\\u003c")


def graphiql_html(page: Path = GRAPHIQL_PAGE) -> str:
    """The built GraphiQL page with its endpoint, example query and variables. A query or
    variables in the address (`?query=`, `?variables=`) take their place."""
    if not page.is_file():
        return NOT_BUILT
    html = page.read_text()
    if CONFIG_MARK not in html:
        raise RuntimeError(f"{page} has no {CONFIG_MARK}: rebuild it with `make app`")
    variables = orjson.dumps(GROUP_PAGE_VARIABLES, option=orjson.OPT_INDENT_2).decode()
    config = {"endpoint": "/graphql", "query": GROUP_PAGE_QUERY, "variables": variables}
    script = f'<script type="application/json" id="graphiql-config">{script_json(config)}</script>'
    return html.replace(CONFIG_MARK, script, 1)
