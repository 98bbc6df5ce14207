"""Scores shared by ranked orders of several lists."""

from __future__ import annotations

from datetime import datetime

from models.sql import Row


def by_reactions(row: Row, now: datetime) -> float:
    """TOP: the more reactions, the higher."""
    return float(row["reaction_count"])
