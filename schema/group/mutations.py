from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from live.events import Change, Event
from models import GroupPrivacy as Privacy
from models import MembershipRole, MembershipStatus
from models.sql import Row, fetch_one
from schema.context import Context, Info
from schema.core.idempotency import (
    IdempotentInput,
    Result,
    created,
    idempotency_key,
    perform_once,
)
from schema.core.mutations import (
    MutationInput,
    Payload,
    Refusal,
    UserErrorCode,
    check_length,
    given,
    not_found,
    perform,
    pk_of,
    refuse,
    reloaded,
    signed_in,
)
from schema.group import membership
from schema.group.membership import RANKS, locked_group
from schema.group.slugs import insert_group, slug_after_privacy_change
from schema.group.types import (
    Group,
    GroupPrivacy,
    MemberRole,
    ViewerMembership,
    viewer_membership,
)
from schema.member.loaders import load_standings
from schema.member.types import Member

MAX_DESCRIPTION_LENGTH = 2000


@strawberry.input(description="A new group.")
class CreateGroupInput(IdempotentInput):
    name: str = strawberry.field(description="1 to 100 characters, kept as typed.")
    description: str = strawberry.field(default="", description="Up to 2,000 characters.")
    privacy: GroupPrivacy = strawberry.field(
        default=GroupPrivacy.PUBLIC, description="Who sees the group and its content."
    )
    slug: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "The URL handle: lower-case letters, digits and single hyphens, up to 100; "
            "CONFLICT when a group has or had it. Made from the name when left out (with "
            "-2, -3, ... when taken). A SECRET group's slug only starts with it: "
            "`<slug>--<20 random characters>`, so nobody can guess it."
        ),
    )


@strawberry.input(description="What to change about a group; what is left out stays.")
class UpdateGroupInput(MutationInput):
    group_id: strawberry.ID = strawberry.field(description="The group.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new description."
    )
    privacy: GroupPrivacy | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "A new privacy. PRIVATE to PUBLIC approves every pending request; PRIVATE to "
            "SECRET rejects them. Becoming SECRET gives the group a new, unguessable slug "
            "(the old one still finds it, for its members only); leaving SECRET gives back "
            "the last slug it had as a PUBLIC or PRIVATE group (or a new one made from its "
            "slug's readable start)."
        ),
    )


@strawberry.input(description="A group.")
class GroupInput(MutationInput):
    group_id: strawberry.ID = strawberry.field(description="The group.")


@strawberry.input(description="A group and one of its members (or someone asking to be).")
class GroupMemberInput(MutationInput):
    group_id: strawberry.ID = strawberry.field(description="The group.")
    member_id: strawberry.ID = strawberry.field(description="The member.")


@strawberry.input(description="A group, a member and the role to give them.")
class SetMemberRoleInput(MutationInput):
    group_id: strawberry.ID = strawberry.field(description="The group.")
    member_id: strawberry.ID = strawberry.field(description="The member.")
    role: MemberRole = strawberry.field(description="Their new role.")


@strawberry.type(description="The group a mutation changed, as it is now.")
class GroupPayload(Payload):
    group: Group | None = strawberry.field(
        default=None, description="The group after the change; null when you can no longer see it."
    )


@strawberry.type(description="The outcome of `joinGroup`.")
class JoinGroupPayload(GroupPayload):
    viewer_membership: ViewerMembership | None = strawberry.field(
        default=None,
        description="ACTIVE when you joined (PUBLIC), PENDING when you asked to (PRIVATE).",
    )


@strawberry.type(description="The group and the member a mutation concerned.")
class GroupMemberPayload(GroupPayload):
    member: Member | None = strawberry.field(default=None, description="The member concerned.")


GroupWork = Callable[[Context, int, Row], Awaitable[None]]


