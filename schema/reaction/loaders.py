from __future__ import annotations

from collections import defaultdict

from strawberry.dataloader import DataLoader

from models.sql import fetch
from schema.core.access import AccessGetter
from schema.core.loaders import Loader
from schema.reaction.types import ReactionGroup, ReactionKind

KINDS = tuple(ReactionKind)  # in their fixed order (iterating an Enum costs, every time)
NONE = (0, False)


def groups_of(counts: dict[str, tuple[int, bool]]) -> list[ReactionGroup]:
    """Every kind's group, 0 included, from one subject's (count, viewer reacted) by kind."""
    groups = []
    for kind in KINDS:
        count, mine = counts.get(kind.name, NONE)
        groups.append(ReactionGroup(kind=kind, count=count, viewer_has_reacted=mine))
    return groups


def reaction_groups_loader(
    subject: str, access: AccessGetter
) -> DataLoader[int, list[ReactionGroup]]:
    """Every kind's count on each subject (`article` or `comment`), in one statement."""
    column = f"{subject}_id"

    async def load(ids: list[int]) -> list[list[ReactionGroup]]:
        viewer = (await access()).member_id
        rows = await fetch(
            f"SELECT {column} AS subject, kind, COUNT(*) AS n, "
            "SUM(CASE WHEN member_id = ? THEN 1 ELSE 0 END) AS mine "
            f"FROM reactions WHERE {column} = ANY(?) GROUP BY {column}, kind",
            [viewer if viewer is not None else -1, ids],
        )
        counts: dict[int, dict[str, tuple[int, bool]]] = defaultdict(dict)
        for row in rows:
            counts[row["subject"]][row["kind"]] = (int(row["n"]), bool(row["mine"]))
        return [groups_of(counts.get(pk, {})) for pk in ids]

    return Loader(load_fn=load)
