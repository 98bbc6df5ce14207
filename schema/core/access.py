"""Who may see and do what: the one rule, in Python and in SQL, used by every entry point.

Visibility follows Wix Groups:

| group    | who knows it exists | who reads its content (articles, comments, members) |
|----------|---------------------|------------------------------------------------------|
| PUBLIC   | everyone            | everyone                                             |
| PRIVATE  | everyone            | its active members                                   |
| SECRET   | its active members  | its active members                                   |

What a viewer may not see answers exactly as if it did not exist. Groups are
checked where they are looked up (by slug, by id, in a list); articles and
comments where they are looked up by id, through their group; everything
else is only reachable through an object that passed one of those checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from models import GroupPrivacy, MembershipRole, MembershipStatus

MANAGERS = frozenset({MembershipRole.OWNER, MembershipRole.ADMIN})
MODERATORS = frozenset({MembershipRole.OWNER, MembershipRole.ADMIN, MembershipRole.MODERATOR})


@dataclass(frozen=True, slots=True)
class Standing:
    """The viewer's membership of one group."""

    role: MembershipRole
    status: MembershipStatus


@dataclass(frozen=True, slots=True)
class Access:
    """What the viewer of one request may see and do."""

    member_id: int | None
    standings: Mapping[int, Standing]

    @property
    def signed_in(self) -> bool:
        return self.member_id is not None

    def role(self, group_id: int) -> MembershipRole | None:
        """The viewer's role in the group when an active member; None otherwise."""
        standing = self.standings.get(group_id)
        if standing is None or standing.status is not MembershipStatus.ACTIVE:
            return None
        return standing.role

    def is_member(self, group_id: int) -> bool:
        return self.role(group_id) is not None

    def member_group_ids(self) -> list[int]:
        return [
            group_id
            for group_id, standing in self.standings.items()
            if standing.status is MembershipStatus.ACTIVE
        ]

    # The rule, in Python ...

    def sees_group(self, privacy: str, group_id: int) -> bool:
        return privacy != GroupPrivacy.SECRET or self.is_member(group_id)

    def reads_group(self, privacy: str, group_id: int) -> bool:
        return privacy == GroupPrivacy.PUBLIC or self.is_member(group_id)

    # ... and the same rule in SQL, on the `groups` row aliased `alias`.

    def sees_groups_sql(self, alias: str) -> tuple[str, list[object]]:
        return (
            f"({alias}.privacy <> '{GroupPrivacy.SECRET.value}' OR {alias}.id = ANY(?))",
            [self.member_group_ids()],
        )

    def reads_groups_sql(self, alias: str) -> tuple[str, list[object]]:
        return (
            f"({alias}.privacy = '{GroupPrivacy.PUBLIC.value}' OR {alias}.id = ANY(?))",
            [self.member_group_ids()],
        )

    # What the viewer may do.

    def can_manage(self, group_id: int) -> bool:
        """Change the group, and approve, add, remove members: owners and admins."""
        return self.role(group_id) in MANAGERS

    def can_moderate(self, group_id: int) -> bool:
        """Edit or delete anyone's article or comment, pin articles: moderators and up."""
        return self.role(group_id) in MODERATORS

    def can_join(self, privacy: str, group_id: int) -> bool:
        """Join (PUBLIC) or ask to (PRIVATE): signed in, not a member, no request pending."""
        return self.signed_in and privacy != GroupPrivacy.SECRET and group_id not in self.standings

    def can_change(self, group_id: int, author_id: int | None) -> bool:
        """Edit or delete an article: its author, or a moderator of its group."""
        return (author_id is not None and author_id == self.member_id) or self.can_moderate(
            group_id
        )


ANONYMOUS = Access(member_id=None, standings={})


AccessGetter = Callable[[], Awaitable[Access]]
