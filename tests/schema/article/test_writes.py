"""createArticle, updateArticle, deleteArticle, the viewer's permissions, and signed-in views."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from models import (
    Article,
    ArticleView,
    Group,
    GroupPrivacy,
    Member,
    MembershipRole,
    MembershipStatus,
)
from schema.article.mutations import articles
from schema.core import ids
from schema.core.mutations import Refusal, UserErrorCode
from server import create_app
from settings import Settings
from tests import factories
from tests.conftest import Clock
from tests.helpers import client_for, data_of

ARTICLE_FIELDS = """
  id slug title subtitle body coverImage { url caption } views publishedAt updatedAt
  author { name } group { slug }
"""
CREATE_ARTICLE = f"""
mutation CreateArticle($input: CreateArticleInput!) {{
  createArticle(input: $input) {{
    article {{ {ARTICLE_FIELDS} }}
    errors {{ field code message }}
    clientMutationId
  }}
}}
"""
UPDATE_ARTICLE = f"""
mutation UpdateArticle($input: UpdateArticleInput!) {{
  updateArticle(input: $input) {{
    article {{ {ARTICLE_FIELDS} bodyHtml }}
    errors {{ field code message }}
    clientMutationId
  }}
}}
"""
DELETE_ARTICLE = """
mutation DeleteArticle($input: ArticleInput!) {
  deleteArticle(input: $input) {
    deletedArticleId
    errors { field code message }
    clientMutationId
  }
}
"""
RECORD_VIEW = """
mutation RecordView($input: RecordArticleViewInput!) {
  recordArticleView(input: $input) { counted reason article { views } }
}
"""
GROUP_ARTICLES = """
query GroupArticles($slug: String!) {
  group(slug: $slug) {
    articles { totalCount nodes { id } }
    pinnedArticles { id }
  }
}
"""
ARTICLE_NODES = """
query ArticleNodes($id: ID!, $ids: [ID!]!) {
  node(id: $id) { id }
  nodes(ids: $ids) { id }
}
"""
VIEWER_PERMISSIONS = """
query ViewerPermissions($id: ID!) {
  node(id: $id) {
    ... on Article {
      viewerDidAuthor viewerCanUpdate viewerCanDelete viewerCanComment viewerCanPin
    }
  }
}
"""

TITLE = "Muscle Weakness in MS: Adaptive Strategies& Tips"
BODY = "Pace the day.\n\n**Rest** before you are tired."
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
GROUP_NOT_FOUND = {
    "field": ["input", "groupId"],
    "code": "NOT_FOUND",
    "message": "No group you can see has this ID.",
}
MAY_NOT_POST = {
    "field": None,
    "code": "FORBIDDEN",
    "message": "Only members may post in this group.",
}
MAY_NOT_CHANGE = {
    "field": None,
    "code": "FORBIDDEN",
    "message": "Only the author or the group's moderators may change this article.",
}
PERMISSIONS = (
    "viewerDidAuthor",
    "viewerCanUpdate",
    "viewerCanDelete",
    "viewerCanComment",
    "viewerCanPin",
)
MODERATING_ROLES = [MembershipRole.MODERATOR, MembershipRole.ADMIN, MembershipRole.OWNER]


@dataclasses.dataclass
class Scene:
    """A PUBLIC group, an article in it by Dana, and Sam, another member."""

    group: Group
    author: Member
    member: Member
    article: Article


@pytest.fixture
async def scene(db: TortoiseContext) -> Scene:
    group = await factories.group()
    author = await factories.member("Dana Whitfield")
    member = await factories.member("Sam Harrison")
    await factories.join(group, author)
    await factories.join(group, member)
    article = await factories.article(group, author, body=BODY)
    return Scene(group=group, author=author, member=member, article=article)


@pytest.fixture
async def roomy_client(
    db: TortoiseContext, settings: Settings, clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for an app that accepts request bodies of up to 1 MB."""
    app = create_app(dataclasses.replace(settings, max_body_bytes=1024 * 1024), clock=clock)
    async with client_for(app) as http:
        yield http


