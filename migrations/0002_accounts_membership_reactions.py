from migrations._counter_checks import counter_checks
from migrations._downgrade import AddField, column, refuse_losing, rows, table
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.membership import MembershipStatus
from models.reaction import ReactionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

add_counter_checks, drop_counter_checks = counter_checks(
    [("articles", "reaction_count"), ("comments", "reaction_count"), ("comments", "depth")]
)


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuthToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'auth_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token, stored only as the SHA-256 of the token the member holds.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ranking',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('item_ids', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rankings', 'app': 'models', 'indexes': [Index(fields=['created_at'], name='rankings_by_age')], 'pk_attr': 'key', 'table_description': "A list's order frozen when its first page was read, so paging on is stable."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='LIKE: LIKE\nHEART: HEART\nINSIGHTFUL: INSIGHTFUL\nSUPPORT: SUPPORT', enum_type=ReactionKind, max_length=10)),
                ('article', fields.ForeignKeyField('models.Article', source_field='article_id', null=True, db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('comment', fields.ForeignKeyField('models.Comment', source_field='comment_id', null=True, db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reactions', 'app': 'models', 'unique_together': (('member', 'kind', 'article'), ('member', 'kind', 'comment')), 'indexes': [Index(fields=['article_id', 'kind'], name='reactions_of_article'), Index(fields=['comment_id', 'kind'], name='reactions_of_comment')], 'pk_attr': 'id', 'table_description': "A member's reaction to an article or to a comment: one per member, kind and subject."},
            bases=['Model'],
        ),
        AddField(
            model_name='Article',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddField(
            model_name='Article',
            name='pinned_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddField(
            model_name='Article',
            name='reaction_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddIndex(
            model_name='Article',
            index=Index(fields=['group_id', 'pinned_at'], name='articles_pinned'),
        ),
        AddField(
            model_name='Comment',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddField(
            model_name='Comment',
            name='depth',
            field=fields.IntField(default=0, db_default=0),
        ),
        AddField(
            model_name='Comment',
            name='edited_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddField(
            model_name='Comment',
            name='reaction_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AlterModelOptions(
            name='Member',
            options={'table': 'members', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person in the community, who signs in with an email address and a password.'},
        ),
        AddField(
            model_name='Member',
            name='email',
            field=fields.CharField(null=True, unique=True, max_length=254),
        ),
        AddField(
            model_name='Member',
            name='password_hash',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.RemoveIndex(
            model_name='Membership',
            name='memberships_by_group',
            fields=None,
        ),
        ops.AlterModelOptions(
            name='Membership',
            options={'table': 'memberships', 'app': 'models', 'unique_together': (('member', 'group'),), 'indexes': [Index(fields=['group_id', 'status', 'joined_at', 'id'], name='memberships_of_group')], 'pk_attr': 'id', 'table_description': "A member's place in a group, or their request to join it (status PENDING)."},
        ),
        AddField(
            model_name='Membership',
            name='status',
            field=fields.CharEnumField(default=MembershipStatus.ACTIVE, description='ACTIVE: ACTIVE\nPENDING: PENDING', db_default='ACTIVE', enum_type=MembershipStatus, max_length=7),
        ),
        ops.AddIndex(
            model_name='Membership',
            index=Index(fields=['group_id', 'status', 'joined_at', 'id'], name='memberships_of_group'),
        ),
        ops.RunPython(add_counter_checks, drop_counter_checks),
        # Runs first on downgrade. Not listed, as nothing is lost with them: rankings (a
        # cache of frozen orders, rebuilt on the next first page), reaction_count (counted
        # from reactions, listed) and comments.depth (follows from parent_id, kept).
        refuse_losing(
            table("auth_tokens"),
            table("reactions"),
            column("members", "email"),
            column("members", "password_hash"),
            column("articles", "deleted_at"),
            column("articles", "pinned_at"),
            column("comments", "deleted_at"),
            column("comments", "edited_at"),
            rows("memberships", "status <> 'ACTIVE'", "pending join requests (memberships.status)"),
        ),
    ]
