from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

from bench.answers import canonical, decode_id, first_difference, problem, without_excerpts
from bench.operations import GROUPQL, PAGE, POSTGRAPHILE, THREAD, VIEW
from schema.core import ids


def peer_id(type_name: str, pk: int) -> str:
    return base64.b64encode(orjson.dumps([type_name, pk])).decode()


def groupql_page(views: int = 7) -> dict[str, Any]:
    node = {
        "id": ids.encode("Article", 3),
        "title": "Managing Hand Tremors in MS",
        "excerpt": "Tremor causes…",
        "views": views,
        "coverImage": {"url": "https://example.com/a.jpg", "caption": "TraXel | Tremors"},
        "author": {"name": "Dana Whitfield"},
        "commentCount": 1,
        "comments": {
            "nodes": [
                {
                    "body": "Oregon or Maine?",
                    "createdAt": "2023-10-16T08:05:00+00:00",
                    "author": {"name": "Sam Harrison"},
                }
            ]
        },
    }
    articles = {"totalCount": 1, "pageInfo": {"hasNextPage": False, "endCursor": "abc"}}
    return {
        "data": {
            "group": {
                "name": "Muscle Weakness & MS",
                "privacy": "PUBLIC",
                "memberCount": 169,
                "articles": {**articles, "nodes": [node]},
            }
        },
        "extensions": {"cost": {"requested": 1, "limit": 10}},
    }


def peer_page() -> dict[str, Any]:
    node = {
        "id": peer_id("Article", 3),
        "title": "Managing Hand Tremors in MS",
        "excerpt": "Tremor causes and strategies",
        "views": 7,
        "coverImageUrl": "https://example.com/a.jpg",
        "coverImageCaption": "TraXel | Tremors",
        "author": {"name": "Dana Whitfield"},
        "commentCount": 1,
        "comments": {
            "nodes": [
                {
                    "body": "Oregon or Maine?",
                    "createdAt": "2023-10-16T08:05:00.000000+00:00",
                    "author": {"name": "Sam Harrison"},
                }
            ]
        },
    }
    articles = {"totalCount": 1, "pageInfo": {"hasNextPage": False, "endCursor": "WyJ4Il0="}}
    group = {"name": "Muscle Weakness & MS", "privacy": "PUBLIC", "memberCount": 169}
    return {"data": {"groupBySlug": {**group, "articles": {**articles, "nodes": [node]}}}}


def test_pages_in_both_namings_compare_equal() -> None:
    ours = canonical(PAGE, GROUPQL, groupql_page())
    theirs = canonical(PAGE, POSTGRAPHILE, peer_page())

    assert first_difference(ours, theirs) is None
    assert ours["articles"][0]["id"] == ("Article", 3)


def test_a_different_count_is_found_with_its_path() -> None:
    found = first_difference(
        canonical(PAGE, GROUPQL, groupql_page(views=8)), canonical(PAGE, POSTGRAPHILE, peer_page())
    )

    assert found == ".articles[0].views: '8' against '7'"


def thread(replies: int, peer: bool) -> dict[str, Any]:
    def comment(pk: int, with_replies: bool) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": peer_id("Comment", pk) if peer else ids.encode("Comment", pk),
            "body": f"Comment {pk}",
            "createdAt": "2024-01-01T13:36:16+00:00",
            "author": {"name": "Member 1"},
            "replyCount": replies if with_replies else 0,
            "reactionGroups": [{"kind": "LIKE", "count": 1}, {"kind": "HEART", "count": 0}],
        }
        if with_replies:
            found["replies"] = {"nodes": [comment(100 * pk + n, False) for n in range(replies)]}
        return found

    article = {
        "id": peer_id("Article", 1) if peer else ids.encode("Article", 1),
        "title": "Article 1",
        "body": "Body",
        "views": 3,
        "author": {"name": "Member 2"},
        "reactionGroups": [{"kind": "LIKE", "count": 0}],
        "comments": {
            "totalCount": 25,
            "pageInfo": {"hasNextPage": True},
            "nodes": [comment(pk, True) for pk in range(1, 21)],
        },
    }
    return {"data": {"article" if peer else "node": article}}


def test_threads_in_both_namings_compare_equal() -> None:
    ours = canonical(THREAD, GROUPQL, thread(5, peer=False))

    assert first_difference(ours, canonical(THREAD, POSTGRAPHILE, thread(5, peer=True))) is None
    assert problem(THREAD, GROUPQL, thread(5, peer=False)) is None


def test_a_thread_with_too_few_replies_is_not_what_is_measured() -> None:
    found = problem(THREAD, POSTGRAPHILE, thread(4, peer=True))

    assert found is not None
    assert "not 5 each" in found


@pytest.mark.parametrize(
    ("server", "answer", "views"),
    [
        (GROUPQL, {"data": {"recordArticleView": {"counted": True, "article": {"views": 9}}}}, 9),
        (
            GROUPQL,
            {"data": {"recordArticleView": {"counted": False, "article": {"views": 9}}}},
            None,
        ),
        ("floor", {"views": 9}, 9),
        (POSTGRAPHILE, {"data": {"incrementArticleViews": {"article": {"views": 9}}}}, 9),
    ],
)
def test_a_view_is_its_new_count_when_counted(
    server: str, answer: dict[str, Any], views: int | None
) -> None:
    assert canonical(VIEW, server, answer) == views
    assert (problem(VIEW, server, answer) is None) == (views is not None)


def test_errors_and_nulls_are_problems() -> None:
    assert "errors" in (problem(PAGE, GROUPQL, {"errors": [{"message": "no"}]}) or "")
    assert "null" in (problem(PAGE, GROUPQL, {"data": {"group": None}}) or "")


def test_ids_that_do_not_decode_stay_as_they_are() -> None:
    assert decode_id("not an id", peer=True) == "not an id"
    assert decode_id(peer_id("Article", 5), peer=True) == ("Article", 5)
    assert decode_id(ids.encode("Comment", 5), peer=False) == ("Comment", 5)


def test_without_excerpts_leaves_out_excerpts_and_extensions_only() -> None:
    answer = groupql_page()

    trimmed = without_excerpts(answer)

    assert "extensions" not in trimmed
    assert "excerpt" not in trimmed["data"]["group"]["articles"]["nodes"][0]
    assert (
        trimmed["data"]["group"]["articles"]["nodes"][0]["title"]
        == answer["data"]["group"]["articles"]["nodes"][0]["title"]
    )
    assert "excerpt" in answer["data"]["group"]["articles"]["nodes"][0]
