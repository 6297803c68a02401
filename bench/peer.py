"""The seed side by side: its three Node.js handlers (Middy, Middy's SSM middleware, the Momento Node.js SDK; in
bench/peer/, pinned, installed with `npm ci` from its lockfile when missing), warm p50/p99 per route against ours in
alternating blocks, each side timing its own invocations in its own process; and the cold start of its page handler
as CDK bundles it (and from node_modules) against ours, interleaved, each a fresh process from spawn to exit.
Skipped, saying why, without Node.js 20+ and npm, and in the quick plan (whose runs must not install packages).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.cold_start import BOARD as COLD_BOARD
from bench.cold_start import ColdStarts
from bench.harness import ROOT, Bench, Measured, function_environment, handler_call, p50, ratio, summary, timed
from tests.support import lambda_fakes as fakes

PEER = ROOT / "bench" / "peer"
PEER_NODE_MAJOR = 20  # the peer's Middy 6 needs Node.js 20 or later
PEER_ROUTES = {"submit": 202, "standing": 200, "page": 200}  # each route and the status its measured path answers
OURS = {"submit": "submit_score", "standing": "get_standing", "page": "get_leaderboard"}
PEER_ROUNDS = 10  # blocks of each side per route, alternating, so drift hits both alike
PLAYERS = 1000


class PeerUnavailableError(Exception):
    """Why the peer cannot run on this machine."""


def measure(bench: Bench) -> Measured:
    if not bench.plan.peer:
        return _skipped("not in this plan (the quick plan installs no packages)")
    try:
        node, version = peer_setup()
    except PeerUnavailableError as reason:
        return _skipped(str(reason))
    manifest = json.loads((PEER / "package.json").read_text(encoding="utf-8"))
    with peer_driver(node, bench) as invoke:
        warm = peer_warm(bench, invoke)
    cold = peer_cold_starts(node, bench)
    details = {"node": version, "packages": manifest["dependencies"], "warm": warm, "cold_start": cold}
    medians = cold["median_ms"]
    figures: dict[str, float | int] = {
        **{f"peer_ratio_{route}": row["ratio_p50"] for route, row in warm.items()},
        "peer_cold_ms": medians["bundle"],
        "peer_cold_node_modules_ms": medians["node_modules"],
        "peer_cold_ratio": ratio(medians["ours"], medians["bundle"]),
    }
    return Measured(figures, details)


def _skipped(why: str) -> Measured:
    return Measured({}, {"skipped": why})


def peer_setup() -> tuple[str, str]:
    """Node.js, the peer's pinned packages (`npm ci` from its lockfile when node_modules is missing or was installed
    from another lockfile) and its bundle: node's path and version, or PeerUnavailableError saying why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise PeerUnavailableError("Node.js and npm are not on PATH")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    major = re.match(r"v(\d+)\.", version)
    if major is None or int(major.group(1)) < PEER_NODE_MAJOR:
        raise PeerUnavailableError(
            f"Node.js {version or '(unknown version)'}: the peer needs {PEER_NODE_MAJOR} or later"
        )
    lock = hashlib.sha256((PEER / "package-lock.json").read_bytes()).hexdigest()
    stamp = PEER / "node_modules" / ".bench-lockfile-sha256"
    if not stamp.is_file() or stamp.read_text(encoding="utf-8") != lock:
        print("bench: installing the peer's pinned Node.js packages (npm ci in bench/peer)...", file=sys.stderr)
        installed = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PEER, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if installed.returncode != 0:
            output = (installed.stderr or installed.stdout).strip()[-500:]
            raise PeerUnavailableError(f"npm ci failed in bench/peer: {output}")
        stamp.write_text(lock, encoding="utf-8")
    built = subprocess.run([node, "build.mjs"], cwd=PEER, capture_output=True, text=True, check=False)
    if built.returncode != 0:
        raise RuntimeError(f"the peer's bundle did not build: {built.stderr.strip()[-500:]}")
    return node, version


def peer_environment(bench: Bench) -> dict[str, str]:
    """The functions' environment (the peer reads the same names: the key parameter, the cache, the local servers)."""
    # The AWS SDK's notice that its releases after January 2027 need Node.js 22, printed on Node.js 20, silenced.
    notice = {"AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true"}
    return {"PATH": os.environ.get("PATH", ""), **function_environment(bench.servers), **notice}


