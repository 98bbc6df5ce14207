from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tortoise.context import TortoiseContext

from models.sql import _for_postgres, _for_sqlite, fetch, timestamp
from tests import factories


def test_placeholders_are_numbered_for_asyncpg() -> None:
    assert _for_postgres("SELECT ? WHERE a = ANY(?) AND b = ?") == (
        "SELECT $1 WHERE a = ANY($2) AND b = $3"
    )


def test_any_becomes_json_each_for_sqlite() -> None:
    assert _for_sqlite("SELECT * FROM t WHERE id = ANY(?)") == (
        "SELECT * FROM t WHERE id IN (SELECT value FROM json_each(?))"
    )


def test_timestamps_come_back_as_utc_datetimes() -> None:
    moment = datetime(2023, 10, 16, 8, 5, tzinfo=UTC)

    assert timestamp("2023-10-16 08:05:00+00:00") == moment
    assert timestamp("2023-10-16 08:05:00") == moment
    assert timestamp(moment.astimezone(timezone(timedelta(hours=2)))) == moment


async def test_a_list_parameter_matches_any_of_its_values(db: TortoiseContext) -> None:
    names = ["Sam Harrison", "Ella Brooks", "Noah Carter"]
    members = [await factories.member(name) for name in names]

    rows = await fetch(
        "SELECT name FROM members WHERE id = ANY(?) ORDER BY id", [[members[0].id, members[2].id]]
    )

    assert [row["name"] for row in rows] == ["Sam Harrison", "Noah Carter"]
    assert await fetch("SELECT id FROM members WHERE id = ANY(?)", [[]]) == []
