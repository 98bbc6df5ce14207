"""The engine runs only on the versions of Strawberry and graphql-core it was tested on."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest

from engine import versions
from settings import PROJECT_DIR


def test_the_installed_versions_are_supported() -> None:
    versions.check()


def test_pyproject_declares_the_supported_ranges() -> None:
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    declared = {
        name: dependency[len(name) :]
        for dependency in project["dependencies"]
        for name in versions.SUPPORTED
        if dependency.startswith(name) and dependency[len(name)] in "<>=!~"
    }

    assert declared == versions.declared()


@pytest.mark.parametrize(
    ("package", "version"),
    [
        ("strawberry-graphql", "0.327.2"),
        ("strawberry-graphql", "0.342.0"),
        ("graphql-core", "3.2.6"),
        ("graphql-core", "3.4.0a1"),
    ],
)
def test_a_version_outside_the_range_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, package: str, version: str
) -> None:
    real = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: version if name == package else real(name)
    )

    with pytest.raises(versions.UnsupportedVersionError, match=f"{package} {version}"):
        versions.check()