@contextlib.contextmanager
def peer_driver(node: str, bench: Bench) -> Iterator[Callable[[str, list[Any]], list[float]]]:
    """bench/peer/drive.mjs: the three peer handlers loaded once in one Node.js process (a warm execution environment
    each); the function given invokes a route's handler with each event, timed in that process, and returns the
    times (us), having checked every answer's status."""
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [node, "drive.mjs"], cwd=PEER, env=peer_environment(bench),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True,
        )  # fmt: skip
        assert process.stdin is not None
        assert process.stdout is not None
        stdin, stdout = process.stdin, process.stdout

        def reply() -> dict[str, Any]:
            line = stdout.readline()
            if not line:
                errors.seek(0)
                raise RuntimeError(f"the peer's driver stopped: {errors.read()[-2000:]}")
            answer: dict[str, Any] = json.loads(line)
            return answer

        def invoke(route: str, events: list[Any]) -> list[float]:
            stdin.write(json.dumps({"route": route, "events": events}) + "\n")
            stdin.flush()
            answer = reply()
            assert set(answer["statuses"]) == {PEER_ROUTES[route]}, (route, answer["statuses"], answer["last"])
            times: list[float] = answer["times_us"]
            return times

        try:
            assert reply() == {"ready": True}
            yield invoke
        finally:
            stdin.close()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def peer_warm(bench: Bench, invoke: Callable[[str, list[Any]], list[float]]) -> dict[str, Any]:
    """Each route, ours and theirs in alternating blocks (PEER_ROUNDS of each, in shuffled order per round), on one
    board with the same events; the first 50 of each warm the connections and the caches and are left out."""
    board = "peer"
    players = bench.fill(board, PLAYERS)
    make_event: dict[str, Callable[[int], Any]] = {
        "submit": lambda i: fakes.submit_event(board, players[i % PLAYERS], {"score": float(i)}),
        "standing": lambda i: fakes.standing_event(board, players[i % PLAYERS]),
        "page": lambda i: fakes.page_event(board, {"startRank": str(i % 900), "endRank": str(i % 900 + 20)}),
    }
    rng = random.Random(10)
    block = max(1, bench.plan.samples // PEER_ROUNDS)
    results: dict[str, Any] = {}
    for name, make in make_event.items():
        handler = bench.handlers[OURS[name]]
        invoke(name, [make(i) for i in range(50)])
        for i in range(50):
            handler_call(handler, make(i), bench.context, PEER_ROUTES[name])()
        ours: list[float] = []
        theirs: list[float] = []
        for round_number in range(PEER_ROUNDS):
            indices = range(50 + round_number * block, 50 + (round_number + 1) * block)
            sides = ["ours", "theirs"]
            rng.shuffle(sides)
            for side in sides:
                if side == "theirs":
                    theirs.extend(invoke(name, [make(i) for i in indices]))
                else:
                    calls = [handler_call(handler, make(i), bench.context, PEER_ROUTES[name]) for i in indices]
                    ours.extend(timed(call) for call in calls)
        results[name] = {"ours": summary(ours), "theirs": summary(theirs), "ratio_p50": ratio(p50(ours), p50(theirs))}
    return results


def peer_cold_starts(node: str, bench: Bench) -> dict[str, Any]:
    """A fresh process to the exit after the first response of the page handler, on the same board of 100 (their SSM
    fetch against moto, their Momento client, one fetch): theirs as CDK ships it (the esbuild bundle,
    bench/peer/build.mjs) and from node_modules, ours as cold_start.py runs it; interleaved, Plan.cold_runs each."""
    cold = ColdStarts(bench)
    event = json.dumps(fakes.page_event(COLD_BOARD))
    environment = peer_environment(bench)
    modules = {"bundle": PEER / "dist" / "get-leaderboard.cjs", "node_modules": PEER / "src" / "get-leaderboard.mjs"}

    def theirs(module: Path) -> float:
        started = time.monotonic()
        result = subprocess.run(
            [node, "cold.cjs", str(module), event], cwd=PEER, env=environment, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        elapsed_ms = (time.monotonic() - started) * 1000
        if result.returncode != 0:
            raise RuntimeError(f"the peer's cold start failed: {result.stderr[-2000:]}")
        return elapsed_ms

    variants: dict[str, Callable[[int], float]] = {
        **{name: lambda _, module=module: theirs(module) for name, module in modules.items()},  # type: ignore[misc]
        "ours": lambda number: cold.run("get_leaderboard", 100 + number, 0).wall_ms,
    }
    try:
        for run in variants.values():
            run(-3)  # first runs fill the OS file cache
        times: dict[str, list[float]] = {name: [] for name in variants}
        for number in range(bench.plan.cold_runs):
            for name, run in variants.items():
                times[name].append(run(number))
    finally:
        cold.close()
    return {
        "runs": bench.plan.cold_runs,
        "median_ms": {name: round(statistics.median(values), 1) for name, values in times.items()},
    }
