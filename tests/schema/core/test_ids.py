from __future__ import annotations

import base64

import pytest

from schema.core import ids


def test_an_id_decodes_to_what_was_encoded() -> None:
    assert ids.decode(ids.encode("Article", 42)) == ("Article", 42)


def test_ids_are_opaque_url_safe_text() -> None:
    encoded = ids.encode("Comment", 2**31 - 1)

    assert encoded.isascii()
    assert not set(encoded) & set("=/+")


@pytest.mark.parametrize(
    "global_id",
    [
        "",
        "not base64 at all!",
        "QXJ0aWNsZTo",  # "Article:" with no key
        base64.urlsafe_b64encode(b"Article:-1").decode(),
        base64.urlsafe_b64encode(b"Article:007").decode(),
        base64.urlsafe_b64encode(b"Article:1.5").decode(),
        base64.urlsafe_b64encode(b"Article:99999999999").decode(),  # past 32 bits
        base64.urlsafe_b64encode(b"no colon").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe:1").decode(),
        base64.b64encode(b"Article:12").decode(),  # padded: not what encode() writes
        "x" * 65,
    ],
)
def test_anything_encode_did_not_write_decodes_to_none(global_id: str) -> None:
    assert ids.decode(global_id) is None


def test_decode_as_refuses_an_id_of_another_type() -> None:
    assert ids.decode_as("Article", ids.encode("Group", 1)) is None
    assert ids.decode_as("Group", ids.encode("Group", 1)) == 1
