"""The data model: Tortoise models, one per module, re-exported here.

Tortoise discovers models from this package (`models`), so every model is
imported below.
"""

from models.article import Article
from models.article_view import ArticleView
from models.auth_token import AuthToken
from models.comment import Comment
from models.group import Group, GroupPrivacy
from models.group_slug import GroupSlug
from models.idempotency_key import IdempotencyKey
from models.member import Member
from models.membership import Membership, MembershipRole, MembershipStatus
from models.ranking import Ranking
from models.reaction import Reaction, ReactionKind

__all__ = [
    "Article",
    "ArticleView",
    "AuthToken",
    "Comment",
    "Group",
    "GroupPrivacy",
    "GroupSlug",
    "IdempotencyKey",
    "Member",
    "Membership",
    "MembershipRole",
    "MembershipStatus",
    "Ranking",
    "Reaction",
    "ReactionKind",
]
