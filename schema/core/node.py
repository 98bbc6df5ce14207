from __future__ import annotations

import strawberry

from schema.core import ids


@strawberry.interface(
    description=(
        "An object with a globally unique ID. Fetch any such object again with "
        "`node(id:)` or many at once with `nodes(ids:)`."
    )
)
class Node:
    pk: strawberry.Private[int]

    @strawberry.field(
        description="An opaque, globally unique ID. Store it as a string; do not parse it."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode(type(self).__name__, self.pk))
