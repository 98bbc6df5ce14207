"""Plain-text excerpts of Markdown bodies, cut on a word boundary."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from schema.core.cache import Memo, versioned

MAX_EXCERPT_LENGTH = 1000
ELLIPSIS = "…"
CACHE_SIZE = 4096

_markdown = MarkdownIt("commonmark")
_SPACES = re.compile(r"\s+")
# Punctuation a cut leaves dangling; a full stop stays and the ellipsis follows it.
_TRAILING = " \t,;:\u2013\u2014-"


def plain_text(markdown: str) -> str:
    """The words of a Markdown document: markup, HTML tags and link targets removed."""
    words: list[str] = []
    for token in _markdown.parse(markdown):
        if token.type == "inline" and token.children:
            words.append(_inline_text(token.children))
        elif token.type in {"code_block", "fence"}:
            words.append(token.content)
    return _SPACES.sub(" ", " ".join(words)).strip()


def _inline_text(children: list[Token]) -> str:
    parts = []
    for child in children:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "image" and child.children:
            parts.append(_inline_text(child.children))
    return "".join(parts)


_heads: Memo[str] = Memo(CACHE_SIZE)


def excerpt(key: object, markdown: str, max_length: int) -> str:
    """At most `max_length` characters of plain text; "…" ends it when it was cut.

    `key` identifies this version of the body (article id and update time) so
    the Markdown is parsed once per version, not once per request.
    """
    # Only the head of the text is kept, never the body, so the memo stays small.
    text = _heads.get(
        versioned(key, markdown), lambda: plain_text(markdown)[: MAX_EXCERPT_LENGTH + 1]
    )
    if len(text) <= max_length:
        return text
    room = max_length - len(ELLIPSIS)
    space = text.rfind(" ", 0, room + 1)
    head = text[:space] if space > 0 else text[:room]
    return head.rstrip(_TRAILING) + ELLIPSIS
