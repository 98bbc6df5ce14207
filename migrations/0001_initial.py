from migrations._counter_checks import counter_checks
from migrations._downgrade import refuse_losing, table
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.group import GroupPrivacy
from models.membership import MembershipRole
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


add_counter_checks, drop_counter_checks = counter_checks(
    [
        ("groups", "member_count"),
        ("articles", "views"),
        ("articles", "comment_count"),
        ("comments", "reply_count"),
    ]
)


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Group",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("slug", fields.CharField(unique=True, max_length=100)),
                ("name", fields.CharField(max_length=200)),
                ("description", fields.TextField(default="", unique=False)),
                (
                    "privacy",
                    fields.CharEnumField(
                        default=GroupPrivacy.PUBLIC,
                        description="PUBLIC: PUBLIC\nPRIVATE: PRIVATE\nSECRET: SECRET",
                        enum_type=GroupPrivacy,
                        max_length=7,
                    ),
                ),
                ("member_count", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "groups",
                "app": "models",
                "indexes": [Index(fields=["privacy", "created_at", "id"], name="groups_listing")],
                "pk_attr": "id",
                "table_description": "A community group. Its member count moves in the same transaction as its memberships.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Member",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "members",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A person in the community. Sign-in details arrive with accounts.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Article",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "group",
                    fields.ForeignKeyField(
                        "models.Group",
                        source_field="group_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="articles",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="articles",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("slug", fields.CharField(max_length=120)),
                ("title", fields.CharField(max_length=200)),
                ("subtitle", fields.CharField(null=True, max_length=300)),
                ("body", fields.TextField(unique=False)),
                ("cover_image_url", fields.CharField(null=True, max_length=2048)),
                ("cover_image_caption", fields.CharField(null=True, max_length=300)),
                ("views", fields.IntField(default=0)),
                ("comment_count", fields.IntField(default=0)),
                ("published_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "articles",
                "app": "models",
                "unique_together": (("group", "slug"),),
                "indexes": [
                    Index(fields=["group_id", "published_at", "id"], name="articles_by_published"),
                    Index(fields=["group_id", "views", "id"], name="articles_by_views"),
                ],
                "pk_attr": "id",
                "table_description": "An article in a group.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ArticleView",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="view_markers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("viewer", fields.CharField(max_length=64)),
                ("counted_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "article_views",
                "app": "models",
                "unique_together": (("article", "viewer"),),
                "pk_attr": "id",
                "table_description": "The marker that deduplicates views: one row per (article, viewer).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Comment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="replies",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("body", fields.TextField(unique=False)),
                ("reply_count", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "comments",
                "app": "models",
                "indexes": [
                    Index(
                        fields=["article_id", "parent_id", "created_at", "id"],
                        name="comments_by_article",
                    ),
                    Index(fields=["parent_id", "created_at", "id"], name="comments_by_parent"),
                ],
                "pk_attr": "id",
                "table_description": "A comment on an article, or a reply to another comment (any depth).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "group",
                    fields.ForeignKeyField(
                        "models.Group",
                        source_field="group_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "role",
                    fields.CharEnumField(
                        default=MembershipRole.MEMBER,
                        description="OWNER: OWNER\nADMIN: ADMIN\nMODERATOR: MODERATOR\nMEMBER: MEMBER",
                        enum_type=MembershipRole,
                        max_length=9,
                    ),
                ),
                ("joined_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "memberships",
                "app": "models",
                "unique_together": (("member", "group"),),
                "indexes": [
                    Index(fields=["group_id", "joined_at", "id"], name="memberships_by_group")
                ],
                "pk_attr": "id",
                "table_description": "A member's place in a group.",
            },
            bases=["Model"],
        ),
        ops.RunPython(add_counter_checks, drop_counter_checks),
        # Runs first on downgrade: rolling back the first migration drops every table.
        refuse_losing(
            *map(table, ["groups", "members", "articles", "article_views", "comments", "memberships"])
        ),
    ]