async def signed_in(member: Member) -> dict[str, str]:
    return factories.bearer(await factories.token(member))


async def member_with_role(group: Group, role: MembershipRole, name: str) -> Member:
    someone = await factories.member(name)
    await factories.join(group, someone, role=role)
    return someone


async def create(
    client: httpx.AsyncClient, headers: dict[str, str] | None, **fields: Any
) -> dict[str, Any]:
    data = await data_of(client, CREATE_ARTICLE, {"input": fields}, headers=headers)
    payload: dict[str, Any] = data["createArticle"]
    return payload


async def update(
    client: httpx.AsyncClient, headers: dict[str, str] | None, **fields: Any
) -> dict[str, Any]:
    data = await data_of(client, UPDATE_ARTICLE, {"input": fields}, headers=headers)
    payload: dict[str, Any] = data["updateArticle"]
    return payload


async def delete(
    client: httpx.AsyncClient, headers: dict[str, str] | None, article: Article
) -> dict[str, Any]:
    variables = {"input": {"articleId": factories.global_id(article)}}
    data = await data_of(client, DELETE_ARTICLE, variables, headers=headers)
    payload: dict[str, Any] = data["deleteArticle"]
    return payload


async def stored_articles() -> list[dict[str, Any]]:
    """Every article row as it is in the database, to compare before and after."""
    rows: list[dict[str, Any]] = await Article.all().order_by("id").values()
    return rows


async def post(client: httpx.AsyncClient, scene: Scene, **fields: Any) -> dict[str, Any]:
    """Sam posts in the scene's group; `fields` add to or replace the defaults."""
    return await create(
        client,
        await signed_in(scene.member),
        **{"groupId": factories.global_id(scene.group), "title": TITLE, "body": BODY, **fields},
    )


# createArticle


async def test_a_member_posts_an_article(scene: Scene, client: httpx.AsyncClient) -> None:
    payload = await post(
        client,
        scene,
        subtitle="What helps on a bad day",
        coverImage={"url": "https://img.example.org/cane.jpg", "caption": "A cane, by a door"},
        clientMutationId="post-1",
    )

    article_id = payload["article"].pop("id")
    assert payload == {
        "article": {
            "slug": "muscle-weakness-in-ms-adaptive-strategies-tips",
            "title": TITLE,
            "subtitle": "What helps on a bad day",
            "body": BODY,
            "coverImage": {
                "url": "https://img.example.org/cane.jpg",
                "caption": "A cane, by a door",
            },
            "views": 0,
            "publishedAt": "2024-03-01T12:00:00+00:00",
            "updatedAt": "2024-03-01T12:00:00+00:00",
            "author": {"name": "Sam Harrison"},
            "group": {"slug": "muscle-weakness-ms"},
        },
        "errors": [],
        "clientMutationId": "post-1",
    }
    assert await Article.filter(id=ids.decode_as("Article", article_id)).values(
        "group_id", "author_id", "title", "subtitle", "cover_image_url", "cover_image_caption"
    ) == [
        {
            "group_id": scene.group.id,
            "author_id": scene.member.id,
            "title": TITLE,
            "subtitle": "What helps on a bad day",
            "cover_image_url": "https://img.example.org/cane.jpg",
            "cover_image_caption": "A cane, by a door",
        }
    ]


async def test_a_new_article_leads_its_group(scene: Scene, client: httpx.AsyncClient) -> None:
    payload = await post(client, scene)

    data = await data_of(client, GROUP_ARTICLES, {"slug": "muscle-weakness-ms"})
    assert data["group"]["articles"] == {
        "totalCount": 2,
        "nodes": [{"id": payload["article"]["id"]}, {"id": factories.global_id(scene.article)}],
    }


