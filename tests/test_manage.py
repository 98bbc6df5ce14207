"""The operator commands, run the way `make run` runs them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext

from models.config import tortoise_config
from server import create_app
from tests.conftest import settings_for
from tests.helpers import client_for

PROJECT_DIR = Path(__file__).resolve().parent.parent


def manage(*arguments: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_migrate_then_seed_on_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/fresh.sqlite3"

    migrated = manage("migrate", database_url=url)
    again = manage("migrate", database_url=url)
    seeded = manage("seed", database_url=url)
    reseeded = manage("seed", database_url=url)

    assert migrated.returncode == 0, migrated.stderr
    assert "Applying models.0001_initial" in migrated.stdout
    assert "No migrations to apply" in again.stdout
    assert seeded.stdout.strip() == "demo data loaded"
    assert "not loaded" in reseeded.stdout


def test_migrate_on_postgres_tracks_what_it_applied(database_url: str) -> None:
    result = manage("migrate", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert "No migrations to apply" in result.stdout


def test_generate_into_a_database_with_data_fails_cleanly(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/seeded.sqlite3"
    manage("migrate", database_url=url)
    manage("seed", database_url=url)

    result = manage("generate", "--groups", "1", database_url=url)

    assert result.returncode == 2
    assert "empty database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("variable", "value"), [("PORT", "eighty"), ("VIEW_WINDOW_SECONDS", "-5")])
def test_a_bad_setting_is_named(tmp_path: Path, variable: str, value: str) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3", variable: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_create_member_prints_a_token_that_signs_in(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/members.sqlite3"
    manage("migrate", database_url=url)
    env = {**os.environ, "DATABASE_URL": url, "MEMBER_PASSWORD": "a-long-password"}

    created = subprocess.run(
        [sys.executable, "manage.py", "create-member", "--name", "Ops Bot", "--email", "Ops@X.org"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    again = subprocess.run(
        [sys.executable, "manage.py", "create-member", "--name", "Ops Bot", "--email", "ops@x.org"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("gql_")
    assert len(token.splitlines()) == 1
    assert again.returncode == 2
    assert "Traceback" not in again.stderr
    assert asyncio.run(viewer_name(url, token)) == "Ops Bot"


async def viewer_name(url: str, token: str) -> str:
    settings = settings_for(url)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        async with client_for(create_app(settings)) as http:
            response = await http.post(
                "/graphql",
                json={"query": "query Viewer { viewer { name } }"},
                headers={"authorization": f"Bearer {token}"},
            )
    name: str = response.json()["data"]["viewer"]["name"]
    return name


def test_prune_deletes_stale_markers_dead_tokens_and_old_keys_and_says_how_many(
    tmp_path: Path,
) -> None:
    path = tmp_path / "prune.sqlite3"
    url = f"sqlite://{path}"
    manage("migrate", database_url=url)
    manage("seed", database_url=url)
    manage("create-member", "--name", "Ops Bot", database_url=url)
    with closing(sqlite3.connect(path)) as database, database:
        database.execute(
            "INSERT INTO article_views (article_id, viewer, counted_at) VALUES "
            "(1, 'old', '2020-01-01 00:00:00+00:00'), (1, 'new', '2999-01-01 00:00:00+00:00')"
        )
        database.execute("UPDATE auth_tokens SET revoked_at = '2020-01-02 00:00:00+00:00'")
        database.execute(
            "INSERT INTO idempotency_keys (scope, mutation, key_hash, input_hash, result, "
            "created_at) VALUES ('member:1', 'addComment', 'old', 'i', '{}', "
            "'2020-01-01 00:00:00+00:00'), ('member:1', 'addComment', 'new', 'i', '{}', "
            "'2999-01-01 00:00:00+00:00')"
        )

    pruned = manage("prune", database_url=url)
    again = manage("prune", database_url=url)

    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.strip() == (
        "deleted 1 view markers, 1 auth tokens and 1 idempotency keys in 4 statements"
    )
    assert again.stdout.strip() == (
        "deleted 0 view markers, 0 auth tokens and 0 idempotency keys in 4 statements"
    )
    with closing(sqlite3.connect(path)) as database:
        assert database.execute("SELECT viewer FROM article_views").fetchall() == [("new",)]
        assert database.execute("SELECT key_hash FROM idempotency_keys").fetchall() == [("new",)]


def test_a_downgrade_that_would_lose_data_is_refused_by_name(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/down.sqlite3"
    manage("migrate", database_url=url)
    manage("seed", database_url=url)

    refused = manage("migrate", "--target", "0001_initial", database_url=url)
    unknown = manage("migrate", "--target", "0009_nope", database_url=url)
    again = manage("migrate", database_url=url)

    assert refused.returncode == 2
    assert "would lose data: reactions (8 rows), members.email (5 rows)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert unknown.returncode == 2
    assert "0009_nope" in unknown.stderr
    assert "No migrations to apply" in again.stdout  # still at the latest


def test_an_empty_database_rolls_back_to_nothing_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/empty.sqlite3"
    manage("migrate", database_url=url)

    down = manage("migrate", "--target", "zero", database_url=url)
    up = manage("migrate", database_url=url)

    assert down.returncode == 0, down.stderr
    assert "Rolling back models.0002_accounts_membership_reactions ... OK" in down.stdout
    assert "Rolling back models.0001_initial ... OK" in down.stdout
    assert "Applying models.0001_initial ... OK" in up.stdout
