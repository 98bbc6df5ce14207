from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.sql import fetch
from schema.core.loaders import in_key_order
from schema.member.types import Member


async def load_members(ids: list[int]) -> list[Member | None]:
    rows = await fetch("SELECT id, name FROM members WHERE id = ANY(?)", [ids])
    return in_key_order(ids, rows, Member.from_row)


def member_by_id_loader() -> DataLoader[int, Member | None]:
    return DataLoader(load_fn=load_members)
