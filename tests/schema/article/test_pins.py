"""pinArticle, unpinArticle and Group.pinnedArticles."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import Article, Group, GroupPrivacy, Member, MembershipRole, MembershipStatus
from schema.core import ids
from tests import factories
from tests.conftest import Clock
from tests.helpers import data_of

PIN_ARTICLE = """
mutation PinArticle($input: ArticleInput!) {
  pinArticle(input: $input) {
    article { id pinnedAt viewerCanPin }
    errors { field code message }
    clientMutationId
  }
}
"""
UNPIN_ARTICLE = """
mutation UnpinArticle($input: ArticleInput!) {
  unpinArticle(input: $input) {
    article { id pinnedAt }
    errors { field code message }
    clientMutationId
  }
}
"""
DELETE_ARTICLE = """
mutation DeleteArticle($input: ArticleInput!) {
  deleteArticle(input: $input) { errors { code } }
}
"""
PINNED_ARTICLES = """
query PinnedArticles($slug: String!) {
  group(slug: $slug) { pinnedArticles { id title pinnedAt } }
}
"""

UNAUTHENTICATED = {
    "field": None,
    "code": "UNAUTHENTICATED",
    "message": "Sign in first: send the token from signIn as `Authorization: Bearer <token>`.",
}
ARTICLE_NOT_FOUND = {
    "field": ["input", "articleId"],
    "code": "NOT_FOUND",
    "message": "No article you can see has this ID.",
}
MAY_NOT_PIN = {
    "field": None,
    "code": "FORBIDDEN",
    "message": "Only the group's moderators may pin articles.",
}
TOO_MANY = {
    "field": None,
    "code": "CONFLICT",
    "message": "A group pins at most 10 articles: unpin one first.",
}
MODERATING_ROLES = [MembershipRole.MODERATOR, MembershipRole.ADMIN, MembershipRole.OWNER]


@dataclasses.dataclass
class Scene:
    """A PUBLIC group with a moderator, and three articles by Dana, a member."""

    group: Group
    author: Member
    moderator: Member
    articles: list[Article]


@pytest.fixture
async def scene(db: TortoiseContext) -> Scene:
    group = await factories.group()
    author = await factories.member("Dana Whitfield")
    moderator = await factories.member("Morgan Reyes")
    await factories.join(group, author)
    await factories.join(group, moderator, role=MembershipRole.MODERATOR)
    articles = [
        await factories.article(group, author, title, minutes=n)
        for n, title in enumerate(["Hand Tremors", "Cooling Vests", "Heat and Fatigue"])
    ]
    return Scene(group=group, author=author, moderator=moderator, articles=articles)


async def signed_in(member: Member) -> dict[str, str]:
    return factories.bearer(await factories.token(member))


async def send(
    client: httpx.AsyncClient,
    headers: dict[str, str] | None,
    operation: tuple[str, str],
    article: Article,
    **fields: Any,
) -> dict[str, Any]:
    mutation, name = operation
    variables = {"input": {"articleId": factories.global_id(article), **fields}}
    data = await data_of(client, mutation, variables, headers=headers)
    payload: dict[str, Any] = data[name]
    return payload


async def pin(
    client: httpx.AsyncClient, headers: dict[str, str] | None, article: Article, **fields: Any
) -> dict[str, Any]:
    return await send(client, headers, (PIN_ARTICLE, "pinArticle"), article, **fields)


async def unpin(
    client: httpx.AsyncClient, headers: dict[str, str] | None, article: Article, **fields: Any
) -> dict[str, Any]:
    return await send(client, headers, (UNPIN_ARTICLE, "unpinArticle"), article, **fields)


async def pinned_titles(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> Any:
    data = await data_of(client, PINNED_ARTICLES, {"slug": "muscle-weakness-ms"}, headers=headers)
    if data["group"] is None:
        return None
    return [article["title"] for article in data["group"]["pinnedArticles"]]


async def stored_pins() -> list[tuple[int, Any]]:
    """(id, pinned_at) of every article, as the database has them."""
    rows: list[tuple[int, Any]] = await Article.all().order_by("id").values_list("id", "pinned_at")
    return rows


async def pin_directly(article: Article, order: int) -> None:
    """Pin without the API, long before the tests' clock starts: the higher `order`, the later."""
    await Article.filter(id=article.id).update(pinned_at=factories.EPOCH + timedelta(minutes=order))


