"""Slugs a group has had (SECRET groups get unguessable ones) and idempotency keys.

Forward: every group's slug goes into `group_slugs`; every SECRET group whose
slug could be guessed gets a new one (`<slug>--<20 random characters>`), the
old one kept as a former slug that only its members can still use.

Backward: refused while it would lose something, with a message that says
what and how to accept the loss: former slugs (links members use) and
idempotency keys younger than 24 hours (retries of those calls would write
again). Expired keys are dropped. The SECRET groups keep their new slugs,
which the previous schema holds as well.
"""

import secrets
import string
from datetime import UTC, datetime, timedelta

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# As schema/core/slugs.py makes them; copied so that this migration never changes.
SECRET_SEPARATOR = "--"
SECRET_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SECRET_SUFFIX_LENGTH = 20
MAX_BASE_LENGTH = 100 - len(SECRET_SEPARATOR) - SECRET_SUFFIX_LENGTH
KEY_LIFETIME = timedelta(hours=24)


class DowngradeRefused(RuntimeError):
    """The downgrade would lose data; the message names it."""


async def rows(client, sql, params=()):
    if client.capabilities.dialect != "sqlite":
        pieces = sql.split("?")
        sql = pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], 1))
    return await client.execute_query_dict(sql, list(params))


def secret_slug(slug):
    base = slug.split(SECRET_SEPARATOR)[0][:MAX_BASE_LENGTH].rstrip("-") or "group"
    suffix = "".join(secrets.choice(SECRET_SUFFIX_ALPHABET) for _ in range(SECRET_SUFFIX_LENGTH))
    return f"{base}{SECRET_SEPARATOR}{suffix}"


async def register_slugs(apps, schema_editor):
    client = schema_editor.client
    await rows(
        client,
        "INSERT INTO group_slugs (slug, group_id, created_at) SELECT slug, id, created_at FROM groups",
    )
    secret = await rows(
        client, "SELECT id, slug FROM groups WHERE privacy = 'SECRET' AND slug NOT LIKE '%--%'"
    )
    now = datetime.now(UTC)
    for group in secret:
        new = secret_slug(group["slug"])
        await rows(client, "UPDATE groups SET slug = ? WHERE id = ?", [new, group["id"]])
        await rows(
            client,
            "INSERT INTO group_slugs (slug, group_id, created_at) VALUES (?, ?, ?)",
            [new, group["id"], now],
        )


async def refuse_to_lose_data(apps, schema_editor):
    client = schema_editor.client
    [former] = await rows(
        client,
        "SELECT COUNT(*) AS n FROM group_slugs s JOIN groups g ON g.id = s.group_id "
        "WHERE s.slug <> g.slug",
    )
    [live] = await rows(
        client,
        "SELECT COUNT(*) AS n FROM idempotency_keys WHERE created_at > ?",
        [datetime.now(UTC) - KEY_LIFETIME],
    )
    lost = []
    if former["n"]:
        lost.append(
            f"{former['n']} former group slug(s), links members of SECRET groups still use "
            "(to accept losing them: DELETE FROM group_slugs WHERE slug NOT IN "
            "(SELECT slug FROM groups))"
        )
    if live["n"]:
        lost.append(
            f"{live['n']} idempotency key(s) younger than 24 hours, so retries of those calls "
            "would write again (wait for them to expire, or: DELETE FROM idempotency_keys)"
        )
    if lost:
        raise DowngradeRefused(
            "Downgrading 0003_group_slugs_idempotency_keys would lose " + "; and ".join(lost) + "."
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0002_accounts_membership_reactions")]

    initial = False

    operations = [
        ops.CreateModel(
            name="GroupSlug",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("slug", fields.CharField(unique=True, max_length=100)),
                (
                    "group",
                    fields.ForeignKeyField(
                        "models.Group",
                        source_field="group_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="slugs",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "group_slugs",
                "app": "models",
                "pk_attr": "id",
                "table_description": "Every slug a group has had: its current one (also `groups.slug`) and its former ones.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="IdempotencyKey",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("scope", fields.CharField(max_length=80)),
                ("mutation", fields.CharField(max_length=40)),
                ("key_hash", fields.CharField(max_length=64)),
                ("input_hash", fields.CharField(max_length=64)),
                ("result", fields.TextField(unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "idempotency_keys",
                "app": "models",
                "unique_together": (("scope", "mutation", "key_hash"),),
                "indexes": [Index(fields=["created_at"], name="idempotency_keys_by_age")],
                "pk_attr": "id",
                "table_description": "A creating mutation's `clientMutationId`, stored in the transaction of its write.",
            },
            bases=["Model"],
        ),
        # Last, so that a downgrade runs the check before anything is dropped.
        ops.RunPython(register_slugs, refuse_to_lose_data),
    ]
