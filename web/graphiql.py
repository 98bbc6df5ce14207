"""GraphiQL, opening on the group page query with its variables filled in."""

from __future__ import annotations

import re

import orjson
from strawberry.http.ides import get_graphql_ide_html

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


def graphiql_html() -> str:
    """Strawberry's GraphiQL page, opening on the group page query with its variables."""
    html = get_graphql_ide_html(graphql_ide="graphiql")
    example = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
    variables = "React.useState(\n          parameters.variables,"
    if not example.search(html) or variables not in html:
        raise RuntimeError("Strawberry's GraphiQL page changed: update graphiql_html()")
    pretty_variables = orjson.dumps(GROUP_PAGE_VARIABLES, option=orjson.OPT_INDENT_2).decode()
    html = example.sub(
        lambda _: (
            "const EXAMPLE_QUERY = "
            + orjson.dumps(GROUP_PAGE_QUERY).decode()
            + ";\n      const EXAMPLE_VARIABLES = "
            + orjson.dumps(pretty_variables).decode()
            + ";"
        ),
        html,
        count=1,
    )
    return html.replace(
        variables, "React.useState(\n          parameters.variables || EXAMPLE_VARIABLES,"
    )
