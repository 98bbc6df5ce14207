"""One round of events: fresh loaders, and what each subscriber may see now.

Every flush of the hub builds one `Batch`: the memberships of every signed-in
subscriber involved and the privacy of every group watched are read once for
the whole batch (two statements, however many subscribers), and each
subscriber's access is checked with the one visibility rule. Subscribers with
the same viewer share one fresh context (its loaders live for this batch only),
so the executions of a batch batch their SQL too.
"""

from __future__ import annotations

from collections.abc import Iterable

from live.subscriber import Subscriber
from schema.context import Context
from schema.core.access import ANONYMOUS, Access, Standing
from schema.group.loaders import privacy_by_group_loader
from schema.member.loaders import standings_by_member_loader


class Batch:
    def __init__(self) -> None:
        self.standings: dict[int, dict[int, Standing]] = {}
        self.privacy: dict[int, str | None] = {}
        self.contexts: dict[int | None, Context] = {}
        self.accesses: dict[int, Access] = {}
        self.answers: dict[tuple[int | None, int], bool] = {}  # (member, group): reads it

    async def load(self, subscribers: Iterable[Subscriber], groups: Iterable[int]) -> None:
        members = sorted({s.member_id for s in subscribers if s.member_id is not None})
        group_ids = sorted(set(groups))
        if members:
            found = await standings_by_member_loader().load_many(members)
            self.standings = dict(zip(members, found, strict=True))
        if group_ids:
            privacy = await privacy_by_group_loader().load_many(group_ids)
            self.privacy = dict(zip(group_ids, privacy, strict=True))

    def access(self, subscriber: Subscriber) -> Access:
        member = subscriber.member_id
        if member is None:
            return ANONYMOUS
        access = self.accesses.get(member)
        if access is None:
            access = self.accesses[member] = Access(member, self.standings.get(member, {}))
        return access

    def reads(self, subscriber: Subscriber, group_id: int) -> bool:
        """Whether the subscriber may read the group's content now."""
        key = (subscriber.member_id, group_id)
        answer = self.answers.get(key)
        if answer is None:
            privacy = self.privacy.get(group_id)
            answer = privacy is not None and self.access(subscriber).reads_group(privacy, group_id)
            self.answers[key] = answer
        return answer

    def context(self, subscriber: Subscriber) -> Context:
        """A fresh context for the subscriber's viewer, its memberships those of this batch."""
        member = subscriber.member_id
        context = self.contexts.get(member)
        if context is None:
            context = self.contexts[member] = subscriber.context.renewed()
            if member is not None:
                standings = self.standings.get(member, {})
                context.loaders.standings_by_member.prime(member, standings, force=True)
        return context
