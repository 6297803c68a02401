"""The scaling benchmark's harness runs end to end (tiny sizes; the figures themselves come from `make bench`)."""

from __future__ import annotations

from bench.momento_local_scaling import report, run


def test_scaling_benchmark_harness_runs() -> None:
    results = run(sizes=[50, 200], samples=20)
    for where in ("sdk_over_loopback", "in_process"):
        for size in ("50", "200"):
            assert set(results[where][size]) == {"put", "rank", "page"}
            assert all(value > 0 for value in results[where][size].values())
    table = report(results, [50, 200])
    assert "sdk_over_loopback" in table
    assert "ratio" in table
