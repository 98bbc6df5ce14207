from __future__ import annotations

import pytest

from bench import wrk

OUTPUT = """\
Running 2s test @ http://127.0.0.1:41234/graphql
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.87ms    5.20ms  40.00ms   80.00%
    Req/Sec   966.00     50.00     1.00k    70.00%
  Latency Distribution
     50%   15.87ms
     75%   18.00ms
     90%   22.00ms
     99%    1.50s
  1932 requests in 2.00s, 10.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:    966.00
Transfer/sec:      5.00MB
unexpected answers: 4 of 1932
"""


def test_parse_reads_rate_percentiles_and_every_kind_of_error() -> None:
    result = wrk.parse(OUTPUT)

    assert result.requests_per_second == 966.0
    assert result.p50_ms == pytest.approx(15.87)
    assert result.p99_ms == pytest.approx(1500.0)
    assert result.answers == 1932
    assert result.errors == 4 + 1 + 2
    assert not result.valid


def test_output_without_the_script_summary_is_refused() -> None:
    with pytest.raises(wrk.WrkError, match="cannot read"):
        wrk.parse(OUTPUT.replace("unexpected answers: 4 of 1932\n", ""))


def test_a_missing_wrk_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(wrk.WrkError, match="apt-get install -y wrk"):
        wrk.require()
