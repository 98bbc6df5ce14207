from __future__ import annotations

import httpx
from tortoise.context import TortoiseContext

from demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, SEED_GROUP_SLUG, seed_if_empty
from models import Comment, Group, GroupPrivacy, Membership, MembershipStatus
from models.sql import fetch
from server import GROUP_PAGE_QUERY
from tests.helpers import data_of


async def test_the_group_page_query_shows_the_seed_page(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    assert await seed_if_empty()

    data = await data_of(client, GROUP_PAGE_QUERY, {"slug": SEED_GROUP_SLUG})

    group = data["group"]
    assert (group["name"], group["privacy"], group["memberCount"]) == (
        "Muscle Weakness & MS",
        "PUBLIC",
        169,
    )
    articles = {node["title"]: node for node in group["articles"]["nodes"]}
    assert group["articles"]["totalCount"] == 3
    assert {title: node["views"] for title, node in articles.items()} == {
        "Understanding Muscle Weakness in MS: Why It Happens & What Actually Helps": 256,
        "Managing Hand Tremors in MS": 299,
        "Muscle Weakness in MS: Adaptive Strategies& Tips": 364,
    }
    assert {node["coverImage"]["caption"] for node in articles.values()} == {
        "TraXel: Muscle Weakness in MS",
        "TraXel | Managing Hand Tremors in MS",
        "Muscle Weakness in Multiple Sclerosis (MS)",
    }
    assert all(node["excerpt"].endswith("…") for node in articles.values())
    first = articles["Understanding Muscle Weakness in MS: Why It Happens & What Actually Helps"]
    assert first["commentCount"] == 5


SAM_HARRISON_QUERY = """
query SamHarrison($slug: String!) {
  group(slug: $slug) {
    articles(orderBy: OLDEST, first: 1) {
      nodes {
        comments(first: 1) {
          nodes {
            replies(first: 1) {
              nodes { body createdAt author { name } parent { author { name } } }
            }
          }
        }
      }
    }
  }
}
"""


async def test_sam_harrisons_reply_round_trips(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await seed_if_empty()

    data = await data_of(client, SAM_HARRISON_QUERY, {"slug": SEED_GROUP_SLUG})

    [article] = data["group"]["articles"]["nodes"]
    [comment] = article["comments"]["nodes"]
    [reply] = comment["replies"]["nodes"]
    assert reply["body"] == "Oregon or Maine? I'm from Portland, Maine"
    assert reply["createdAt"].startswith("2023-10-16T")
    assert reply["author"]["name"] == "Sam Harrison"
    assert reply["parent"]["author"]["name"] == "Ella Brooks"


async def test_seeding_twice_loads_once(db: TortoiseContext) -> None:
    assert await seed_if_empty()
    assert not await seed_if_empty()
    assert await Group.filter(slug=SEED_GROUP_SLUG).count() == 1


async def test_counters_match_the_rows_they_count(db: TortoiseContext) -> None:
    await seed_if_empty()

    for group in await Group.all():
        active = Membership.filter(group_id=group.id, status=MembershipStatus.ACTIVE)
        assert group.member_count == await active.count()
    mismatched = await fetch(
        "SELECT a.id FROM articles a WHERE a.comment_count <> "
        "(SELECT COUNT(*) FROM comments c WHERE c.article_id = a.id AND c.deleted_at IS NULL) "
        "OR a.reaction_count <> (SELECT COUNT(*) FROM reactions r WHERE r.article_id = a.id) "
        "UNION SELECT p.id FROM comments p WHERE p.reply_count <> "
        "(SELECT COUNT(*) FROM comments c WHERE c.parent_id = p.id) "
        "OR p.reaction_count <> (SELECT COUNT(*) FROM reactions r WHERE r.comment_id = p.id) "
        "OR p.depth <> COALESCE((SELECT q.depth + 1 FROM comments q WHERE q.id = p.parent_id), 0)"
    )
    assert mismatched == []


SIGN_IN = """
mutation SignIn($input: SignInInput!) { signIn(input: $input) { token errors { code } } }
"""
SECRET_GROUP = "query Secret($slug: String!) { group(slug: $slug) { name privacy } }"


async def test_demo_members_sign_in_and_see_their_secret_group(
    db: TortoiseContext, client: httpx.AsyncClient
) -> None:
    await seed_if_empty()
    [secret] = await Group.filter(privacy=GroupPrivacy.SECRET)
    assert secret.slug.startswith("ms-trial-coordinators--")  # and 20 random characters
    slug = {"slug": secret.slug}

    tokens = {}
    for name, email in DEMO_ACCOUNTS.items():
        answer = await data_of(
            client, SIGN_IN, {"input": {"email": email, "password": DEMO_PASSWORD}}
        )
        assert answer["signIn"]["errors"] == [], name
        tokens[name] = answer["signIn"]["token"]

    ella = await data_of(
        client, SECRET_GROUP, slug, headers={"authorization": f"Bearer {tokens['Ella Brooks']}"}
    )
    sam = await data_of(
        client, SECRET_GROUP, slug, headers={"authorization": f"Bearer {tokens['Sam Harrison']}"}
    )
    assert ella["group"] == {"name": "MS Trial Coordinators", "privacy": "SECRET"}
    assert sam["group"] is None
    assert await data_of(client, SECRET_GROUP, slug) == {"group": None}
    guessed = {"slug": "ms-trial-coordinators"}  # even its members cannot guess its slug
    ella_headers = {"authorization": f"Bearer {tokens['Ella Brooks']}"}
    assert await data_of(client, SECRET_GROUP, guessed, headers=ella_headers) == {"group": None}


async def test_the_demo_threads_go_three_replies_deep(db: TortoiseContext) -> None:
    await seed_if_empty()

    assert await Comment.filter(depth=3).count() >= 1
    assert await Membership.filter(status=MembershipStatus.PENDING).count() == 1
