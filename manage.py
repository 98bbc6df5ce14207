"""Operator commands: `python manage.py migrate | seed | generate | create-member | prune`.

Each reads the settings (DATABASE_URL first) from the environment, like the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from demo.bulk import Sizes, generate
from demo.seed import seed_if_empty
from models import Member
from models.config import migrate, tortoise_config
from models.retention import prune
from schema.account.passwords import hash_password
from schema.account.tokens import issue_token
from settings import Settings


def print_plan(connection: str, plan: list[Any], fake: bool, dry_run: bool) -> None:
    if not plan:
        print("No migrations to apply")


def print_progress(event: str, app_label: str, name: str) -> None:
    if event == "apply_start":
        print(f"Applying {app_label}.{name} ...", end=" ", flush=True)
    elif event == "rollback_start":
        print(f"Rolling back {app_label}.{name} ...", end=" ", flush=True)
    elif event in ("apply_done", "rollback_done"):
        print("OK")


def migration_target(name: str | None) -> str | None:
    """`--target 0001_initial` (apply or roll back to it) or `zero` (roll back everything)."""
    if name is None:
        return None
    return "models.__first__" if name == "zero" else f"models.{name}"


async def run_seed(settings: Settings) -> None:
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        loaded = await seed_if_empty()
    print("demo data loaded" if loaded else "database already has data: demo data not loaded")


async def run_generate(settings: Settings, sizes: Sizes) -> None:
    started = time.perf_counter()
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        await generate(sizes)
    print(f"generated {sizes} in {time.perf_counter() - started:.1f} s")


async def run_create_member(settings: Settings, name: str, email: str | None) -> None:
    """Create a member and print a bearer token for them (and nothing else, for scripts)."""
    password = os.environ.get("MEMBER_PASSWORD")
    now = datetime.now(UTC)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        async with in_transaction():
            member = await Member.create(
                name=name,
                email=email.strip().lower() if email else None,
                password_hash=await hash_password(password) if password else None,
                created_at=now,
            )
            token, _ = await issue_token(member.id, now, timedelta(days=settings.token_ttl_days))
    print(token)


async def run_prune(settings: Settings) -> None:
    """Delete what retention allows now, as the server's periodic task does."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings))
        pruned = await prune(datetime.now(UTC), timedelta(seconds=settings.view_window_seconds))
    print("another process is pruning: nothing done" if pruned is None else pruned)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    migrate_parser = commands.add_parser(
        "migrate", help="apply pending migrations to DATABASE_URL (or go to --target)"
    )
    migrate_parser.add_argument(
        "--target",
        help="a migration (0001_initial) to apply or roll back to; zero rolls back everything. "
        "A rollback that would lose data refuses and names it",
    )
    commands.add_parser("seed", help="load the demo data when the database has no groups")
    generate_parser = commands.add_parser(
        "generate", help="fill an empty database with a large generated data set"
    )
    create = commands.add_parser(
        "create-member",
        help="create a member and print a bearer token (password from MEMBER_PASSWORD, optional)",
    )
    commands.add_parser(
        "prune",
        help="delete view markers older than the view window, expired and revoked tokens, "
        "idempotency keys older than 24 hours",
    )
    create.add_argument("--name", required=True)
    create.add_argument("--email")
    defaults = Sizes()
    for name in ("members", "groups", "articles", "comments", "threads"):
        generate_parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    arguments = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if arguments.command == "migrate":
            config = tortoise_config(settings)
            target = migration_target(arguments.target)
            asyncio.run(
                migrate(config, target=target, reporter=print_plan, progress=print_progress)
            )
        elif arguments.command == "seed":
            asyncio.run(run_seed(settings))
        elif arguments.command == "prune":
            asyncio.run(run_prune(settings))
        elif arguments.command == "create-member":
            asyncio.run(run_create_member(settings, arguments.name, arguments.email))
        else:
            sizes = Sizes(
                members=arguments.members,
                groups=arguments.groups,
                articles=arguments.articles,
                comments=arguments.comments,
                threads=arguments.threads,
            )
            asyncio.run(run_generate(settings, sizes))
    except (ValueError, RuntimeError, IntegrityError) as error:  # SettingsError included
        print(f"\nmanage.py {arguments.command}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
