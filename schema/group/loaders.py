from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import fetch
from schema.core.access import AccessGetter
from schema.core.keyset import Listing
from schema.core.loaders import in_key_order
from schema.group.types import Group

GROUPS = Listing(table="groups", alias="g", where="TRUE")


def group_by_id_loader(access: AccessGetter) -> DataLoader[int, Group | None]:
    async def load(ids: list[int]) -> list[Group | None]:
        seen, params = (await access()).sees_groups_sql("g")
        rows = await fetch(
            f"SELECT g.* FROM groups g WHERE g.id = ANY(?) AND {seen}", [ids, *params]
        )
        return in_key_order(ids, rows, Group.from_row)

    return DataLoader(load_fn=load)


def group_by_slug_loader(access: AccessGetter) -> DataLoader[str, Group | None]:
    async def load(slugs: list[str]) -> list[Group | None]:
        seen, params = (await access()).sees_groups_sql("g")
        sql = f"SELECT g.* FROM groups g WHERE g.slug = ANY(?) AND {seen}"
        found = {row["slug"]: Group.from_row(row) for row in await fetch(sql, [slugs, *params])}
        return [found.get(slug) for slug in slugs]

    return DataLoader(load_fn=load)
