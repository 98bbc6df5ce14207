"""The answers: is each one what the benchmark means to measure, and do the servers agree?

Each answer is brought to one canonical form before comparing: ids decoded to
(type, primary key), timestamps parsed, excerpts reduced to "present" (the
floor's and PostGraphile's are left(body, 200), groupql's is the Markdown as
plain text cut on a word boundary), and PostGraphile's field names mapped onto
groupql's. Cursors are opaque and differ by design: only their presence counts.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import orjson

from bench.operations import (
    PAGE,
    PAGE_SIZE,
    POSTGRAPHILE,
    THREAD,
    THREAD_COMMENTS,
    THREAD_REPLIES,
    VIEW,
)
from schema.core import ids

SHOWN_CHARS = 300


class WrongAnswerError(Exception):
    """A server answered something other than what the benchmark must measure."""


def shown(value: Any) -> str:
    return str(value)[:SHOWN_CHARS]


def problem(shape: str, server: str, answer: Any) -> str | None:
    """Why `answer` is not a full answer of `shape`, or None when it is one."""
    if not isinstance(answer, dict) or "errors" in answer:
        return f"{server} {shape}: errors: {shown(answer)}"
    try:
        found = canonical(shape, server, answer)
    except (KeyError, TypeError, ValueError) as error:
        return f"{server} {shape}: unreadable ({error!r}): {shown(answer)}"
    if found is None:
        return f"{server} {shape}: null: {shown(answer)}"
    if shape == PAGE and len(found["articles"]) != PAGE_SIZE:
        return f"{server} page: {len(found['articles'])} articles, not {PAGE_SIZE}"
    if shape == THREAD:
        replies = [len(comment["replies"]) for comment in found["comments"]]
        if replies != [THREAD_REPLIES] * THREAD_COMMENTS:
            return f"{server} thread: replies per comment {replies}, not {THREAD_REPLIES} each"
    if shape == VIEW and not isinstance(found, int):
        return f"{server} view: not counted: {shown(answer)}"
    return None


def canonical(shape: str, server: str, answer: dict[str, Any]) -> Any:
    """The comparable content of an answer (None where the answer's object is null)."""
    if shape == VIEW:
        return _views(server, answer)
    if server == POSTGRAPHILE:
        data = answer["data"]
        return (
            _page(data["groupBySlug"], True) if shape == PAGE else _article(data["article"], True)
        )
    data = answer["data"]
    return _page(data["group"], False) if shape == PAGE else _article(data["node"], False)


def _views(server: str, answer: dict[str, Any]) -> int | None:
    if server == POSTGRAPHILE:
        views = answer["data"]["incrementArticleViews"]["article"]["views"]
    elif "data" in answer:
        view = answer["data"]["recordArticleView"]
        views = view["article"]["views"] if view["counted"] is True else None
    else:
        views = answer["views"]  # the floor's
    return views if isinstance(views, int) else None


def _page(group: dict[str, Any] | None, peer: bool) -> dict[str, Any] | None:
    if group is None:
        return None
    articles = group["articles"]
    return {
        "name": group["name"],
        "privacy": group["privacy"],
        "memberCount": group["memberCount"],
        "totalCount": articles["totalCount"],
        "hasNextPage": articles["pageInfo"]["hasNextPage"],
        "hasEndCursor": bool(articles["pageInfo"]["endCursor"]),
        "articles": [_listed_article(node, peer) for node in articles["nodes"]],
    }


def _listed_article(node: dict[str, Any], peer: bool) -> dict[str, Any]:
    if peer:
        url, caption = node["coverImageUrl"], node["coverImageCaption"]
    else:
        cover = node["coverImage"] or {"url": None, "caption": None}
        url, caption = cover["url"], cover["caption"]
    return {
        "id": decode_id(node["id"], peer),
        "title": node["title"],
        "hasExcerpt": bool(node["excerpt"]),
        "views": node["views"],
        "cover": None if url is None else (url, caption),
        "author": node["author"]["name"],
        "commentCount": node["commentCount"],
        "comments": [
            (comment["body"], parse_time(comment["createdAt"]), comment["author"]["name"])
            for comment in node["comments"]["nodes"]
        ],
    }


def _article(node: dict[str, Any] | None, peer: bool) -> dict[str, Any] | None:
    if node is None:
        return None
    comments = node["comments"]
    return {
        "id": decode_id(node["id"], peer),
        "title": node["title"],
        "body": node["body"],
        "views": node["views"],
        "author": node["author"]["name"],
        "reactionGroups": _reactions(node),
        "totalCount": comments["totalCount"],
        "hasNextPage": comments["pageInfo"]["hasNextPage"],
        "comments": [_comment(comment, peer) for comment in comments["nodes"]],
    }


def _comment(node: dict[str, Any], peer: bool) -> dict[str, Any]:
    found = {
        "id": decode_id(node["id"], peer),
        "body": node["body"],
        "createdAt": parse_time(node["createdAt"]),
        "author": None if node["author"] is None else node["author"]["name"],
        "replyCount": node["replyCount"],
        "reactionGroups": _reactions(node),
    }
    if "replies" in node:
        found["replies"] = [_comment(reply, peer) for reply in node["replies"]["nodes"]]
    return found


def _reactions(node: dict[str, Any]) -> list[tuple[str, int]]:
    return [(group["kind"], group["count"]) for group in node["reactionGroups"]]


def decode_id(global_id: str, peer: bool) -> tuple[str, int] | str:
    """(type, primary key) from groupql's id (base64url "Type:pk") or PostGraphile's
    (base64 of the JSON ["Type", pk]); the id itself when it does not decode."""
    if not peer:
        return ids.decode(global_id) or global_id
    try:
        decoded = orjson.loads(base64.b64decode(global_id, validate=True))
    except (binascii.Error, orjson.JSONDecodeError):
        return global_id
    if not (isinstance(decoded, list) and len(decoded) == 2 and isinstance(decoded[1], int)):
        return global_id
    return str(decoded[0]), decoded[1]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def first_difference(left: Any, right: Any, path: str = "") -> str | None:
    """Where two JSON-like values first differ (a path and both values), or None when equal."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(left.keys() | right.keys()):
            found = first_difference(left.get(key), right.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        if len(left) != len(right):
            return f"{path or '.'}: {len(left)} items against {len(right)}"
        for n, (one, other) in enumerate(zip(left, right, strict=True)):
            found = first_difference(one, other, f"{path}[{n}]")
            if found:
                return found
        return None
    if left == right:
        return None
    return f"{path or '.'}: {shown(left)!r} against {shown(right)!r}"


def without_excerpts(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer minus `extensions` (groupql's cost report, which the floor has no notion
    of) and minus the page's excerpts, the one field the floor computes differently."""
    copy: dict[str, Any] = orjson.loads(orjson.dumps(answer))
    copy.pop("extensions", None)
    group = copy.get("data", {}).get("group")
    for node in group["articles"]["nodes"] if group else []:
        node.pop("excerpt", None)
    return copy
