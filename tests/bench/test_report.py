from __future__ import annotations

from bench import report
from bench.measure import Measurement
from bench.operations import FLOOR, GROUPQL, POSTGRAPHILE, SERVERS, SHAPES
from bench.wrk import Result


def measured(rate: float) -> Measurement:
    result = Result(rate, 1.0, 2.0, answers=100, errors=0, output="")
    return Measurement(result, 0.0, 1.0, 0.5, 0)


def results(ours: list[float]) -> report.Results:
    rates = {FLOOR: [400.0, 400.0, 400.0], GROUPQL: ours, POSTGRAPHILE: [100.0, 200.0, 100.0]}
    runs = {
        (shape, server): [measured(rate) for rate in rates[server]]
        for shape in SHAPES
        for server in SERVERS
    }
    wire = {server: dict.fromkeys(SHAPES, 1.0) for server in SERVERS}
    return report.Results(
        runs=runs,
        wire_statements=wire,
        page_statements={20: 4, 100: 4},
        rss_mb={GROUPQL: 90.0},
        facts=[("cores", "2")],
        notes=["a note"],
    )


def test_ratios_are_medians_of_the_per_round_ratios() -> None:
    found = results([100.0, 100.0, 300.0]).ratio(SHAPES[0], POSTGRAPHILE)

    # per round: 1.0, 0.5, 3.0 (the median of the rates would give 1.0 too, by luck)
    assert (found.median, found.low, found.high) == (1.0, 0.5, 3.0)
    assert str(found) == "1.00x (0.50 to 3.00)"


def test_targets_say_met_or_not() -> None:
    targets = results([50.0, 50.0, 50.0]).targets()

    assert [met for _, _, met in targets] == [False, False, False, True, True]
    assert targets[3][1] == "4 and 4"


def test_both_renderings_hold_every_server_and_the_notes() -> None:
    done = results([100.0, 100.0, 100.0])

    for rendered in (report.text(done), report.markdown(done)):
        assert all(server in rendered for server in SERVERS)
        assert "a note" in rendered
        assert "round 3" in rendered
