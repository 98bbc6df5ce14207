from __future__ import annotations

from strawberry.dataloader import DataLoader

from models import MembershipStatus
from models.sql import Row, fetch
from schema.core.access import AccessGetter
from schema.core.keyset import Listing
from schema.core.loaders import Clock, Loader, PageKey, count_loader, in_key_order, page_loader
from schema.group.types import Group

GROUPS = Listing(table="groups", alias="g", where="TRUE")


def group_by_id_loader(access: AccessGetter) -> DataLoader[int, Group | None]:
    async def load(ids: list[int]) -> list[Group | None]:
        seen, params = (await access()).sees_groups_sql("g")
        rows = await fetch(
            f"SELECT g.* FROM groups g WHERE g.id = ANY(?) AND {seen}", [ids, *params]
        )
        return in_key_order(ids, rows, Group.from_row)

    return Loader(load_fn=load)


def group_by_slug_loader(access: AccessGetter) -> DataLoader[str, Group | None]:
    """Groups by any slug they have or had (`group_slugs`), for viewers who may see them."""

    async def load(slugs: list[str]) -> list[Group | None]:
        seen, params = (await access()).sees_groups_sql("g")
        sql = (
            "SELECT s.slug AS looked_up, g.* FROM group_slugs s "
            f"JOIN groups g ON g.id = s.group_id WHERE s.slug = ANY(?) AND {seen}"
        )
        rows = await fetch(sql, [slugs, *params])
        found = {row["looked_up"]: Group.from_row(row) for row in rows}
        return [found.get(slug) for slug in slugs]

    return Loader(load_fn=load)


def _memberships(status: str) -> Listing:
    return Listing(
        table="memberships",
        alias="m",
        where=f"m.status = '{status}'",
        parent="m.group_id",
        parent_key="group_id",
        joins="JOIN members member ON member.id = m.member_id",
        extra_columns="member.name AS member_name",
    )


MEMBERS = _memberships(MembershipStatus.ACTIVE.value)
JOIN_REQUESTS = _memberships(MembershipStatus.PENDING.value)


def members_by_group_loader(clock: Clock) -> DataLoader[PageKey, list[Row]]:
    return page_loader(MEMBERS, clock)


def member_count_by_group_loader() -> DataLoader[int, int]:
    return count_loader(MEMBERS)


def join_requests_by_group_loader(clock: Clock) -> DataLoader[PageKey, list[Row]]:
    return page_loader(JOIN_REQUESTS, clock)


def join_request_count_by_group_loader() -> DataLoader[int, int]:
    return count_loader(JOIN_REQUESTS)


def privacy_by_group_loader() -> DataLoader[int, str | None]:
    """Each group's privacy whoever asks (None for no such group): for checking, with the
    visibility rule, what subscribers may still see."""

    async def load(ids: list[int]) -> list[str | None]:
        rows = await fetch("SELECT id, privacy FROM groups WHERE id = ANY(?)", [ids])
        privacy = {row["id"]: row["privacy"] for row in rows}
        return [privacy.get(group_id) for group_id in ids]

    return Loader(load_fn=load)
