"""Article bodies as HTML that is safe to put in a page, and their reading time."""

from __future__ import annotations

import math
from collections.abc import Hashable

import nh3
from markdown_it import MarkdownIt

from schema.article.excerpt import plain_text
from schema.core.cache import Memo, versioned

WORDS_PER_MINUTE = 200

# Raw HTML in the Markdown is not rendered at all (html=False), and what the
# renderer produces is sanitised again: no scripts, no event handlers, links
# only to http, https and mailto.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
_html: Memo[str] = Memo(1024)
_minutes: Memo[int] = Memo(4096)


def render_html(key: Hashable, markdown: str) -> str:
    """The body as sanitised HTML, memoised per article version (`key`) and body."""
    return _html.get(versioned(key, markdown), lambda: sanitise(_markdown.render(markdown)))


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def reading_time_minutes(key: Hashable, markdown: str) -> int:
    """Minutes to read the body at 200 words a minute, at least 1 (memoised like the HTML)."""
    return _minutes.get(
        versioned(key, markdown),
        lambda: max(1, math.ceil(len(plain_text(markdown).split()) / WORDS_PER_MINUTE)),
    )
