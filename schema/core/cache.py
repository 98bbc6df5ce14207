from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """A bounded least-recently-used memo, keyed by what identifies the input's version.

    The key is what the caller says identifies the input (an article's id and
    update time), so the input itself is never held.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        if key in self.values:
            self.values.move_to_end(key)
            return self.values[key]
        value = self.values[key] = compute()
        if len(self.values) > self.size:
            self.values.popitem(last=False)
        return value


def versioned(key: Hashable, text: str) -> Hashable:
    """`key` with a digest of `text`: an article's id and update time do not name one body
    for sure (two edits in one clock tick, the same ids in another database), the digest does.
    """
    return key, hashlib.blake2b(text.encode(), digest_size=16).digest()
