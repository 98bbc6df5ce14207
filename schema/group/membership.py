"""Membership writes, each keeping the group's member count exact in the same transaction.

Call these inside a transaction that first locked the group row
(`locked_group`): every change to a group's members goes through that lock,
so checks such as "is there another owner?" cannot race each other. SQLite
runs one transaction at a time, so there the lock is the transaction itself.
"""

from __future__ import annotations

from datetime import datetime

from models import MembershipRole, MembershipStatus
from models.sql import Row, client, fetch, fetch_one, is_postgres
from schema.core.access import Access

RANKS = {
    MembershipRole.MEMBER: 0,
    MembershipRole.MODERATOR: 1,
    MembershipRole.ADMIN: 2,
    MembershipRole.OWNER: 3,
}


async def locked_group(access: Access, group_id: int) -> Row | None:
    """The group row, locked until the transaction ends; None when `access` cannot see it."""
    seen, params = access.sees_groups_sql("g")
    lock = " FOR UPDATE OF g" if is_postgres(client()) else ""
    return await fetch_one(
        f"SELECT g.* FROM groups g WHERE g.id = ? AND {seen}{lock}", [group_id, *params]
    )


async def standing(group_id: int, member_id: int) -> Row | None:
    return await fetch_one(
        "SELECT role, status FROM memberships WHERE group_id = ? AND member_id = ?",
        [group_id, member_id],
    )


async def add(
    group_id: int, member_id: int, role: MembershipRole, status: MembershipStatus, now: datetime
) -> bool:
    """Add a membership (or a request); False when the member already has one."""
    inserted = await fetch_one(
        "INSERT INTO memberships (group_id, member_id, role, status, joined_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id, group_id) DO NOTHING RETURNING id",
        [group_id, member_id, role.value, status.value, now],
    )
    if inserted is not None and status is MembershipStatus.ACTIVE:
        await count_members(group_id, 1)
    return inserted is not None


async def activate(group_id: int, member_id: int | None, now: datetime) -> int:
    """Turn pending requests (one member's, or all) into memberships; returns how many."""
    only = " AND member_id = ?" if member_id is not None else ""
    rows = await fetch(
        "UPDATE memberships SET status = ?, joined_at = ? "
        f"WHERE group_id = ? AND status = ?{only} RETURNING id",
        [
            MembershipStatus.ACTIVE.value,
            now,
            group_id,
            MembershipStatus.PENDING.value,
            *([member_id] if member_id is not None else []),
        ],
    )
    if rows:
        await count_members(group_id, len(rows))
    return len(rows)


async def remove(group_id: int, member_id: int | None, status: MembershipStatus) -> int:
    """Remove memberships of `status` (one member's, or all); returns how many."""
    only = " AND member_id = ?" if member_id is not None else ""
    rows = await fetch(
        f"DELETE FROM memberships WHERE group_id = ? AND status = ?{only} RETURNING id",
        [group_id, status.value, *([member_id] if member_id is not None else [])],
    )
    if rows and status is MembershipStatus.ACTIVE:
        await count_members(group_id, -len(rows))
    return len(rows)


async def set_role(group_id: int, member_id: int, role: MembershipRole) -> None:
    await fetch_one(
        "UPDATE memberships SET role = ? WHERE group_id = ? AND member_id = ? RETURNING id",
        [role.value, group_id, member_id],
    )


async def owner_count(group_id: int) -> int:
    row = await fetch_one(
        "SELECT COUNT(*) AS n FROM memberships WHERE group_id = ? AND role = ? AND status = ?",
        [group_id, MembershipRole.OWNER.value, MembershipStatus.ACTIVE.value],
    )
    return int(row["n"]) if row else 0


async def count_members(group_id: int, delta: int) -> None:
    await fetch_one(
        "UPDATE groups SET member_count = member_count + ? WHERE id = ? RETURNING id",
        [delta, group_id],
    )