async def test_the_optional_fields_may_be_left_out(scene: Scene, client: httpx.AsyncClient) -> None:
    payload = await post(client, scene)

    assert (payload["article"]["subtitle"], payload["article"]["coverImage"]) == (None, None)
    assert payload["clientMutationId"] is None


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (TITLE, "muscle-weakness-in-ms-adaptive-strategies-tips"),
        ("  Café au lait — spots?  ", "cafe-au-lait-spots"),
        ("🧠💪", "article"),
        ("x" * 200, "x" * 80),
    ],
)
async def test_the_title_is_kept_as_typed_and_the_slug_derived_from_it(
    scene: Scene, client: httpx.AsyncClient, title: str, slug: str
) -> None:
    payload = await post(client, scene, title=title)

    assert (payload["article"]["title"], payload["article"]["slug"]) == (title, slug)
    assert await Article.filter(slug=slug).values("title") == [{"title": title}]


async def test_a_slug_taken_in_the_group_is_numbered(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    slugs = [(await post(client, scene, title="Tips & Tea"))["article"]["slug"] for _ in range(3)]

    assert slugs == ["tips-tea", "tips-tea-2", "tips-tea-3"]


async def test_a_slug_is_only_unique_within_its_group(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    other = await factories.group("caregivers")
    await factories.join(other, scene.member)
    await post(client, scene, title="Tips & Tea")

    payload = await post(client, scene, groupId=factories.global_id(other), title="Tips & Tea")

    assert payload["article"]["slug"] == "tips-tea"


async def test_a_deleted_articles_slug_is_not_reused(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    first = await post(client, scene, title="Tips & Tea")
    article = await Article.get(id=ids.decode_as("Article", first["article"]["id"]))
    assert (await delete(client, await signed_in(scene.member), article))["errors"] == []

    again = await post(client, scene, title="Tips & Tea")

    assert again["article"]["slug"] == "tips-tea-2"


async def test_concurrent_posts_of_one_title_get_distinct_slugs(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    headers = await signed_in(scene.member)
    group_id = factories.global_id(scene.group)
    # Open the pool's connections first, so that the posts really overlap.
    await asyncio.gather(
        *(data_of(client, GROUP_ARTICLES, {"slug": "muscle-weakness-ms"}) for _ in range(5))
    )

    payloads = await asyncio.gather(
        *(create(client, headers, groupId=group_id, title="Tips", body=BODY) for _ in range(5))
    )

    assert all(payload["errors"] == [] for payload in payloads)
    assert sorted(payload["article"]["slug"] for payload in payloads) == [
        "tips",
        "tips-2",
        "tips-3",
        "tips-4",
        "tips-5",
    ]


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        ({"title": ""}, ["input", "title"], "title must not be blank."),
        ({"title": " \t "}, ["input", "title"], "title must not be blank."),
        (
            {"title": "t" * 201},
            ["input", "title"],
            "title must be 1 to 200 characters long; it is 201.",
        ),
        ({"body": ""}, ["input", "body"], "body must not be blank."),
        ({"body": "\n  \n"}, ["input", "body"], "body must not be blank."),
        (
            {"subtitle": "s" * 301},
            ["input", "subtitle"],
            "subtitle must be 0 to 300 characters long; it is 301.",
        ),
        (
            {"coverImage": {"url": "https://img.example.org/a.jpg", "caption": "c" * 301}},
            ["input", "coverImage", "caption"],
            "caption must be 0 to 300 characters long; it is 301.",
        ),
        (
            {"title": "Tips\x00& Tea"},
            ["input", "title"],
            "title must not contain NUL or unpaired surrogate characters.",
        ),
        (
            {"body": "Pace\x00 the day"},
            ["input", "body"],
            "body must not contain NUL or unpaired surrogate characters.",
        ),
        (
            {"subtitle": "\x00"},
            ["input", "subtitle"],
            "subtitle must not contain NUL or unpaired surrogate characters.",
        ),
        (
            {"coverImage": {"url": "https://img.example.org/a\x00.jpg"}},
            ["input", "coverImage", "url"],
            "url must not contain NUL or unpaired surrogate characters.",
        ),
        (
            {"coverImage": {"url": "https://img.example.org/a.jpg", "caption": "a\x00"}},
            ["input", "coverImage", "caption"],
            "caption must not contain NUL or unpaired surrogate characters.",
        ),
    ],
)
async def test_bad_input_is_named_and_nothing_is_stored(
    scene: Scene,
    client: httpx.AsyncClient,
    fields: dict[str, Any],
    path: list[str],
    message: str,
) -> None:
    before = await stored_articles()

    payload = await post(client, scene, clientMutationId="bad-1", **fields)

    assert payload == {
        "article": None,
        "errors": [{"field": path, "code": "INVALID", "message": message}],
        "clientMutationId": "bad-1",
    }
    assert await stored_articles() == before


@pytest.mark.parametrize(
    ("check", "field"),
    [
        (articles.check_title, "title"),
        (articles.check_body, "body"),
        (articles.check_subtitle, "subtitle"),
    ],
)
def test_half_a_surrogate_pair_is_refused(check: Callable[[str], None], field: str) -> None:
    # Strict JSON parsers refuse "\ud83d" before a mutation runs; a lenient one (the
    # WebSocket transport's) lets it through, and no database column can store it.
    with pytest.raises(Refusal) as refused:
        check("Tips \ud83d & Tea")

    assert [(error.field, error.code, error.message) for error in refused.value.errors] == [
        (
            ["input", field],
            UserErrorCode.INVALID,
            f"{field} must not contain NUL or unpaired surrogate characters.",
        )
    ]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org/cover.jpg",
        "file:///etc/passwd",
        "/images/cover.jpg",
        "images/cover.jpg",
        "//img.example.org/cover.jpg",
        "https:cover.jpg",
        "https://",
        "",
        "https://img.example.org/" + "a" * 2025,
    ],
)
async def test_a_cover_image_url_must_be_http_or_https(
    scene: Scene, client: httpx.AsyncClient, url: str
) -> None:
    before = await stored_articles()

    payload = await post(client, scene, coverImage={"url": url, "caption": "A cane"})

    assert payload["article"] is None
    assert payload["errors"] == [
        {
            "field": ["input", "coverImage", "url"],
            "code": "INVALID",
            "message": "coverImage.url must be an http or https URL of at most 2048 characters.",
        }
    ]
    assert await stored_articles() == before


