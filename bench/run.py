"""`make bench`: what our code adds on top of the unavoidable cost, each feature measured by its own module, in order:

 1. warm_overhead   each route's handler against the fewest bare calls that answer it; how a standing is read
 2. cold_start      every route's cold start against the durable floor; the first invoke after init against warm
 3. board_size      submit, standing and page at 1,000 / 100,000 / 1,000,000 players
 4. http_load       requests per second and p99 through `make dev`'s server
 5. durable         a rebuild of 100,000 players from the record by the scheduled keep-alive
 6. board_rules     around-me, friends, shared ranks against the bare page fetch
 7. periods         submit with four kinds of period against all time only; last week read after its index expired
 8. page_reads      Momento operations per 1,000 identical page reads, page cache on and off; a poller's 304s
 9. feature_costs   submit and page at each layer from the bare calls to the handler
10. peer            the seed's Node.js handlers side by side (skipped in the quick plan)

Writes bench/results.json, then docs/performance.md from it (bench/report.py, which also runs alone).

    python -m bench.run [--quick] [--only MODULE ...] [--output PATH] [--report PATH]

--only runs the modules named and keeps the others' figures from the results file, when it was written with the
same plan. --quick is a smoke run of the harness (figures meaningless): it writes to a temporary directory unless
told where.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.harness import FULL, QUICK, ROOT, Measured, Plan, bench

MODULES = (
    "warm_overhead",
    "cold_start",
    "board_size",
    "http_load",
    "durable",
    "board_rules",
    "periods",
    "page_reads",
    "feature_costs",
    "peer",
)
RESULTS = ROOT / "bench" / "results.json"
REPORT = ROOT / "docs" / "performance.md"


def run(plan: Plan, only: tuple[str, ...] = MODULES, earlier: dict[str, Any] | None = None) -> dict[str, Any]:
    """The modules named, in MODULES' order, on one set of servers; the results of `earlier` (a results file of
    the same plan) kept for the others."""
    started = time.perf_counter()
    modules: dict[str, Any] = dict((earlier or {}).get("modules", {}))
    with bench(plan) as setup:
        for name in (name for name in MODULES if name in only):
            print(f"bench: {name}...", file=sys.stderr, flush=True)
            began = time.perf_counter()
            # The functions' logs and metrics go to stdout, as CloudWatch takes them: not into the bench's output.
            with contextlib.redirect_stdout(io.StringIO()):
                measured: Measured = importlib.import_module(f"bench.{name}").measure(setup)
            modules[name] = {
                "elapsed_s": round(time.perf_counter() - began, 1),
                "figures": measured.figures,
                "details": measured.details,
            }
    return {
        "command": "make bench",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "plan": asdict(plan),
        "figures": {
            figure: value for name in MODULES if name in modules for figure, value in modules[name]["figures"].items()
        },
        "modules": {name: modules[name] for name in MODULES if name in modules},
        "elapsed_s": round(time.perf_counter() - started, 1),  # this run's: its servers and the modules it ran
    }


def same_plan(results: dict[str, Any], plan: Plan) -> bool:
    """Whether a results file was written by a run of `plan`: compared as JSON holds it (its lists are the plan's
    tuples)."""
    return bool(results.get("plan") == json.loads(json.dumps(asdict(plan))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of the harness (figures meaningless)")
    parser.add_argument("--only", nargs="+", choices=MODULES, default=MODULES, metavar="MODULE", help="modules to run")
    parser.add_argument("--output", type=Path, help=f"the results file [{RESULTS.relative_to(ROOT)}]")
    parser.add_argument("--report", type=Path, help=f"the report [{REPORT.relative_to(ROOT)}]")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    scratch = Path(tempfile.mkdtemp(prefix="bench-quick-")) if args.quick else None
    output: Path = args.output or (scratch / "results.json" if scratch else RESULTS)
    destination: Path = args.report or (scratch / "performance.md" if scratch else REPORT)
    earlier = None
    if set(args.only) != set(MODULES) and output.is_file():
        previous = json.loads(output.read_text(encoding="utf-8"))
        earlier = previous if same_plan(previous, plan) else None
    results = run(plan, tuple(args.only), earlier)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report.write(results, destination)
    print(report.summary(results))
    print(f"\nresults: {output}\nreport: {destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
