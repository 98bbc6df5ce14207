from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson
import pytest
import strawberry

from schema.core.errors import UserInputError
from schema.core.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Order,
    decode_cursor,
    encode_cursor,
    page_of,
)

NEWEST = Order("thing:NEWEST", "created_at", descending=True)
MOST = Order("thing:MOST", "views", descending=True, numeric=True)
MOMENT = datetime(2023, 10, 16, 8, 5, tzinfo=UTC)


def refusal(**arguments: object) -> UserInputError:
    with pytest.raises(UserInputError) as raised:
        page_of(NEWEST, **arguments)  # type: ignore[arg-type]
    return raised.value


def test_no_arguments_means_the_first_default_page() -> None:
    page = page_of(NEWEST, strawberry.UNSET, strawberry.UNSET, strawberry.UNSET, strawberry.UNSET)

    assert (page.size, page.backward, page.cursor, page.descending) == (
        DEFAULT_PAGE_SIZE,
        False,
        None,
        True,
    )


def test_last_pages_backwards_in_the_opposite_direction() -> None:
    page = page_of(NEWEST, last=5)

    assert (page.size, page.backward, page.descending) == (5, True, False)


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"first": -1}, "first"),
        ({"first": MAX_PAGE_SIZE + 1}, "first"),
        ({"last": 10_000}, "last"),
        ({"first": 1, "last": 1}, "last"),
        ({"after": "x", "before": "y"}, "before"),
        ({"first": 1, "before": "y"}, "before"),
        ({"last": 1, "after": "x"}, "after"),
        ({"after": "not a cursor"}, "after"),
        ({"before": "not a cursor"}, "before"),
    ],
)
def test_bad_arguments_are_refused_by_name(arguments: dict[str, object], argument: str) -> None:
    error = refusal(**arguments)

    assert error.extensions == {"code": "BAD_USER_INPUT", "argument": argument}
    assert f"`{argument}`" in error.message


def test_page_sizes_from_zero_to_the_maximum_are_accepted() -> None:
    assert page_of(NEWEST, first=0).size == 0
    assert page_of(NEWEST, first=MAX_PAGE_SIZE).size == MAX_PAGE_SIZE


@pytest.mark.parametrize(("order", "key"), [(NEWEST, MOMENT), (MOST, 364)])
def test_a_cursor_decodes_to_its_sort_key_and_id(order: Order, key: datetime | int) -> None:
    cursor = encode_cursor(order, key, 7)

    assert decode_cursor(order, cursor, "after") == (key, 7)
    assert page_of(order, after=cursor).cursor == (key, 7)


def test_a_cursor_of_another_order_is_refused() -> None:
    cursor = encode_cursor(MOST, 364, 7)

    with pytest.raises(UserInputError, match="order thing:NEWEST"):
        decode_cursor(NEWEST, cursor, "after")


@pytest.mark.parametrize(
    "payload",
    [
        ["thing:NEWEST", "yesterday", 1],
        ["thing:NEWEST", 5, "1"],
        ["thing:NEWEST", 5, 0],
        ["thing:NEWEST", 2**40, 1],
        ["thing:NEWEST", None, 1],
        ["thing:NEWEST", 5],
        {"not": "a list"},
    ],
)
def test_tampered_cursors_are_refused(payload: object) -> None:
    cursor = base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")

    with pytest.raises(UserInputError):
        decode_cursor(NEWEST, cursor, "after")


@pytest.mark.parametrize(
    ("order", "forged"),
    [
        (Order("group:NEWEST", "created_at", descending=True), 5),
        (
            Order("article:MOST_VIEWED", "views", descending=True, numeric=True),
            "2024-01-01T00:00:00+00:00",
        ),
    ],
)
def test_a_cursor_whose_key_is_of_the_wrong_kind_is_refused(order: Order, forged: object) -> None:
    cursor = encode_cursor(order, forged, 1)  # type: ignore[arg-type]

    with pytest.raises(UserInputError) as refused:
        decode_cursor(order, cursor, "after")

    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "argument": "after"}