async def change_group(
    info: Info, client_mutation_id: Any, group_id: str, work: GroupWork
) -> GroupPayload:
    """Lock the group the viewer can see, run `work`, answer with the group as it is after."""
    context = info.context
    changed: list[int] = []

    async def transaction() -> dict[str, Any]:
        access = await context.access()
        viewer = signed_in(access)
        pk = pk_of("Group", group_id, "input", "groupId")
        group = await locked_group(access, pk)
        if group is None:
            raise not_found("Group", "input", "groupId")
        await work(context, viewer, group)
        changed.append(pk)
        # Privacy and memberships decide who sees what: every subscriber of the group is
        # checked again.
        context.emit(Event(Change.GROUP_CHANGED, pk))
        return {}

    payload = await perform(GroupPayload, client_mutation_id, transaction)
    payload.group = await reloaded_group(context, changed)
    return payload


async def reloaded_group(context: Context, changed: list[int]) -> Group | None:
    """After a change: the viewer's memberships read again, then the changed group as the
    viewer sees it now."""
    if context.viewer is not None:
        [standings] = await load_standings([context.viewer.member_id])
        context.loaders.standings_by_member.prime(context.viewer.member_id, standings, force=True)
    return await reloaded(context.loaders.group_by_id, changed)


async def member_by_id(member_id: str) -> Row:
    pk = pk_of("Member", member_id, "input", "memberId")
    row = await fetch_one("SELECT id, name FROM members WHERE id = ?", [pk])
    if row is None:
        raise not_found("Member", "input", "memberId")
    return row


async def rank_in(group_id: int, member_id: int) -> int:
    """The member's rank in the group, -1 when not an active member."""
    row = await membership.standing(group_id, member_id)
    if row is None or row["status"] != MembershipStatus.ACTIVE:
        return -1
    return RANKS[MembershipRole(row["role"])]


async def require_manager(group_id: int, viewer: int) -> int:
    rank = await rank_in(group_id, viewer)
    if rank < RANKS[MembershipRole.ADMIN]:
        raise refuse(UserErrorCode.FORBIDDEN, "Only the group's owners and admins may do this.")
    return rank


async def keep_an_owner(group_id: int) -> None:
    if await membership.owner_count(group_id) <= 1:
        raise refuse(
            UserErrorCode.CONFLICT,
            "A group needs an owner: make someone else owner first.",
        )


def check_group_fields(name: Any, description: Any) -> None:
    if given(name) is not None:
        check_length(name, ("input", "name"), 1, 100)
    if given(description) is not None:
        check_length(description, ("input", "description"), 0, MAX_DESCRIPTION_LENGTH)


