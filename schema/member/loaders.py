from __future__ import annotations

from collections import defaultdict

from strawberry.dataloader import DataLoader

from models import MembershipRole, MembershipStatus
from models.sql import fetch
from schema.core.access import Standing
from schema.core.loaders import Loader, in_key_order
from schema.member.types import Member


async def load_members(ids: list[int]) -> list[Member | None]:
    rows = await fetch("SELECT id, name FROM members WHERE id = ANY(?)", [ids])
    return in_key_order(ids, rows, Member.from_row)


def member_by_id_loader() -> DataLoader[int, Member | None]:
    return Loader(load_fn=load_members)


async def load_standings(member_ids: list[int]) -> list[dict[int, Standing]]:
    rows = await fetch(
        "SELECT member_id, group_id, role, status FROM memberships WHERE member_id = ANY(?)",
        [member_ids],
    )
    standings: dict[int, dict[int, Standing]] = defaultdict(dict)
    for row in rows:
        standings[row["member_id"]][row["group_id"]] = Standing(
            role=MembershipRole(row["role"]), status=MembershipStatus(row["status"])
        )
    return [standings[member_id] for member_id in member_ids]


def standings_by_member_loader() -> DataLoader[int, dict[int, Standing]]:
    """Each member's memberships and join requests, by group id."""
    return Loader(load_fn=load_standings)