async def test_a_moderator_pins_an_article(scene: Scene, client: httpx.AsyncClient) -> None:
    article = scene.articles[0]

    payload = await pin(client, await signed_in(scene.moderator), article, clientMutationId="p1")

    assert payload == {
        "article": {
            "id": factories.global_id(article),
            "pinnedAt": "2024-03-01T12:00:00+00:00",
            "viewerCanPin": True,
        },
        "errors": [],
        "clientMutationId": "p1",
    }
    data = await data_of(client, PINNED_ARTICLES, {"slug": "muscle-weakness-ms"})
    assert data["group"]["pinnedArticles"] == [
        {
            "id": factories.global_id(article),
            "title": "Hand Tremors",
            "pinnedAt": "2024-03-01T12:00:00+00:00",
        }
    ]
    assert (await Article.get(id=article.id)).pinned_at == factories.NOW


async def test_a_group_without_pins_has_none(scene: Scene, client: httpx.AsyncClient) -> None:
    assert await pinned_titles(client) == []


@pytest.mark.parametrize("role", MODERATING_ROLES)
async def test_moderators_admins_and_owners_pin_and_unpin(
    scene: Scene, client: httpx.AsyncClient, role: MembershipRole
) -> None:
    someone = await factories.member("Alex Kim")
    await factories.join(scene.group, someone, role=role)
    headers = await signed_in(someone)

    pinned = await pin(client, headers, scene.articles[1])
    assert (pinned["errors"], await pinned_titles(client)) == ([], ["Cooling Vests"])
    unpinned = await unpin(client, headers, scene.articles[1])

    assert unpinned == {
        "article": {"id": factories.global_id(scene.articles[1]), "pinnedAt": None},
        "errors": [],
        "clientMutationId": None,
    }
    assert await pinned_titles(client) == []
    assert (await Article.get(id=scene.articles[1].id)).pinned_at is None