@strawberry.type
class GroupMutation:
    @strawberry.mutation(description="Create a group. You become its owner and first member.")
    async def create_group(
        self,
        info: Info,
        input: Annotated[CreateGroupInput, strawberry.argument(description="The group.")],  # noqa: A002
    ) -> GroupPayload:
        context = info.context
        now = context.clock()

        async def work() -> Result:
            viewer = signed_in(await context.access())
            check_group_fields(input.name, input.description)
            group_id = await insert_group(
                input.name,
                input.description,
                Privacy(input.privacy.name),
                given(input.slug),
                now,
            )
            await membership.add(
                group_id, viewer, MembershipRole.OWNER, MembershipStatus.ACTIVE, now
            )
            return {"group": group_id}

        key = idempotency_key(context, "createGroup", input)
        payload, done = await perform_once(GroupPayload, input.client_mutation_id, key, now, work)
        payload.group = await reloaded_group(context, created(done, "group"))
        return payload

    @strawberry.mutation(
        description="Change a group's name, description or privacy (owners, admins)."
    )
    async def update_group(
        self,
        info: Info,
        input: Annotated[UpdateGroupInput, strawberry.argument(description="The changes.")],  # noqa: A002
    ) -> GroupPayload:
        async def work(context: Context, viewer: int, group: Row) -> None:
            await require_manager(group["id"], viewer)
            check_group_fields(input.name, input.description)
            privacy = given(input.privacy)
            after = group["privacy"] if privacy is None else privacy.name
            slug = await slug_after_privacy_change(group, after, context.clock())
            changes = {
                column: value
                for column, value in (
                    ("name", given(input.name)),
                    ("description", given(input.description)),
                    ("privacy", privacy.name if privacy is not None else None),
                    ("slug", slug),
                )
                if value is not None
            }
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                await fetch_one(
                    f"UPDATE groups SET {assignments} WHERE id = ? RETURNING id",
                    [*changes.values(), group["id"]],
                )
            before = group["privacy"]
            if before == Privacy.PRIVATE and after == Privacy.PUBLIC:
                await membership.activate(group["id"], None, context.clock())
            elif before == Privacy.PRIVATE and after == Privacy.SECRET:
                await membership.remove(group["id"], None, MembershipStatus.PENDING)

        return await change_group(info, input.client_mutation_id, input.group_id, work)

    @strawberry.mutation(
        description=(
            "Join a PUBLIC group, or ask to join a PRIVATE one (an owner or admin decides). "
            "SECRET groups are joined only by being added."
        )
    )
    async def join_group(
        self,
        info: Info,
        input: Annotated[GroupInput, strawberry.argument(description="The group.")],  # noqa: A002
    ) -> JoinGroupPayload:
        async def work(context: Context, viewer: int, group: Row) -> None:
            # A SECRET group is visible only to its members, who cannot join it again.
            status = (
                MembershipStatus.PENDING
                if group["privacy"] == Privacy.PRIVATE
                else MembershipStatus.ACTIVE
            )
            joined = await membership.add(
                group["id"], viewer, MembershipRole.MEMBER, status, context.clock()
            )
            if not joined:
                raise refuse(
                    UserErrorCode.CONFLICT, "You are already a member, or your request is pending."
                )

        payload = await change_group(info, input.client_mutation_id, input.group_id, work)
        group = payload.group
        return JoinGroupPayload(
            errors=payload.errors,
            client_mutation_id=payload.client_mutation_id,
            group=group,
            viewer_membership=None
            if group is None
            else viewer_membership(await info.context.access(), group.pk),
        )

    @strawberry.mutation(
        description="Leave a group, or withdraw a pending request. The last owner cannot leave."
    )
    async def leave_group(
        self,
        info: Info,
        input: Annotated[GroupInput, strawberry.argument(description="The group.")],  # noqa: A002
    ) -> GroupPayload:
        async def work(context: Context, viewer: int, group: Row) -> None:
            if await rank_in(group["id"], viewer) == RANKS[MembershipRole.OWNER]:
                await keep_an_owner(group["id"])
            left = await membership.remove(group["id"], viewer, MembershipStatus.ACTIVE)
            left += await membership.remove(group["id"], viewer, MembershipStatus.PENDING)
            if not left:
                raise refuse(UserErrorCode.CONFLICT, "You are not a member of this group.")

        return await change_group(info, input.client_mutation_id, input.group_id, work)

    @strawberry.mutation(description="Let someone who asked into a PRIVATE group (owners, admins).")
    async def approve_join_request(
        self,
        info: Info,
        input: Annotated[GroupMemberInput, strawberry.argument(description="Who and where.")],  # noqa: A002
    ) -> GroupMemberPayload:
        async def work(context: Context, viewer: int, group: Row, member: Row) -> None:
            await require_manager(group["id"], viewer)
            if not await membership.activate(group["id"], member["id"], context.clock()):
                raise no_request()

        return await change_member(info, input, work)

    @strawberry.mutation(description="Turn down a request to join (owners, admins).")
    async def reject_join_request(
        self,
        info: Info,
        input: Annotated[GroupMemberInput, strawberry.argument(description="Who and where.")],  # noqa: A002
    ) -> GroupMemberPayload:
        async def work(context: Context, viewer: int, group: Row, member: Row) -> None:
            await require_manager(group["id"], viewer)
            if not await membership.remove(group["id"], member["id"], MembershipStatus.PENDING):
                raise no_request()

        return await change_member(info, input, work)

    @strawberry.mutation(
        description=(
            "Make someone a member (owners, admins): the only way into a SECRET group. "
            "A pending request is approved."
        )
    )
    async def add_group_member(
        self,
        info: Info,
        input: Annotated[GroupMemberInput, strawberry.argument(description="Who and where.")],  # noqa: A002
    ) -> GroupMemberPayload:
        async def work(context: Context, viewer: int, group: Row, member: Row) -> None:
            await require_manager(group["id"], viewer)
            now = context.clock()
            if await membership.activate(group["id"], member["id"], now):
                return
            added = await membership.add(
                group["id"], member["id"], MembershipRole.MEMBER, MembershipStatus.ACTIVE, now
            )
            if not added:
                raise refuse(UserErrorCode.CONFLICT, "They are already a member.")

        return await change_member(info, input, work)

    @strawberry.mutation(
        description=(
            "Remove a member (owners, admins; admins only below themselves). To leave, use "
            "leaveGroup."
        )
    )
    async def remove_group_member(
        self,
        info: Info,
        input: Annotated[GroupMemberInput, strawberry.argument(description="Who and where.")],  # noqa: A002
    ) -> GroupMemberPayload:
        async def work(context: Context, viewer: int, group: Row, member: Row) -> None:
            rank = await require_manager(group["id"], viewer)
            their_rank = await rank_in(group["id"], member["id"])
            if their_rank < 0:
                raise refuse(UserErrorCode.NOT_FOUND, "They are not a member.", "input", "memberId")
            if rank < RANKS[MembershipRole.OWNER]:
                outranked(rank, their_rank)
            if their_rank == RANKS[MembershipRole.OWNER]:
                await keep_an_owner(group["id"])
            await membership.remove(group["id"], member["id"], MembershipStatus.ACTIVE)

        return await change_member(info, input, work)

    @strawberry.mutation(
        description=(
            "Give a member a role. Owners give any role; admins make moderators and members of "
            "those below them. A group keeps at least one owner."
        )
    )
    async def set_member_role(
        self,
        info: Info,
        input: Annotated[SetMemberRoleInput, strawberry.argument(description="Who, where, what.")],  # noqa: A002
    ) -> GroupMemberPayload:
        role = MembershipRole(input.role.name)

        async def work(context: Context, viewer: int, group: Row, member: Row) -> None:
            rank = await require_manager(group["id"], viewer)
            their_rank = await rank_in(group["id"], member["id"])
            if their_rank < 0:
                raise refuse(UserErrorCode.NOT_FOUND, "They are not a member.", "input", "memberId")
            if rank < RANKS[MembershipRole.OWNER]:
                outranked(rank, their_rank)
                outranked(rank, RANKS[role])
            if their_rank == RANKS[MembershipRole.OWNER] and role is not MembershipRole.OWNER:
                await keep_an_owner(group["id"])
            await membership.set_role(group["id"], member["id"], role)

        return await change_member(info, input, work)


MemberWork = Callable[[Context, int, Row, Row], Awaitable[None]]


async def change_member(
    info: Info, fields: GroupMemberInput | SetMemberRoleInput, work: MemberWork
) -> GroupMemberPayload:
    """Like `change_group`, for a mutation about one member of the group."""
    found: dict[str, Row] = {}

    async def group_work(context: Context, viewer: int, group: Row) -> None:
        found["member"] = await member_by_id(fields.member_id)
        await work(context, viewer, group, found["member"])

    payload = await change_group(info, fields.client_mutation_id, fields.group_id, group_work)
    member = found.get("member")
    return GroupMemberPayload(
        errors=payload.errors,
        client_mutation_id=payload.client_mutation_id,
        group=payload.group,
        member=Member.from_row(member) if member is not None and not payload.errors else None,
    )


def outranked(rank: int, their_rank: int) -> None:
    if their_rank >= rank:
        raise refuse(
            UserErrorCode.FORBIDDEN,
            "Admins act only on moderators and members.",
            "input",
            "memberId",
        )


def no_request() -> Refusal:
    return refuse(UserErrorCode.NOT_FOUND, "They have no pending request.", "input", "memberId")
