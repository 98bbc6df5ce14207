"""The one visibility rule. Every entry point that turns rows into objects applies it.

Until membership-based access arrives, only PUBLIC groups and what is in them
are visible, to everyone; PRIVATE and SECRET groups answer exactly as if they
did not exist. Objects are only reachable through visible objects, so checking
where an object is first looked up (by slug, by id, in a root list) covers
everything reached from it.
"""

from __future__ import annotations

from models import GroupPrivacy


def visible_group(alias: str) -> str:
    """An SQL condition on the `groups` row aliased `alias`: true when it may be seen."""
    return f"{alias}.privacy = '{GroupPrivacy.PUBLIC.value}'"
