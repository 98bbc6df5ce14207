"""What the benchmark sends: request bodies for groupql and the floor, and checks of the answers."""

from __future__ import annotations

from typing import Any

import orjson

from schema.core import ids
from server import GROUP_PAGE_QUERY

PAGE_SLUG = "group-1"
SHOWN_CHARS = 300
PAGE_SIZE = 20
RECORD_VIEW_MUTATION = (
    "mutation RecordView($input: RecordArticleViewInput!) "
    "{ recordArticleView(input: $input) { counted article { id views } } }"
)
# Placeholders post.lua fills per request.
ID = "{id}"
VIEWER = "{viewer}"


class WrongAnswerError(Exception):
    """A server answered something other than what the benchmark must measure."""


def page_body() -> dict[str, Any]:
    return {"query": GROUP_PAGE_QUERY, "variables": {"slug": PAGE_SLUG}}


def view_body(article_id: str, viewer_key: str) -> dict[str, Any]:
    variables = {"input": {"articleId": article_id, "viewerKey": viewer_key}}
    return {"query": RECORD_VIEW_MUTATION, "variables": variables}


def floor_page_body() -> dict[str, Any]:
    return {"slug": PAGE_SLUG}


def floor_view_body(article_pk: int) -> dict[str, Any]:
    return {"articleId": article_pk}


def dumps(body: dict[str, Any]) -> str:
    return orjson.dumps(body).decode()


VIEW_TEMPLATE = dumps(view_body(ID, VIEWER))
FLOOR_VIEW_TEMPLATE = '{"articleId":' + ID + "}"


def global_ids(pks: list[int]) -> list[str]:
    return [ids.encode("Article", pk) for pk in pks]


def page_problem(answer: Any) -> str | None:
    """Why `answer` is not a full group page, or None when it is one."""
    if not isinstance(answer, dict) or "errors" in answer:
        return f"errors: {str(answer)[:SHOWN_CHARS]}"
    group = (answer.get("data") or {}).get("group")
    if group is None:
        return f"no group {PAGE_SLUG!r} in {str(answer)[:SHOWN_CHARS]}"
    nodes = group["articles"]["nodes"]
    if len(nodes) != PAGE_SIZE:
        return f"{len(nodes)} articles, not {PAGE_SIZE}"
    return None


def view_problem(answer: Any) -> str | None:
    """Why `answer` is not a counted view, or None when it is one."""
    counted = (
        isinstance(answer, dict)
        and "errors" not in answer
        and ((answer.get("data") or {}).get("recordArticleView") or {}).get("counted") is True
    )
    return None if counted else f"not counted: {str(answer)[:SHOWN_CHARS]}"


def first_difference(ours: Any, floor: Any, path: str = "") -> str | None:
    """Where two JSON values first differ (a path and both values), or None when equal."""
    if isinstance(ours, dict) and isinstance(floor, dict):
        for key in sorted(ours.keys() | floor.keys()):
            found = first_difference(ours.get(key), floor.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(floor, list) and len(ours) == len(floor):
        for n, (left, right) in enumerate(zip(ours, floor, strict=True)):
            found = first_difference(left, right, f"{path}[{n}]")
            if found:
                return found
        return None
    if ours == floor:
        return None
    return f"{path or '.'}: ours {str(ours)[:SHOWN_CHARS]!r}, floor {str(floor)[:SHOWN_CHARS]!r}"


def without_excerpts(answer: dict[str, Any]) -> dict[str, Any]:
    """The page minus each article's excerpt, the one field the floor computes differently,
    and minus `extensions` (our cost report, which the floor has no notion of)."""
    copy: dict[str, Any] = orjson.loads(orjson.dumps(answer))
    copy.pop("extensions", None)
    for node in copy["data"]["group"]["articles"]["nodes"]:
        node.pop("excerpt", None)
    return copy
