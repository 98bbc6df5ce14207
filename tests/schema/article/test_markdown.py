"""Article.bodyHtml (Markdown rendered and sanitised) and Article.readingTimeMinutes."""

from __future__ import annotations

import itertools
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from tortoise.context import TortoiseContext

from schema.article.markdown import reading_time_minutes, render_html
from tests import factories
from tests.helpers import data_of

ARTICLE_BODY = """
query ArticleBody($id: ID!) {
  node(id: $id) { ... on Article { body bodyHtml readingTimeMinutes } }
}
"""
UPDATE_BODY = """
mutation UpdateBody($input: UpdateArticleInput!) {
  updateArticle(input: $input) {
    article { bodyHtml readingTimeMinutes }
    errors { code }
  }
}
"""

# Every call gets a key of its own, so that no test reads what another memoised.
_keys = itertools.count()


def html_of(markdown: str) -> str:
    return render_html(("test_markdown", next(_keys)), markdown)


def minutes_of(markdown: str) -> int:
    return reading_time_minutes(("test_markdown", next(_keys)), markdown)


class Elements(HTMLParser):
    """The elements of an HTML fragment with their attributes, entities decoded."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def assert_safe(html: str) -> None:
    """No script, no event handler, no style, and links only to http, https or mailto."""
    lowered = html.lower()
    for opening in ("<script", "<iframe", "<svg", "<style", "<object", "<embed", "<math"):
        assert opening not in lowered, html
    for tag, attributes in Elements(html).found:
        assert tag in ALLOWED_TAGS, html
        for name, value in attributes:
            assert not name.startswith("on"), html
            assert name not in {"style", "srcdoc", "formaction", "xlink:href"}, html
            if name in {"href", "src"}:
                # What a browser does before it reads the scheme: drop tabs, newlines, spaces.
                url = "".join(ch for ch in value or "" if ch > " ").lower()
                assert urlsplit(url).scheme in SAFE_SCHEMES, html
                assert not url.startswith(("javascript:", "data:", "vbscript:")), html


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="https://ok.example" onclick="alert(1)">click</a>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="javascript:alert(1)"></object>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==)",
    "![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    '[click][evil]\n\n[evil]: https://ok.example "a" onmouseover="alert(1)"',
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '[click](https://ok.example "a" onmouseover="alert(1)")',
    "[click](https://ok.example 'a\" onmouseover=\"alert(1)')",
    '[click](https://ok.example "a&quot; onmouseover=&quot;alert(1)")',
    '[click](https://ok.example/"onmouseover="alert(1))',
    '![x" onerror="alert(1)](https://img.example/a.png)',
    '![x](https://img.example/a.png" onerror="alert(1))',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)//",
    '<a href="https://ok.example"><img src=x onerror=alert(1)></a>',
    "<!--<img src=x onerror=alert(1)>-->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "**<img src=x onerror=alert(1)>**",
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "```html\n<script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("markdown", XSS_PAYLOADS)
def test_a_payload_renders_to_nothing_that_runs(markdown: str) -> None:
    assert_safe(html_of(markdown))


def test_every_payload_together_renders_to_nothing_that_runs() -> None:
    assert_safe(html_of("\n\n".join(XSS_PAYLOADS)))


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
        ("[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>\n"),
        ("[click](&#106;avascript:alert(1))", "<p>[click](javascript:alert(1))</p>\n"),
        ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>\n"),
        ("![pixel](data:image/png;base64,iVBORw0KGgo=)", '<p><img alt="pixel"></p>\n'),
        (
            '[click](https://ok.example "a" onmouseover="alert(1)")',
            '<p>[click](https://ok.example "a" onmouseover="alert(1)")</p>\n',
        ),
        (
            "[click](https://ok.example 'a\" onmouseover=\"alert(1)')",
            '<p><a href="https://ok.example" title="a&quot; onmouseover=&quot;alert(1)" '
            'rel="nofollow noopener noreferrer">click</a></p>\n',
        ),
    ],
)
def test_raw_html_and_bad_links_are_shown_as_text(markdown: str, html: str) -> None:
    assert html_of(markdown) == html


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("# Living with MS\n\n### Fatigue", "<h1>Living with MS</h1>\n<h3>Fatigue</h3>\n"),
        (
            "Rest *before* you are **tired**, keep `cool`.",
            "<p>Rest <em>before</em> you are <strong>tired</strong>, keep <code>cool</code>.</p>\n",
        ),
        ("Tips & Tea < 5 pm", "<p>Tips &amp; Tea &lt; 5 pm</p>\n"),
        (
            "- pace the day\n- keep cool",
            "<ul>\n<li>pace the day</li>\n<li>keep cool</li>\n</ul>\n",
        ),
        ("3. rest\n4. walk", '<ol start="3">\n<li>rest</li>\n<li>walk</li>\n</ol>\n'),
        (
            '[MS Society](https://www.mssociety.org.uk/ "Support")',
            '<p><a href="https://www.mssociety.org.uk/" title="Support" '
            'rel="nofollow noopener noreferrer">MS Society</a></p>\n',
        ),
        (
            "<https://example.org/a?b=1&c=2>",
            '<p><a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">'
            "https://example.org/a?b=1&amp;c=2</a></p>\n",
        ),
        (
            "[write to us](mailto:help@example.org)",
            '<p><a href="mailto:help@example.org" rel="nofollow noopener noreferrer">'
            "write to us</a></p>\n",
        ),
        (
            "![A cane](https://img.example.org/cane.jpg)",
            '<p><img src="https://img.example.org/cane.jpg" alt="A cane"></p>\n',
        ),
        (
            "```python\nif temperature > 37:\n    rest()\n```",
            "<pre><code>if temperature &gt; 37:\n    rest()\n</code></pre>\n",
        ),
        (
            "| Day | Steps |\n|:----|------:|\n| Mon | 4,000 |",
            "<table>\n<thead>\n<tr>\n<th>Day</th>\n<th>Steps</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>Mon</td>\n<td>4,000</td>\n</tr>\n</tbody>\n</table>\n",
        ),
        (
            "> Heat makes it worse.\n\n---",
            "<blockquote>\n<p>Heat makes it worse.</p>\n</blockquote>\n<hr>\n",
        ),
    ],
)
def test_ordinary_markdown_renders(markdown: str, html: str) -> None:
    assert html_of(markdown) == html


def test_one_key_with_two_bodies_renders_each_body() -> None:
    """The memo key names an article version; a body it did not see must not get its HTML."""
    key = ("test_markdown", "same-article-same-instant")

    first = render_html(key, "Before the edit")
    second = render_html(key, "After the edit")

    assert (first, second) == ("<p>Before the edit</p>\n", "<p>After the edit</p>\n")
    assert (reading_time_minutes(key, "word " * 10), reading_time_minutes(key, "word " * 900)) == (
        1,
        5,
    )


@pytest.mark.parametrize(
    ("words", "minutes"), [(1, 1), (199, 1), (200, 1), (201, 2), (400, 2), (1000, 5), (1001, 6)]
)
def test_reading_time_is_200_words_a_minute_rounded_up(words: int, minutes: int) -> None:
    assert minutes_of(" ".join(["word"] * words)) == minutes


def test_markdown_syntax_is_not_read_as_words() -> None:
    # 200 words, but 400 pieces between spaces: "-" is not a word.
    assert minutes_of("\n".join(["- word"] * 200)) == 1


def test_an_empty_body_still_takes_a_minute() -> None:
    assert minutes_of("---") == 1


# Through the API


async def test_body_html_and_reading_time_come_with_the_article(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    body = "## Cooling vests\n\n" + "cool " * 400 + "\n\n<script>alert(1)</script>"
    group = await factories.group()
    article = await factories.article(group, await factories.member(), body=body)

    data = await data_of(client, ARTICLE_BODY, {"id": factories.global_id(article)})

    assert data["node"] == {
        "body": body,
        "bodyHtml": "<h2>Cooling vests</h2>\n<p>"
        + "cool " * 399
        + "cool</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
        "readingTimeMinutes": 3,  # 2 + 400 + 1 words (the script's text counts)
    }


async def test_edits_in_the_same_instant_each_show_their_body(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    group = await factories.group()
    author = await factories.member()
    await factories.join(group, author)
    article = await factories.article(group, author)
    headers = factories.bearer(await factories.token(author))

    async def edit(body: str) -> dict[str, Any]:
        variables = {"input": {"articleId": factories.global_id(article), "body": body}}
        data = await data_of(client, UPDATE_BODY, variables, headers=headers)
        payload: dict[str, Any] = data["updateArticle"]
        return payload

    # The tests' clock stands still: both edits get the same updatedAt.
    first = await edit("First *draft*")
    second = await edit("Second draft, " + "longer " * 300)

    assert first == {
        "article": {"bodyHtml": "<p>First <em>draft</em></p>\n", "readingTimeMinutes": 1},
        "errors": [],
    }
    assert second["article"]["bodyHtml"] == "<p>Second draft, " + "longer " * 299 + "longer</p>\n"
    assert second["article"]["readingTimeMinutes"] == 2
    data = await data_of(client, ARTICLE_BODY, {"id": factories.global_id(article)})
    assert data["node"]["bodyHtml"] == second["article"]["bodyHtml"]
