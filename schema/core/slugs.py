from __future__ import annotations

import re
import secrets
import string
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


# A SECRET group's slug: a readable base, "--" and 20 random characters (103 bits). Slugs a
# client may choose (and the ones made from names) hold single hyphens only, so they never
# take this shape: asking for one can never tell whether a SECRET group has it.
SECRET_SEPARATOR = "--"  # noqa: S105 - a slug separator, not a password
SECRET_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SECRET_SUFFIX_LENGTH = 20
MAX_GROUP_SLUG_LENGTH = 100  # the column's width
MAX_SECRET_BASE_LENGTH = MAX_GROUP_SLUG_LENGTH - len(SECRET_SEPARATOR) - SECRET_SUFFIX_LENGTH


def is_secret(slug: str) -> bool:
    """Whether `slug` has the shape of a SECRET group's slug."""
    return SECRET_SEPARATOR in slug


def readable_base(slug: str) -> str:
    """The readable part of a slug: all of a public one, the part before "--" of a secret one."""
    return slug.split(SECRET_SEPARATOR)[0]


def secret_slug(base: str) -> str:
    """An unguessable slug that starts with the readable part of `base`, cut to fit."""
    start = readable_base(base)[:MAX_SECRET_BASE_LENGTH].rstrip("-") or "group"
    suffix = "".join(secrets.choice(SECRET_SUFFIX_ALPHABET) for _ in range(SECRET_SUFFIX_LENGTH))
    return f"{start}{SECRET_SEPARATOR}{suffix}"