@pytest.mark.parametrize(
    "url",
    [
        "http://img.example.org/cover.jpg",
        "https://img.example.org/cover.jpg?size=large#top",
        "HTTPS://IMG.EXAMPLE.ORG/COVER.JPG",
        "https://img.example.org/" + "a" * 2024,
    ],
)
async def test_http_and_https_cover_images_are_kept(
    scene: Scene, client: httpx.AsyncClient, url: str
) -> None:
    payload = await post(client, scene, coverImage={"url": url})

    assert payload["article"]["coverImage"] == {"url": url, "caption": None}


async def test_the_longest_title_and_body_are_accepted(
    scene: Scene, roomy_client: httpx.AsyncClient
) -> None:
    body = "é" * (50 * 1024)  # 100 KB of UTF-8 in 51,200 characters

    payload = await post(roomy_client, scene, title="t" * 200, body=body)

    assert payload["errors"] == []
    assert (len(payload["article"]["title"]), payload["article"]["body"]) == (200, body)


async def test_a_body_over_100_kb_is_refused(scene: Scene, roomy_client: httpx.AsyncClient) -> None:
    before = await stored_articles()

    payload = await post(roomy_client, scene, body="é" * (50 * 1024) + "!")

    assert payload["errors"] == [
        {
            "field": ["input", "body"],
            "code": "INVALID",
            "message": "body may be at most 102400 bytes; it is 102401.",
        }
    ]
    assert await stored_articles() == before


