from __future__ import annotations

import strawberry

from models.sql import Row
from schema.core.node import Node


@strawberry.type(description="A person in the community.")
class Member(Node):
    name: str = strawberry.field(description="The name shown with what the member writes.")

    @classmethod
    def from_row(cls, row: Row) -> Member:
        return cls(pk=row["id"], name=row["name"])
