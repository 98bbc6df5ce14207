from __future__ import annotations

import orjson
import pytest

from bench.operations import (
    FLOOR,
    GROUPQL,
    ID,
    PAGE,
    SERVERS,
    SHAPES,
    THREAD,
    VIEW,
    VIEWER,
    article_key,
    page_query,
    template,
)
from schema.core import ids


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("shape", [THREAD, VIEW])
def test_templates_are_json_once_post_lua_fills_them(shape: str, server: str) -> None:
    key = str(article_key(server, 42))
    filled = template(shape, server).replace(ID, key).replace(VIEWER, "run-1-1")

    sent = orjson.loads(filled)

    assert key in filled
    if server == FLOOR:
        assert sent == {"articleId": 42}
    elif server == GROUPQL and shape == VIEW:
        assert sent["variables"]["input"] == {
            "articleId": ids.encode("Article", 42),
            "viewerKey": "run-1-1",
        }


@pytest.mark.parametrize("server", SERVERS)
def test_every_shape_has_a_template(server: str) -> None:
    for shape in SHAPES:
        assert orjson.loads(template(shape, server).replace(ID, "1").replace(VIEWER, "v"))
    assert ID not in template(PAGE, server)


def test_page_query_asks_for_another_size() -> None:
    assert "articles(first: 100)" in page_query(100)
    assert "articles(first: 20)" not in page_query(100)