async def test_a_100_kb_body_fits_in_a_request_with_the_default_settings(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    payload = await post(client, scene, body="b" * (100 * 1024))

    assert payload["errors"] == []


async def test_posting_signed_out_is_unauthenticated(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    before = await stored_articles()

    payload = await create(
        client, None, groupId=factories.global_id(scene.group), title=TITLE, body=BODY
    )

    assert payload == {"article": None, "errors": [UNAUTHENTICATED], "clientMutationId": None}
    assert await stored_articles() == before


@pytest.mark.parametrize(
    ("privacy", "status", "error"),
    [
        (GroupPrivacy.PUBLIC, None, MAY_NOT_POST),
        (GroupPrivacy.PRIVATE, None, MAY_NOT_POST),
        (GroupPrivacy.PRIVATE, MembershipStatus.PENDING, MAY_NOT_POST),
        (GroupPrivacy.SECRET, None, GROUP_NOT_FOUND),
    ],
)
async def test_only_members_post(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    privacy: GroupPrivacy,
    status: MembershipStatus | None,
    error: dict[str, Any],
) -> None:
    group = await factories.group("research", privacy)
    outsider = await factories.member()
    if status is not None:
        await factories.join(group, outsider, status=status)

    payload = await create(
        client,
        await signed_in(outsider),
        groupId=factories.global_id(group),
        title=TITLE,
        body=BODY,
    )

    assert (payload["article"], payload["errors"]) == (None, [error])
    assert await Article.all().count() == 0


@pytest.mark.parametrize("group_id", ["not-an-id", ids.encode("Group", 999_999), ""])
async def test_posting_in_an_unknown_group_is_not_found(
    scene: Scene, client: httpx.AsyncClient, group_id: str
) -> None:
    payload = await post(client, scene, groupId=group_id)

    assert (payload["article"], payload["errors"]) == (None, [GROUP_NOT_FOUND])
    assert await Article.all().count() == 1


async def test_an_article_id_is_not_a_group_id(scene: Scene, client: httpx.AsyncClient) -> None:
    payload = await post(client, scene, groupId=factories.global_id(scene.article))

    assert payload["errors"] == [GROUP_NOT_FOUND]


# updateArticle


async def test_the_author_edits_their_article(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    clock.advance(hours=2)

    payload = await update(
        client,
        await signed_in(scene.author),
        articleId=factories.global_id(scene.article),
        title="Hand Tremors & MS: What Helps",
        body="## Weighted cutlery\n\nIt *steadies* the hand.",
        subtitle="Three years of trying things",
        coverImage={"url": "https://img.example.org/spoon.jpg", "caption": "A weighted spoon"},
        clientMutationId="edit-1",
    )

    assert payload == {
        "article": {
            "id": factories.global_id(scene.article),
            "slug": scene.article.slug,
            "title": "Hand Tremors & MS: What Helps",
            "subtitle": "Three years of trying things",
            "body": "## Weighted cutlery\n\nIt *steadies* the hand.",
            "coverImage": {
                "url": "https://img.example.org/spoon.jpg",
                "caption": "A weighted spoon",
            },
            "views": 0,
            "publishedAt": "2023-10-01T09:00:00+00:00",
            "updatedAt": "2024-03-01T14:00:00+00:00",
            "author": {"name": "Dana Whitfield"},
            "group": {"slug": "muscle-weakness-ms"},
            "bodyHtml": "<h2>Weighted cutlery</h2>\n<p>It <em>steadies</em> the hand.</p>\n",
        },
        "errors": [],
        "clientMutationId": "edit-1",
    }
    stored = await Article.get(id=scene.article.id)
    assert (stored.title, stored.subtitle, stored.slug) == (
        "Hand Tremors & MS: What Helps",
        "Three years of trying things",
        scene.article.slug,
    )


async def test_fields_left_out_stay_and_null_removes_subtitle_and_cover(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    headers = await signed_in(scene.author)
    article_id = factories.global_id(scene.article)
    await update(
        client,
        headers,
        articleId=article_id,
        subtitle="A subtitle",
        coverImage={"url": "https://img.example.org/a.jpg"},
    )

    kept = await update(client, headers, articleId=article_id, title="A new title")
    removed = await update(client, headers, articleId=article_id, subtitle=None, coverImage=None)

    assert (kept["article"]["title"], kept["article"]["body"]) == ("A new title", BODY)
    assert (kept["article"]["subtitle"], kept["article"]["coverImage"]) == (
        "A subtitle",
        {"url": "https://img.example.org/a.jpg", "caption": None},
    )
    assert (removed["article"]["subtitle"], removed["article"]["coverImage"]) == (None, None)
    assert removed["article"]["title"] == "A new title"
    stored = await Article.get(id=scene.article.id)
    assert (stored.subtitle, stored.cover_image_url, stored.cover_image_caption) == (
        None,
        None,
        None,
    )


async def test_the_slug_stays_when_the_title_changes(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    created = await post(client, scene, title="Tips & Tea")

    edited = await update(
        client,
        await signed_in(scene.member),
        articleId=created["article"]["id"],
        title="Something else entirely",
    )

    assert edited["article"]["slug"] == "tips-tea"
    assert (await post(client, scene, title="Tips & Tea"))["article"]["slug"] == "tips-tea-2"


@pytest.mark.parametrize("role", MODERATING_ROLES)
async def test_moderators_admins_and_owners_edit_anyones_article(
    scene: Scene, client: httpx.AsyncClient, role: MembershipRole
) -> None:
    moderator = await member_with_role(scene.group, role, "Morgan Reyes")

    payload = await update(
        client,
        await signed_in(moderator),
        articleId=factories.global_id(scene.article),
        title="Edited by a moderator",
    )

    assert payload["errors"] == []
    assert payload["article"]["author"] == {"name": "Dana Whitfield"}
    assert (await Article.get(id=scene.article.id)).title == "Edited by a moderator"


async def test_a_member_may_not_edit_someone_elses_article(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    before = await stored_articles()

    payload = await update(
        client,
        await signed_in(scene.member),
        articleId=factories.global_id(scene.article),
        title="Hijacked",
        clientMutationId="edit-2",
    )

    assert payload == {"article": None, "errors": [MAY_NOT_CHANGE], "clientMutationId": "edit-2"}
    assert await stored_articles() == before


async def test_an_outsider_or_a_moderator_elsewhere_may_not_edit(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    elsewhere = await factories.group("caregivers")
    moderator = await member_with_role(elsewhere, MembershipRole.OWNER, "Morgan Reyes")
    outsider = await factories.member("Alex Kim")
    before = await stored_articles()

    for someone in (moderator, outsider):
        payload = await update(
            client,
            await signed_in(someone),
            articleId=factories.global_id(scene.article),
            title="Hijacked",
        )
        assert payload["errors"] == [MAY_NOT_CHANGE]

    assert await stored_articles() == before


@pytest.mark.parametrize(
    ("privacy", "status"),
    [
        (GroupPrivacy.PRIVATE, None),
        (GroupPrivacy.PRIVATE, MembershipStatus.PENDING),
        (GroupPrivacy.SECRET, None),
    ],
)
async def test_an_article_of_a_hidden_group_is_not_found_to_a_non_member(
    db: TortoiseContext,
    client: httpx.AsyncClient,
    privacy: GroupPrivacy,
    status: MembershipStatus | None,
) -> None:
    group = await factories.group("research", privacy)
    article = await factories.article(group, await factories.member("Dana Whitfield"))
    outsider = await factories.member()
    if status is not None:
        await factories.join(group, outsider, status=status)
    headers = await signed_in(outsider)
    before = await stored_articles()

    edited = await update(client, headers, articleId=factories.global_id(article), title="Hijacked")
    deleted = await delete(client, headers, article)

    assert (edited["article"], edited["errors"]) == (None, [ARTICLE_NOT_FOUND])
    assert (deleted["deletedArticleId"], deleted["errors"]) == (None, [ARTICLE_NOT_FOUND])
    assert await stored_articles() == before


async def test_a_member_of_a_private_group_is_forbidden_not_blind(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    group = await factories.group("research", GroupPrivacy.PRIVATE)
    author, member = await factories.member("Dana Whitfield"), await factories.member()
    await factories.join(group, author)
    await factories.join(group, member)
    article = await factories.article(group, author)

    payload = await update(
        client, await signed_in(member), articleId=factories.global_id(article), title="Hijacked"
    )

    assert payload["errors"] == [MAY_NOT_CHANGE]


async def test_editing_signed_out_is_unauthenticated(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    before = await stored_articles()

    payload = await update(
        client, None, articleId=factories.global_id(scene.article), title="Hijacked"
    )

    assert payload == {"article": None, "errors": [UNAUTHENTICATED], "clientMutationId": None}
    assert await stored_articles() == before


@pytest.mark.parametrize(
    "article_id", ["not-an-id", ids.encode("Article", 999_999), ids.encode("Group", 1)]
)
async def test_editing_an_unknown_article_is_not_found(
    scene: Scene, client: httpx.AsyncClient, article_id: str
) -> None:
    payload = await update(client, await signed_in(scene.author), articleId=article_id, title="x")

    assert (payload["article"], payload["errors"]) == (None, [ARTICLE_NOT_FOUND])


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"title": ""}, ["input", "title"]),
        ({"title": "t" * 201}, ["input", "title"]),
        ({"body": " "}, ["input", "body"]),
        ({"subtitle": "s" * 301}, ["input", "subtitle"]),
        ({"coverImage": {"url": "javascript:alert(1)"}}, ["input", "coverImage", "url"]),
        ({"coverImage": {"url": "data:image/png;base64,AAAA"}}, ["input", "coverImage", "url"]),
        ({"body": "Edited\x00"}, ["input", "body"]),
    ],
)
async def test_a_bad_edit_changes_nothing(
    scene: Scene, client: httpx.AsyncClient, fields: dict[str, Any], path: list[str]
) -> None:
    before = await stored_articles()

    # A good title travels with the bad field: it must not be saved either.
    payload = await update(
        client,
        await signed_in(scene.author),
        articleId=factories.global_id(scene.article),
        **{"title": "A good title", **fields},
    )

    assert payload["article"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == (path, "INVALID")
    assert await stored_articles() == before


# deleteArticle


async def test_a_deleted_article_leaves_every_list_count_and_lookup(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    kept = await factories.article(scene.group, scene.author, "Cooling Vests", minutes=5)
    comment = await factories.comment(scene.article, scene.member)
    await Article.filter(id=scene.article.id).update(pinned_at=factories.NOW)
    article_id = factories.global_id(scene.article)

    payload = await data_of(
        client,
        DELETE_ARTICLE,
        {"input": {"articleId": article_id, "clientMutationId": "delete-1"}},
        headers=await signed_in(scene.author),
    )

    assert payload["deleteArticle"] == {
        "deletedArticleId": article_id,
        "errors": [],
        "clientMutationId": "delete-1",
    }
    group = (await data_of(client, GROUP_ARTICLES, {"slug": "muscle-weakness-ms"}))["group"]
    assert group == {
        "articles": {"totalCount": 1, "nodes": [{"id": factories.global_id(kept)}]},
        "pinnedArticles": [],
    }
    nodes = await data_of(
        client,
        ARTICLE_NODES,
        {
            "id": article_id,
            "ids": [article_id, factories.global_id(kept), factories.global_id(comment)],
        },
    )
    assert nodes == {"node": None, "nodes": [None, {"id": factories.global_id(kept)}, None]}
    view = await data_of(client, RECORD_VIEW, {"input": {"articleId": article_id}})
    assert view["recordArticleView"] == {"counted": False, "reason": "NOT_FOUND", "article": None}
    stored = await Article.get(id=scene.article.id)
    assert (stored.deleted_at, stored.pinned_at, stored.views) == (factories.NOW, None, 0)
    assert await ArticleView.all().count() == 0


async def test_a_deleted_article_can_be_neither_edited_nor_deleted_again(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    headers = await signed_in(scene.author)
    await delete(client, headers, scene.article)
    before = await stored_articles()

    edited = await update(
        client, headers, articleId=factories.global_id(scene.article), title="Back"
    )
    again = await delete(client, headers, scene.article)

    assert edited["errors"] == [ARTICLE_NOT_FOUND]
    assert (again["deletedArticleId"], again["errors"]) == (None, [ARTICLE_NOT_FOUND])
    assert await stored_articles() == before


@pytest.mark.parametrize("role", MODERATING_ROLES)
async def test_moderators_admins_and_owners_delete_anyones_article(
    scene: Scene, client: httpx.AsyncClient, role: MembershipRole
) -> None:
    moderator = await member_with_role(scene.group, role, "Morgan Reyes")

    payload = await delete(client, await signed_in(moderator), scene.article)

    assert payload == {
        "deletedArticleId": factories.global_id(scene.article),
        "errors": [],
        "clientMutationId": None,
    }
    assert (await Article.get(id=scene.article.id)).deleted_at == factories.NOW


async def test_a_member_may_not_delete_someone_elses_article(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    before = await stored_articles()

    payload = await delete(client, await signed_in(scene.member), scene.article)

    assert payload == {
        "deletedArticleId": None,
        "errors": [MAY_NOT_CHANGE],
        "clientMutationId": None,
    }
    assert await stored_articles() == before


async def test_deleting_signed_out_is_unauthenticated(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    before = await stored_articles()

    payload = await delete(client, None, scene.article)

    assert payload == {
        "deletedArticleId": None,
        "errors": [UNAUTHENTICATED],
        "clientMutationId": None,
    }
    assert await stored_articles() == before


# What the viewer may do


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("author", (True, True, True, True, False)),
        ("member", (False, False, False, True, False)),
        ("MODERATOR", (False, True, True, True, True)),
        ("ADMIN", (False, True, True, True, True)),
        ("OWNER", (False, True, True, True, True)),
        ("outsider", (False, False, False, False, False)),
        ("anonymous", (False, False, False, False, False)),
    ],
)
async def test_the_viewer_s_permissions_on_an_article(
    scene: Scene,
    client: httpx.AsyncClient,
    viewer: str,
    expected: tuple[bool, bool, bool, bool, bool],
) -> None:
    people = {"author": scene.author, "member": scene.member}
    if viewer in MembershipRole.__members__:
        people[viewer] = await member_with_role(scene.group, MembershipRole[viewer], "Morgan")
    elif viewer == "outsider":
        people[viewer] = await factories.member("Alex Kim")
    headers = await signed_in(people[viewer]) if viewer in people else None

    data = await data_of(
        client, VIEWER_PERMISSIONS, {"id": factories.global_id(scene.article)}, headers=headers
    )

    assert data["node"] == dict(zip(PERMISSIONS, expected, strict=True))


# recordArticleView for a signed-in member


async def record(
    client: httpx.AsyncClient, article: Article, headers: dict[str, str], viewer_key: str
) -> dict[str, Any]:
    variables = {"input": {"articleId": factories.global_id(article), "viewerKey": viewer_key}}
    data = await data_of(client, RECORD_VIEW, variables, headers=headers)
    payload: dict[str, Any] = data["recordArticleView"]
    return payload


async def test_a_signed_in_member_counts_once_across_devices(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    headers = await signed_in(scene.member)

    outcomes = []
    for device in ("phone", "laptop", "tablet"):
        payload = await record(client, scene.article, headers, device)
        outcomes.append((payload["counted"], payload["reason"], payload["article"]["views"]))
    clock.advance(hours=8)
    later = await record(client, scene.article, headers, "phone")

    assert outcomes == [
        (True, None, 1),
        (False, "DUPLICATE_IN_WINDOW", 1),
        (False, "DUPLICATE_IN_WINDOW", 1),
    ]
    assert (later["counted"], later["article"]["views"]) == (True, 2)
    assert await ArticleView.all().count() == 1


async def test_two_members_on_one_device_each_count(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    outsider = await factories.member("Alex Kim")

    for someone in (scene.member, outsider):
        payload = await record(client, scene.article, await signed_in(someone), "shared-tab")
        assert payload["counted"] is True

    assert (await Article.get(id=scene.article.id)).views == 2


async def test_an_author_s_own_views_never_count(
    scene: Scene, client: httpx.AsyncClient, clock: Clock
) -> None:
    headers = await signed_in(scene.author)

    payloads = [await record(client, scene.article, headers, "phone")]
    clock.advance(hours=9)
    payloads.append(await record(client, scene.article, headers, "laptop"))

    assert payloads == [
        {"counted": False, "reason": "SELF_VIEW", "article": {"views": 0}},
        {"counted": False, "reason": "SELF_VIEW", "article": {"views": 0}},
    ]
    assert (await Article.get(id=scene.article.id)).views == 0
    assert await ArticleView.all().count() == 0
