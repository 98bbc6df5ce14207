"""The versions of Strawberry and graphql-core the engine was written against.

The engine uses private APIs of both (`engine.strawberry`, `engine.resolvers`,
`engine.executor`, `engine.plan`): on other versions they may change without
notice, so the app refuses to start rather than answer wrongly. pyproject.toml
declares the same ranges; a test keeps the two in step.
"""

from __future__ import annotations

import re
from importlib import metadata

# package -> (lowest version supported, first version not supported)
SUPPORTED = {
    "strawberry-graphql": ((0, 341), (0, 342)),
    "graphql-core": ((3, 3), (3, 4)),
}


class UnsupportedVersionError(RuntimeError):
    """An installed package is outside the range the engine was tested on."""


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string ("3.3.2" -> (3, 3, 2); "3.4.0a1" -> (3, 4, 0))."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def check() -> None:
    for package, (lowest, beyond) in SUPPORTED.items():
        installed = metadata.version(package)
        if not lowest <= release(installed) < beyond:
            raise UnsupportedVersionError(
                f"{package} {installed} is installed; groupql's engine supports "
                f">={'.'.join(map(str, lowest))},<{'.'.join(map(str, beyond))} "
                "(it uses that version's internals): install the version pyproject.toml pins"
            )


def declared() -> dict[str, str]:
    """The ranges as pyproject.toml writes them."""
    return {
        package: f">={'.'.join(map(str, lowest))},<{'.'.join(map(str, beyond))}"
        for package, (lowest, beyond) in SUPPORTED.items()
    }
