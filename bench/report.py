"""The results: medians over the rounds, the ratios, the targets; as text and as Markdown."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Measurement
from bench.operations import FLOOR, GROUPQL, PAGE, POSTGRAPHILE, SERVERS, SHAPES, THREAD, VIEW

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SHAPE_NAMES = {
    PAGE: "group page",
    THREAD: "article thread",
    VIEW: "view (recordArticleView / increment)",
}
TARGET_RATIO = 1.0  # ours / PostGraphile, for every shape
MAX_RSS_MB = 150.0
MEASURED_HEADER = (
    "request", "server", "req/s", "p50", "p99", "SQL/request",
    "CPU/request server", "CPU/request PostgreSQL",
)  # fmt: skip
RATIO_HEADER = ("request", "ours/PostGraphile", "ours/floor", "target", "result")
Runs = Mapping[tuple[str, str], Sequence[Measurement]]  # (shape, server) -> one per round


@dataclass(frozen=True, slots=True)
class Ratio:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, ours: Sequence[Measurement], theirs: Sequence[Measurement]) -> Ratio:
        ratios = [
            mine.result.requests_per_second / other.result.requests_per_second
            for mine, other in zip(ours, theirs, strict=True)
        ]
        return cls(statistics.median(ratios), min(ratios), max(ratios))

    def __str__(self) -> str:
        return f"{self.median:.2f}x ({self.low:.2f} to {self.high:.2f})"


@dataclass(frozen=True, slots=True)
class Results:
    runs: Runs
    wire_statements: Mapping[str, Mapping[str, float]]  # server -> shape -> statements
    page_statements: Mapping[int, int]  # groupql's, in process: page size -> statements
    rss_mb: Mapping[str, float | None]  # server -> resident memory after the run
    facts: Sequence[tuple[str, str]]
    notes: Sequence[str]

    def ratio(self, shape: str, other: str) -> Ratio:
        return Ratio.of(self.runs[shape, GROUPQL], self.runs[shape, other])

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, measured, met) for each of the issue's targets."""
        found = [
            (
                f"{SHAPE_NAMES[shape]}: ours >= {TARGET_RATIO:.1f}x PostGraphile",
                str(self.ratio(shape, POSTGRAPHILE)),
                self.ratio(shape, POSTGRAPHILE).median >= TARGET_RATIO,
            )
            for shape in SHAPES
        ]
        sizes = sorted(self.page_statements)
        counts = [self.page_statements[size] for size in sizes]
        found.append(
            (
                "SQL statements per page the same at " + " and ".join(f"first: {n}" for n in sizes),
                " and ".join(map(str, counts)),
                len(set(counts)) == 1,
            )
        )
        rss = self.rss_mb.get(GROUPQL)
        found.append(
            (
                f"groupql worker's RSS after the run <= {MAX_RSS_MB:.0f} MB",
                "unknown" if rss is None else f"{rss:.0f} MB",
                rss is not None and rss <= MAX_RSS_MB,
            )
        )
        return found

    def measured_rows(self) -> list[list[str]]:
        rows = []
        for shape in SHAPES:
            for server in SERVERS:
                runs = self.runs[shape, server]
                rows.append(
                    [
                        SHAPE_NAMES[shape],
                        server,
                        f"{_median([run.result.requests_per_second for run in runs]):.0f}",
                        _ms(_median([run.result.p50_ms for run in runs])),
                        _ms(_median([run.result.p99_ms for run in runs])),
                        _count(self.wire_statements[server][shape]),
                        _ms(_median_or_none([run.server_cpu_ms for run in runs])),
                        _ms(_median_or_none([run.postgres_cpu_ms for run in runs])),
                    ]
                )
        return rows

    def ratio_rows(self) -> list[list[str]]:
        return [
            [
                SHAPE_NAMES[shape],
                str(self.ratio(shape, POSTGRAPHILE)),
                str(self.ratio(shape, FLOOR)),
                f">= {TARGET_RATIO:.1f}x PostGraphile",
                "met" if self.ratio(shape, POSTGRAPHILE).median >= TARGET_RATIO else "not met",
            ]
            for shape in SHAPES
        ]

    def round_rows(self) -> tuple[list[str], list[list[str]]]:
        """Every timed run's req/s, round by round: how much the numbers move."""
        rounds = len(next(iter(self.runs.values())))
        header = ["request", "server", *(f"round {n + 1}" for n in range(rounds))]
        rows = [
            [
                SHAPE_NAMES[shape],
                server,
                *(f"{run.result.requests_per_second:.0f}" for run in self.runs[shape, server]),
            ]
            for shape in SHAPES
            for server in SERVERS
        ]
        return header, rows


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _median_or_none(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def _count(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    table = [list(header), *rows]
    widths = [max(len(line[n]) for line in table) for n in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _target_rows(results: Results) -> list[list[str]]:
    return [
        [target, measured, "met" if met else "not met"]
        for target, measured, met in results.targets()
    ]


def text(results: Results) -> str:
    lines = [
        *_text_table(MEASURED_HEADER, results.measured_rows()),
        "",
        *_text_table(RATIO_HEADER, results.ratio_rows()),
        "",
        *_text_table(("target (informative)", "measured", "result"), _target_rows(results)),
        "",
        *_text_table(*results.round_rows()),
        "",
        *(f"{name}: {value}" for name, value in results.facts),
        "",
        *results.notes,
    ]
    return "\n".join(lines)


def markdown(results: Results) -> str:
    lines = [
        "# groupql benchmark",
        "",
        "Medians over the rounds; ratios are the medians of the per-round ratios, with their "
        "range.",
        "",
        *_markdown_table(MEASURED_HEADER, results.measured_rows()),
        "",
        *_markdown_table(RATIO_HEADER, results.ratio_rows()),
        "",
        "## Targets (informative)",
        "",
        *_markdown_table(("target", "measured", "result"), _target_rows(results)),
        "",
        "## Requests per second, round by round",
        "",
        *_markdown_table(*results.round_rows()),
        "",
        "## Run",
        "",
        *(f"- {name}: {value}" for name, value in results.facts),
        "",
        "## Notes",
        "",
        *(f"- {note}" for note in results.notes),
    ]
    return "\n".join(lines) + "\n"


def write(content: str, name: str = "latest.md") -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / name
    path.write_text(content)
    return path
