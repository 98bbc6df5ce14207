"""Where values sit in an answer, and the errors recorded there, as graphql-core reports them.

A position is a tuple `(source, out, parent, container, key, nullable, depth,
ordinal)`: for an object, the value it was completed from and the dict of its
fields, then where that dict sits (`container[key]`, inside the position
`parent`), whether that place may be null, how many awaited resolvers lie on the
way to it, and its place among its siblings in document order. A list's
position has no source or dict of its own. Tuples, because one is made for
every object of every answer.

graphql-core reports errors as fields finish: synchronously resolved ones in
document order, then those behind awaitables, and it drops an error whose
position lies under one already nulled. `Errors` records each error with that
order (the awaited resolvers above and at it, then its position in the
document) and applies the same rule once, at the end.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, located_error
from graphql.language import FieldNode
from graphql.pyutils import Path

Position = tuple[Any, ...]  # (source, out, parent, container, key, nullable, depth, ordinal)
SOURCE, OUT, PARENT, CONTAINER, KEY, NULLABLE, DEPTH, ORDINAL = range(8)


def keys_of(position: Position | None) -> list[str | int]:
    """The response path to `position` (what an error's `path` says)."""
    found: list[str | int] = []
    while position is not None and position[KEY] is not None:
        found.append(position[KEY])
        position = position[PARENT]
    found.reverse()
    return found


def ordinals_of(position: Position | None) -> tuple[int, ...]:
    found = []
    while position is not None and position[PARENT] is not None:
        found.append(position[ORDINAL])
        position = position[PARENT]
    found.reverse()
    return tuple(found)


def path_of(position: Position | None) -> Path | None:
    """`position`'s path as graphql-core's resolve infos carry it."""
    path = None
    for key in keys_of(position):
        path = Path(path, key, None)
    return path


class Errors:
    """The field errors of one execution, and what they null."""

    def __init__(self) -> None:
        self.serial = 0  # the mutation root field running: its errors come before the next's
        self.recorded: list[tuple[tuple[Any, ...], tuple[str | int, ...], GraphQLError]] = []

    def __len__(self) -> int:
        return len(self.recorded)

    def fail(
        self,
        raw: Exception,
        nodes: list[FieldNode],
        container: Any,
        key: str | int,
        parent: Position,
        ordinal: int,
        depth: int,
        nullable: bool,
    ) -> None:
        """Record a field error at `container[key]` and null what it nulls, as graphql-core's
        executor would: the place itself when it may be null, else the nearest one above
        that may."""
        keys = [*keys_of(parent), key]
        error = located_error(raw, nodes, keys)
        if nullable:
            container[key] = None
            nulled = tuple(keys)
        else:
            position = parent
            while not position[NULLABLE]:
                position = position[PARENT]
            holder_key = position[KEY] if position[KEY] is not None else "data"
            position[CONTAINER][holder_key] = None
            nulled = tuple(keys_of(position))
        order = (self.serial, depth, (*ordinals_of(parent), ordinal))
        self.recorded.append((order, nulled, error))

    def reported(self) -> list[GraphQLError]:
        """The errors graphql-core would report, in its order."""
        nulled: set[tuple[str | int, ...]] = set()
        kept = []
        for _, position, error in sorted(self.recorded, key=lambda entry: entry[0]):
            if any(position[:length] in nulled for length in range(len(position) + 1)):
                continue
            nulled.add(position)
            kept.append(error)
        return kept
