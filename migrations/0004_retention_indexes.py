"""Indexes for retention's deletes (models/retention.py): view markers by age, tokens by
expiry and by revocation (idempotency keys have theirs since 0003).

Backward: the indexes are dropped. Nothing is lost (an index holds no data of its own),
so there is nothing for `refuse_losing` to check.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_group_slugs_idempotency_keys')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ArticleView',
            index=Index(fields=['counted_at'], name='article_views_by_age'),
        ),
        ops.AddIndex(
            model_name='AuthToken',
            index=Index(fields=['expires_at'], name='auth_tokens_by_expiry'),
        ),
        ops.AddIndex(
            model_name='AuthToken',
            index=Index(fields=['revoked_at'], name='auth_tokens_by_revocation'),
        ),
    ]
