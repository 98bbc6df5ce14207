from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import fetch
from schema.core.keyset import Listing
from schema.core.loaders import in_key_order
from schema.core.visibility import visible_group
from schema.group.types import Group

GROUPS = Listing(table="groups", alias="g", where=visible_group("g"))


async def load_groups(ids: list[int]) -> list[Group | None]:
    rows = await fetch(f"SELECT g.* FROM groups g WHERE g.id = ANY(?) AND {GROUPS.where}", [ids])
    return in_key_order(ids, rows, Group.from_row)


async def load_groups_by_slug(slugs: list[str]) -> list[Group | None]:
    rows = await fetch(
        f"SELECT g.* FROM groups g WHERE g.slug = ANY(?) AND {GROUPS.where}", [slugs]
    )
    found = {row["slug"]: Group.from_row(row) for row in rows}
    return [found.get(slug) for slug in slugs]


def group_by_id_loader() -> DataLoader[int, Group | None]:
    return DataLoader(load_fn=load_groups)


def group_by_slug_loader() -> DataLoader[str, Group | None]:
    return DataLoader(load_fn=load_groups_by_slug)
