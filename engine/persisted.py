"""The document of a request: the text it sent, or the one its hash names.

Apollo's automatic persisted queries: a request's `extensions.persistedQuery` is
`{"version": 1, "sha256Hash": "<64 hex digits>"}`.

- The hash alone: the document kept under it (the app's manifest, or an earlier
  request); unknown, one error `PersistedQueryNotFound` with `extensions.code:
  PERSISTED_QUERY_NOT_FOUND` (HTTP 200), on which Apollo's and urql's links send
  the query with its hash.
- The query and its hash: the hash must be the query's SHA-256, else
  `PERSISTED_QUERY_HASH_MISMATCH`. The document is kept only when it passed every
  check of the engine (tokens, parse, shape limits, validation) and is at most
  `MAX_LENGTH` characters: what is kept is only ever a document the engine runs.
- Where it is kept: Redis when REDIS_URL is set (`TTL_SECONDS`, shared by every
  process), else this process's `MemoryDocuments` (least recently used out first,
  bounded in entries and characters). A Redis failure reads as "not found" and
  keeps nothing: the client sends the query again.
- Trusted documents: `MANIFEST` (written by `make app`) maps the hash of every
  operation of the app to its text, always found. With PERSISTED_ONLY=on nothing
  else runs: any other hash or text answers `PERSISTED_QUERY_NOT_ALLOWED`, and
  nothing is kept.

Every transport resolves the document here (`Engine.document_of`) before the
engine checks it, so a document found by its hash meets the same limits as one sent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import orjson
from redis.exceptions import RedisError

from engine.answers import Answer, Operation, refused
from engine.documents import MAX_CACHED_LENGTH, Documents
from schema.core.errors import ErrorCode
from settings import PROJECT_DIR

logger = logging.getLogger("groupql.persisted")

VERSION = 1
HASH = re.compile(r"[0-9a-f]{64}")
MANIFEST = PROJECT_DIR / "app" / "dist" / "persisted-documents.json"
MAX_LENGTH = MAX_CACHED_LENGTH
TTL_SECONDS = 7 * 24 * 60 * 60
MAX_ENTRIES = 1024
MAX_CHARACTERS = 4 * 1024 * 1024
REDIS_PREFIX = "groupql:persisted:"


class Store(Protocol):
    """Where documents sent with their hash are kept."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, document: str) -> None: ...


class MemoryDocuments:
    """This process's documents by hash, at most `max_entries` and `max_characters`."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_characters: int = MAX_CHARACTERS):
        self.max_entries = max_entries
        self.max_characters = max_characters
        self.kept: OrderedDict[str, str] = OrderedDict()
        self.characters = 0

    async def get(self, key: str) -> str | None:
        found = self.kept.get(key)
        if found is not None:
            self.kept.move_to_end(key)
        return found

    async def put(self, key: str, document: str) -> None:
        if key in self.kept:
            self.kept.move_to_end(key)
            return
        self.kept[key] = document
        self.characters += len(document)
        while len(self.kept) > self.max_entries or self.characters > self.max_characters:
            _, dropped = self.kept.popitem(last=False)
            self.characters -= len(dropped)


class RedisDocuments:
    """Documents by hash in Redis, each for `ttl` seconds, shared by every process."""

    def __init__(self, redis: Any, *, prefix: str = REDIS_PREFIX, ttl: int = TTL_SECONDS):
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl

    async def get(self, key: str) -> str | None:
        try:
            found = await self.redis.get(self.prefix + key)
        except (RedisError, OSError, TimeoutError) as error:
            logger.warning("persisted documents: Redis failed (%s): read as not found", error)
            return None
        return found.decode() if isinstance(found, bytes) else found

    async def put(self, key: str, document: str) -> None:
        try:
            await self.redis.set(self.prefix + key, document.encode(), ex=self.ttl)
        except (RedisError, OSError, TimeoutError) as error:
            logger.warning("persisted documents: Redis failed (%s): not kept", error)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def query_of(sent: Any, persisted_hash: str | None) -> Any:
    """The query a request sent: empty when it left it out for its persisted hash."""
    return "" if persisted_hash is not None and sent in (None, "") else sent


def hash_of(extensions: Any) -> str | None:
    """The hash a request's `extensions` name, None when they name none; ValueError, with
    what is wrong, when they are not what the protocol says."""
    if extensions is None:
        return None
    if not isinstance(extensions, dict):
        raise ValueError("extensions must be an object (or null).")
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != VERSION:
        raise ValueError('extensions.persistedQuery must be {"version": 1, "sha256Hash": "..."}.')
    sent = persisted.get("sha256Hash")
    if not isinstance(sent, str) or not HASH.fullmatch(sent.lower()):
        raise ValueError("extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits.")
    return sent.lower()


@cache
def manifest_of(path: Path) -> Mapping[str, str]:
    """The trusted documents by hash; none when the file does not exist. A hash that is not
    its document's SHA-256 stops the server: the manifest was not written by the build."""
    if not path.is_file():
        return {}
    documents: dict[str, str] = orjson.loads(path.read_bytes())
    for key, document in documents.items():
        if sha256(document) != key:
            raise ValueError(f"{path}: {key} is not the SHA-256 of its document")
    return documents


class PersistedDocuments:
    def __init__(
        self,
        store: Store,
        documents: Documents,
        manifest: Mapping[str, str],
        *,
        only: bool = False,
    ) -> None:
        self.store = store
        self.documents = documents
        self.manifest = manifest
        self.only = only  # PERSISTED_ONLY
        self.trusted_names = frozenset(filter(None, map(operation_name_of, manifest.values())))

    async def resolve(self, operation: Operation) -> Operation | Answer:
        """The operation with its document's text, or the answer that refuses it."""
        sent = operation.persisted_hash
        if self.only:
            return self.trusted(operation)
        if sent is None:
            return operation
        if not operation.query:
            query = self.manifest.get(sent) or await self.store.get(sent)
            if query is None:
                return not_found()
            return dataclasses.replace(operation, query=query)
        if sha256(operation.query) != sent:
            return mismatch()
        if sent not in self.manifest and self.keepable(operation.query):
            await self.store.put(sent, operation.query)
        return operation

    def trusted(self, operation: Operation) -> Operation | Answer:
        key = operation.persisted_hash
        if operation.query:
            key, sent = sha256(operation.query), key
            if sent is not None and sent != key:
                return mismatch()
        query = self.manifest.get(key or "")
        if query is None:
            return refused(
                200,
                ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
                "Only the app's own operations are served here (PERSISTED_ONLY): send one of "
                "its documents, or its hash.",
            )
        return dataclasses.replace(operation, query=query)

    def keepable(self, query: str) -> bool:
        if len(query) > MAX_LENGTH:
            return False
        document = self.documents.get(query)
        return document.node is not None and not document.errors


def operation_name_of(document: str) -> str | None:
    """The name of a trusted document's first operation (the manifest has one per document)."""
    found = re.search(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)", document)
    return found.group(1) if found else None


def not_found() -> Answer:
    return refused(200, ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")


def mismatch() -> Answer:
    return refused(
        200,
        ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
        "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it.",
    )
