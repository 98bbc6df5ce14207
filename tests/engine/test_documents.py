"""The document cache: bounded by entries and size, never holding what was refused; and
validation that stops at a few errors."""

from __future__ import annotations

from engine.documents import MAX_CACHED_CHARACTERS, MAX_CACHED_LENGTH, Documents
from engine.limits import Limits
from schema.schema import schema


def documents(max_errors: int = 5) -> Documents:
    return Documents(schema._schema, Limits(), max_errors=max_errors)


def test_a_document_is_parsed_and_validated_once() -> None:
    cache = documents()
    query = "query Typename { __typename }"

    assert cache.get(query) is cache.get(query)


def test_a_document_over_the_token_limit_is_not_kept() -> None:
    cache = documents()
    refused = cache.get("query Long { " + "__typename " * 2100 + "}")

    assert refused.node is None
    assert refused.errors[0].extensions == {
        "code": "TOKEN_LIMIT_EXCEEDED",
        "limit": 2000,
        "measured": 2001,
    }
    assert cache.cached == {}


def test_a_document_that_does_not_parse_is_not_kept() -> None:
    cache = documents()

    assert cache.get("query Broken {").node is None
    assert cache.cached == {}


def test_long_documents_are_answered_but_not_kept() -> None:
    cache = documents()
    query = "query Long { __typename } # " + "x" * MAX_CACHED_LENGTH

    assert cache.get(query).errors == []
    assert cache.cached == {}


def test_the_cache_holds_at_most_its_size_in_characters() -> None:
    cache = documents()
    size = MAX_CACHED_LENGTH // 2
    for n in range(2 * MAX_CACHED_CHARACTERS // size):
        cache.get(f"query Q{n} {{ __typename }} # " + "x" * size)

    assert cache.characters <= MAX_CACHED_CHARACTERS
    assert cache.characters == sum(document.length for document in cache.cached.values())
    assert len(cache.cached) < 2 * MAX_CACHED_CHARACTERS // size


def test_unknown_directives_count_once() -> None:
    query = "query Loud { __typename " + " ".join(f"@nope{n}" for n in range(10)) + " }"

    errors = documents().get(query).errors

    assert [error.message for error in errors] == ["Unknown directive '@nope0'."]


def test_validation_stops_at_max_errors() -> None:
    query = "query Wrong { " + " ".join(f"nope{n}" for n in range(10)) + " }"

    errors = documents(max_errors=3).get(query).errors

    assert len(errors) == 4
    assert errors[-1].message == (
        "Too many validation errors, error limit reached. Validation aborted."
    )
