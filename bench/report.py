"""The results table, as plain text for the terminal and as Markdown for bench/results/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.wrk import Result

RESULTS_DIR = Path(__file__).resolve().parent / "results"
HEADER = (
    "request", "ours req/s", "ours p50", "ours p99", "floor req/s", "floor p50", "floor p99",
    "ours/floor", "SQL/request", "target", "result",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    ours: Result
    floor: Result
    statements: int
    target: float

    @property
    def ratio(self) -> float:
        return self.ours.requests_per_second / self.floor.requests_per_second

    @property
    def verdict(self) -> str:
        if not (self.ours.valid and self.floor.valid):
            return "INVALID (errors under load)"
        return "PASS" if self.ratio >= self.target else "FAIL"

    def cells(self) -> list[str]:
        return [
            self.name,
            f"{self.ours.requests_per_second:.0f}",
            _ms(self.ours.p50_ms),
            _ms(self.ours.p99_ms),
            f"{self.floor.requests_per_second:.0f}",
            _ms(self.floor.p50_ms),
            _ms(self.floor.p99_ms),
            f"{self.ratio:.3f}",
            str(self.statements),
            f">= {self.target:.2f}",
            self.verdict,
        ]


def _ms(value: float) -> str:
    return f"{value:.2f} ms"


def text(rows: Sequence[Row], facts: Sequence[tuple[str, str]], notes: Sequence[str]) -> str:
    table = [list(HEADER), *(row.cells() for row in rows)]
    widths = [max(len(line[n]) for line in table) for n in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines += ["", *(f"{name}: {value}" for name, value in facts), "", *notes]
    return "\n".join(line.rstrip() for line in lines)


def markdown(rows: Sequence[Row], facts: Sequence[tuple[str, str]], notes: Sequence[str]) -> str:
    lines = [
        "# groupql benchmark",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
        *("| " + " | ".join(row.cells()) + " |" for row in rows),
        "",
        *(f"- {name}: {value}" for name, value in facts),
        "",
        *(f"- {note}" for note in notes),
    ]
    return "\n".join(lines) + "\n"


def write(content: str, name: str = "latest.md") -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / name
    path.write_text(content)
    return path