async def test_the_most_recently_pinned_comes_first(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    headers = await signed_in(scene.moderator)

    for article in (scene.articles[1], scene.articles[0], scene.articles[2]):
        await pin(client, headers, article)
        clock.advance(minutes=1)

    assert await pinned_titles(client) == ["Heat and Fatigue", "Hand Tremors", "Cooling Vests"]


async def test_pinning_again_moves_an_article_to_the_front(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    headers = await signed_in(scene.moderator)
    for article in scene.articles:
        await pin(client, headers, article)
        clock.advance(minutes=1)

    again = await pin(client, headers, scene.articles[0])

    assert again["article"]["pinnedAt"] == "2024-03-01T12:03:00+00:00"
    assert await pinned_titles(client) == ["Hand Tremors", "Heat and Fatigue", "Cooling Vests"]


async def test_unpinning_keeps_the_others_in_order(scene: Scene, client: httpx.AsyncClient) -> None:
    for order, article in enumerate(scene.articles):
        await pin_directly(article, order)

    await unpin(client, await signed_in(scene.moderator), scene.articles[1])

    assert await pinned_titles(client) == ["Heat and Fatigue", "Hand Tremors"]


async def test_unpinning_an_article_that_is_not_pinned_changes_nothing(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    before = await stored_pins()

    payload = await unpin(client, await signed_in(scene.moderator), scene.articles[0])

    assert (payload["errors"], payload["article"]["pinnedAt"]) == ([], None)
    assert await stored_pins() == before


async def many_articles(scene: Scene, count: int) -> list[Article]:
    return [
        await factories.article(scene.group, scene.author, f"Note {n}", minutes=10 + n)
        for n in range(count)
    ]


async def test_the_eleventh_pin_is_a_conflict(scene: Scene, client: httpx.AsyncClient) -> None:
    ten = await many_articles(scene, 10)
    for order, article in enumerate(ten):
        await pin_directly(article, order)
    before = await stored_pins()
    headers = await signed_in(scene.moderator)

    payload = await pin(client, headers, scene.articles[0], clientMutationId="p11")

    assert payload == {"article": None, "errors": [TOO_MANY], "clientMutationId": "p11"}
    assert await stored_pins() == before
    assert len(await pinned_titles(client)) == 10


async def test_a_pinned_article_can_be_pinned_again_when_ten_are_pinned(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    ten = await many_articles(scene, 10)
    for order, article in enumerate(ten):
        await pin_directly(article, order)

    payload = await pin(client, await signed_in(scene.moderator), ten[0])

    assert payload["errors"] == []
    assert (await pinned_titles(client))[:3] == ["Note 0", "Note 9", "Note 8"]


async def test_unpinning_one_of_ten_makes_room(scene: Scene, client: httpx.AsyncClient) -> None:
    ten = await many_articles(scene, 10)
    for order, article in enumerate(ten):
        await pin_directly(article, order)
    headers = await signed_in(scene.moderator)

    await unpin(client, headers, ten[3])
    payload = await pin(client, headers, scene.articles[0])

    assert payload["errors"] == []
    titles = await pinned_titles(client)
    assert (len(titles), titles[0], "Note 3" in titles) == (10, "Hand Tremors", False)


async def test_a_deleted_article_leaves_the_pins_and_makes_room(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    ten = await many_articles(scene, 10)
    for order, article in enumerate(ten):
        await pin_directly(article, order)
    headers = await signed_in(scene.moderator)

    deleted = await data_of(
        client,
        DELETE_ARTICLE,
        {"input": {"articleId": factories.global_id(ten[0])}},
        headers=headers,
    )
    payload = await pin(client, headers, scene.articles[0])

    assert deleted["deleteArticle"]["errors"] == []
    assert payload["errors"] == []
    titles = await pinned_titles(client)
    assert (len(titles), titles[0], "Note 0" in titles) == (10, "Hand Tremors", False)


async def test_pins_of_other_groups_do_not_count(scene: Scene, client: httpx.AsyncClient) -> None:
    other = await factories.group("caregivers")
    for n in range(10):
        await pin_directly(await factories.article(other, scene.author, f"Other {n}"), n)

    payload = await pin(client, await signed_in(scene.moderator), scene.articles[0])

    assert payload["errors"] == []
    assert await pinned_titles(client) == ["Hand Tremors"]


async def test_concurrent_pins_never_pass_ten(scene: Scene, client: httpx.AsyncClient) -> None:
    nine = await many_articles(scene, 9)
    for order, article in enumerate(nine):
        await pin_directly(article, order)
    contenders = [
        *scene.articles,
        *[await factories.article(scene.group, scene.author, f"Late {n}") for n in range(3)],
    ]
    headers = await signed_in(scene.moderator)
    # Open the pool's connections first: on a cold pool each pin waits for a connection
    # of its own while the one before it runs to the end, and they never overlap.
    await asyncio.gather(*(pinned_titles(client, headers) for _ in range(len(contenders))))

    payloads = await asyncio.gather(*(pin(client, headers, article) for article in contenders))

    assert sorted(payload["errors"] != [] for payload in payloads) == [False] + [True] * 5
    assert all(payload["errors"] in ([], [TOO_MANY]) for payload in payloads)
    assert await Article.filter(pinned_at__not_isnull=True).count() == 10


@pytest.mark.parametrize("who", ["author", "member", "outsider"])
async def test_members_and_outsiders_may_not_pin_or_unpin(
    scene: Scene, client: httpx.AsyncClient, who: str
) -> None:
    await pin_directly(scene.articles[1], 0)
    if who == "author":
        someone = scene.author
    else:
        someone = await factories.member("Alex Kim")
        if who == "member":
            await factories.join(scene.group, someone)
    headers = await signed_in(someone)
    before = await stored_pins()

    pinned = await pin(client, headers, scene.articles[0])
    unpinned = await unpin(client, headers, scene.articles[1])

    assert pinned == {"article": None, "errors": [MAY_NOT_PIN], "clientMutationId": None}
    assert unpinned == {"article": None, "errors": [MAY_NOT_PIN], "clientMutationId": None}
    assert await stored_pins() == before


async def test_a_moderator_of_another_group_may_not_pin(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    other = await factories.group("caregivers")
    owner = await factories.member("Alex Kim")
    await factories.join(other, owner, role=MembershipRole.OWNER)

    payload = await pin(client, await signed_in(owner), scene.articles[0])

    assert payload["errors"] == [MAY_NOT_PIN]
    assert await Article.filter(pinned_at__not_isnull=True).count() == 0


async def test_pinning_signed_out_is_unauthenticated(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    await pin_directly(scene.articles[1], 0)
    before = await stored_pins()

    pinned = await pin(client, None, scene.articles[0])
    unpinned = await unpin(client, None, scene.articles[1])

    assert (pinned["errors"], unpinned["errors"]) == ([UNAUTHENTICATED], [UNAUTHENTICATED])
    assert await stored_pins() == before


@pytest.mark.parametrize(
    ("privacy", "status"),
    [
        (GroupPrivacy.PRIVATE, None),
        (GroupPrivacy.PRIVATE, MembershipStatus.PENDING),
        (GroupPrivacy.SECRET, None),
    ],
)
async def test_an_article_of_a_hidden_group_is_not_found(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    privacy: GroupPrivacy,
    status: MembershipStatus | None,
) -> None:
    group = await factories.group("research", privacy)
    article = await factories.article(group, await factories.member("Dana Whitfield"))
    someone = await factories.member()
    if status is not None:
        await factories.join(group, someone, status=status)
    headers = await signed_in(someone)

    pinned = await pin(client, headers, article)
    unpinned = await unpin(client, headers, article)

    assert (pinned["article"], pinned["errors"]) == (None, [ARTICLE_NOT_FOUND])
    assert (unpinned["article"], unpinned["errors"]) == (None, [ARTICLE_NOT_FOUND])
    assert await stored_pins() == [(article.id, None)]


@pytest.mark.parametrize(
    "article_id", ["not-an-id", ids.encode("Article", 999_999), ids.encode("Group", 1)]
)
async def test_pinning_an_unknown_article_is_not_found(
    scene: Scene, client: httpx.AsyncClient, article_id: str
) -> None:
    data = await data_of(
        client,
        PIN_ARTICLE,
        {"input": {"articleId": article_id}},
        headers=await signed_in(scene.moderator),
    )

    assert data["pinArticle"]["errors"] == [ARTICLE_NOT_FOUND]


async def test_a_deleted_article_cannot_be_pinned(scene: Scene, client: httpx.AsyncClient) -> None:
    await Article.filter(id=scene.articles[0].id).update(deleted_at=factories.NOW)

    payload = await pin(client, await signed_in(scene.moderator), scene.articles[0])

    assert payload["errors"] == [ARTICLE_NOT_FOUND]
    assert (await Article.get(id=scene.articles[0].id)).pinned_at is None


@pytest.mark.parametrize(
    ("privacy", "viewer", "titles"),
    [
        (GroupPrivacy.PRIVATE, "member", ["Managing Hand Tremors in MS"]),
        (GroupPrivacy.PRIVATE, "outsider", []),
        (GroupPrivacy.PRIVATE, "anonymous", []),
        (GroupPrivacy.SECRET, "member", ["Managing Hand Tremors in MS"]),
        (GroupPrivacy.SECRET, "outsider", None),
    ],
)
async def test_pinned_articles_of_a_hidden_group_show_only_to_members(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    privacy: GroupPrivacy,
    viewer: str,
    titles: list[str] | None,
) -> None:
    group = await factories.group(privacy=privacy)
    author = await factories.member("Dana Whitfield")
    await factories.join(group, author)
    await pin_directly(await factories.article(group, author), 0)
    headers = None
    if viewer == "member":
        headers = await signed_in(author)
    elif viewer == "outsider":
        headers = await signed_in(await factories.member())

    assert await pinned_titles(client, headers) == titles
