from __future__ import annotations

import re
import unicodedata

MAX_SLUG_LENGTH = 80
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str) -> str:
    """A URL-safe handle: lower-case ASCII words joined by hyphens ("Tips & Tea" -> "tips-tea").

    Accents fold to their letters; when nothing is left (a title of emoji),
    `fallback` is used.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_WORD.sub("-", ascii_text.lower()).strip("-")[:MAX_SLUG_LENGTH].rstrip("-")
    return slug or fallback


def numbered(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`, ...: the first not in `taken`."""
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"
