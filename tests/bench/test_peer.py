from __future__ import annotations

from pathlib import Path

import pytest

from bench import peer


def test_without_node_modules_it_says_to_run_make_bench(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(peer, "CLI", tmp_path / "cli-run.js")

    with pytest.raises(peer.PeerError, match="make bench"):
        peer.node()


def test_without_a_node_22_it_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "cli-run.js").write_text("")
    monkeypatch.setattr(peer, "CLI", tmp_path / "cli-run.js")
    monkeypatch.setattr(peer, "BUNDLED_NODE", tmp_path / "no-node")
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(peer.PeerError, match=r"Node\.js 22 or newer"):
        peer.node()


def test_the_command_serves_the_config_on_the_port() -> None:
    line = peer.command("/usr/bin/node")(55123)

    assert line[:2] == ["/usr/bin/node", str(peer.CLI)]
    assert line[-4:] == ["-C", str(peer.CONFIG), "-p", "55123"]
    assert peer.CONFIG.exists()
    assert "increment_article_views" in peer.extras_sql()
