from __future__ import annotations

from bench.counting import per_request, spread, through, upstream


def test_through_keeps_the_user_and_database_and_replaces_the_address() -> None:
    url = "postgres://postgres:secret@db.example:6543/groupql_bench?minsize=1"

    assert (
        through(url, 41000) == "postgres://postgres:secret@127.0.0.1:41000/groupql_bench?minsize=1"
    )
    assert through("postgres://db.example/x", 41000) == "postgres://127.0.0.1:41000/x"
    assert upstream(url) == ("db.example", 6543)
    assert upstream("postgres://postgres@localhost/x") == ("localhost", 5432)


def test_the_count_per_request_is_the_median_and_spreads_are_told() -> None:
    counts = {"page": [4, 4, 4], "thread": [7, 10, 7]}

    assert per_request(counts) == {"page": 4, "thread": 7}
    assert spread("groupql", counts) == ["groupql thread: 7 to 10 statements over 3 requests"]
