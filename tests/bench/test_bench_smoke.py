"""`make bench`'s harness runs end to end (quick plan: the figures mean nothing; `make bench` measures)."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

from bench.run import QUICK, run, table

REQUIRED = [
    "warm_overhead_ratio_submit",
    "warm_overhead_ratio_standing",
    "warm_overhead_ratio_page",
    "standing_concurrent_vs_single",
    "cold_start_ms",
    "cold_start_floor_ms",
    "cold_start_ratio",
    "cold_start_boto3_ms",
    "cold_start_boto3_ratio",
    "http_rps",
    "http_p99_ms",
    "durable_write_overhead",
    "read_ratio_vs_before_the_record_standing",
    "read_ratio_vs_before_the_record_page",
    "around_vs_v1_page",
    "friends_50_vs_v1_page",
    "shared_vs_distinct_page_few_ties",
    "shared_vs_distinct_page_many_ties",
    "rebuild_seconds_300",
    "rebuild_ops_300",
    "periods_submit_ratio",
    "periods_submit_ratio_2ms_latency",
    "past_period_first_answer_s_300",
    "momento_ops_per_1000_page_reads",
    "momento_ops_per_1000_page_reads_uncached",
    "http_rps_page_reads",
    "http_p99_ms_page_reads",
    "not_modified_ratio",
]
# The seed's handlers side by side (bench/peer/), unless this machine has no Node.js 20+ and npm.
PEER = ["peer_ratio_submit", "peer_ratio_standing", "peer_ratio_page", "peer_cold_ms", "peer_cold_ratio"]


def test_the_benchmark_harness_produces_every_figure(tmp_path: Path) -> None:
    with mock.patch.dict(os.environ):  # the harness sets the functions' environment in this process
        results = run(QUICK)
    for key in REQUIRED:
        assert isinstance(results[key], float | int), key
        assert results[key] > 0, key
    assert results["machine"]["cores"] >= 1
    assert results["details"]["http"]["server_errors"] == 0
    assert results["details"]["page_reads"]["within_bound"]
    assert len(results["details"]["cold_start"]["slowest_imports"]) == 10
    # The headline cold start is the default path's: the key read through the extension, as deployed by default
    cold = results["details"]["cold_start"]
    assert (results["cold_start_ms"], results["cold_start_ratio"]) == (
        cold["median_ms"]["extension"],
        cold["ratios"]["extension"],
    )
    assert results["cold_start_boto3_ms"] == cold["median_ms"]["boto3"]
    assert "scale_ratio_1k_vs_100_page" in results
    assert "1. warm overhead" in table(results)
    assert results["details"]["rebuild"]["elements_written"] >= 300  # every player, and the mark
    assert "11. the seed's Node.js handlers" in table(results)
    if "peer_skipped" in results:
        assert "skipped" in results["details"]["peer"]
    else:
        for key in PEER:
            assert isinstance(results[key], float | int), key
            assert results[key] > 0, key
        assert set(results["details"]["peer"]["warm"]) == {"submit", "standing", "page"}
