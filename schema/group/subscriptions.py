"""`groupActivity`: what happens to a group's articles, served by `live.hub`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from enum import Enum
from typing import Annotated, Any

import strawberry

from live.events import Change, Event
from live.feed import Watch
from live.fields import served_by_hub
from schema.article.types import Article
from schema.context import Context, Info
from schema.core import ids
from schema.core.errors import NotFoundError


@strawberry.enum(description="What happened to an article of a group.")
class GroupActivityKind(Enum):
    ARTICLE_ADDED = strawberry.enum_value("ARTICLE_ADDED", description="An article was posted.")
    ARTICLE_CHANGED = strawberry.enum_value(
        "ARTICLE_CHANGED",
        description=(
            "An article's title, subtitle, body or cover image was edited. (Views, reactions "
            "and comments move often: follow them with `articleChanged`.)"
        ),
    )
    ARTICLE_PINNED = strawberry.enum_value(
        "ARTICLE_PINNED", description="A moderator pinned an article (or pinned it again)."
    )
    ARTICLE_UNPINNED = strawberry.enum_value(
        "ARTICLE_UNPINNED", description="A moderator unpinned an article."
    )
    ARTICLE_DELETED = strawberry.enum_value(
        "ARTICLE_DELETED", description="An article was deleted; `article` is null."
    )


ACTIVITY = {
    Change.ADDED: GroupActivityKind.ARTICLE_ADDED,
    Change.EDITED: GroupActivityKind.ARTICLE_CHANGED,
    Change.PINNED: GroupActivityKind.ARTICLE_PINNED,
    Change.UNPINNED: GroupActivityKind.ARTICLE_UNPINNED,
    Change.DELETED: GroupActivityKind.ARTICLE_DELETED,
}


@strawberry.type(description="Something that happened to one of a group's articles.")
class GroupActivityEvent:
    kind: GroupActivityKind = strawberry.field(description="What happened.")
    article_id: strawberry.ID = strawberry.field(
        description="The article it happened to (its ID stays valid for comparing once deleted)."
    )
    article: Article | None = strawberry.field(
        description="The article as it is now; null once deleted."
    )


class GroupActivityFeed:
    async def watch(self, context: Context, arguments: Mapping[str, Any]) -> Watch:
        global_id = arguments["groupId"]
        key = ids.decode_as("Group", global_id)
        group = None if key is None else await context.loaders.group_by_id.load(key)
        if group is None or not (await context.access()).reads_group(group.privacy.name, group.pk):
            raise NotFoundError("Group", global_id, argument="groupId")
        return Watch(groups=frozenset({group.pk}))

    def accepts(self, watch: Watch, event: Event) -> bool:
        return event.change in ACTIVITY and event.group_id in watch.groups

    def ends(self, watch: Watch, event: Event) -> bool:
        return False  # groups are not deleted; losing sight of one is checked by the hub

    async def exists(self, context: Context, watch: Watch) -> bool:
        return True

    async def root(self, context: Context, event: Event) -> object | None:
        if event.article_id is None:
            return None
        kind = ACTIVITY[event.change]
        article = None
        if kind is not GroupActivityKind.ARTICLE_DELETED:
            article = await context.loaders.article_by_id.load(event.article_id)
        return GroupActivityEvent(
            kind=kind,
            article_id=strawberry.ID(ids.encode("Article", event.article_id)),
            article=article,
        )

    async def missed(self, context: Context, watch: Watch, after: int) -> list[Event]:
        return []  # activity is not kept: what happened while away is not replayed

    def position(self, event: Event) -> int | None:
        return None

    def gone(self, watch: Watch) -> NotFoundError:
        [group] = watch.groups
        return NotFoundError("Group", ids.encode("Group", group), argument="groupId")


@strawberry.type
class GroupSubscription:
    @strawberry.subscription(
        description=(
            "Articles added, edited, pinned, unpinned or deleted in a group, from the moment "
            "you subscribe, each delivered once and in order. A group that is unknown or whose "
            "content you cannot read (SECRET or PRIVATE and you are not a member) refuses the "
            "subscription (NOT_FOUND). When you lose sight of the group's content (removed from "
            "a PRIVATE group, the group made SECRET), one last event carries `data: null` and a "
            "NOT_FOUND error, and the subscription completes."
        )
    )
    def group_activity(
        self,
        info: Info,
        group_id: Annotated[
            strawberry.ID, strawberry.argument(description="The group whose activity to watch.")
        ],
    ) -> AsyncGenerator[GroupActivityEvent, None]:
        return served_by_hub(info)
