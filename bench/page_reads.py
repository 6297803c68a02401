"""What identical page reads cost Momento through `make dev`'s server, with the page cache on (the template's
ReadCacheSeconds) and off (0): 16 clients reading the same top-20 page for 10 s, Momento operations counted by the
embedded momento-local's meter (as Momento bills them), read before and after with SIGUSR1. Then a poller sending
If-None-Match every 0.25 s while a writer changes the board every second: how many of its polls are 304s.

The bound checked: operations with the cache on <= (windows in the run + 1) x function instances x the operations
of one uncached read, since each instance fetches a page at most once per window.
"""

from __future__ import annotations

import math
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests

from bench.harness import ROOT, Bench, Measured

API_KEY = "bench-api-key"
BOARD = "menu"
PLAYERS = 100
PAGE = "?startRank=0&endRank=20"
MAX_INSTANCES = 10  # devserver.runtime.FunctionPool's execution environments per function, as a concurrency cap
WINDOW_SECONDS = 2  # template.yaml's ReadCacheSeconds default
FILL_ATTEMPTS = 5
TOTAL_ROW = re.compile(r"^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


class DevServer:
    """`python -m devserver` in its own process (so it never shares this one's interpreter lock), its output kept."""

    def __init__(self, read_cache_seconds: int, environment: dict[str, str]) -> None:
        """`environment`: the shell's, as `make dev` gets it (see Bench.shell_environment)."""
        self.lines: list[str] = []
        self._meters = threading.Semaphore(0)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devserver", "--port", "0", "--no-reload", "--cold", "--api-key", API_KEY,
             "--parameter-overrides", f"ReadCacheSeconds={read_cache_seconds}"],
            cwd=ROOT, env={**environment, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.url = ""
        for line in self.process.stdout:
            if match := re.search(r"dev server on (\S+)", line):
                self.url = match.group(1)
            if line.startswith("Ready."):
                break
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if TOTAL_ROW.match(line):
                self._meters.release()

    def operations(self) -> int:
        """Momento operations spent so far, as the meter's total row says."""
        self.process.send_signal(signal.SIGUSR1)
        if not self._meters.acquire(timeout=10):
            raise RuntimeError("the dev server printed no meter")
        row = next(match for line in reversed(self.lines) if (match := TOTAL_ROW.match(line)))
        return int(row[2])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


@contextmanager
def dev_server(read_cache_seconds: int, environment: dict[str, str]) -> Iterator[DevServer]:
    server = DevServer(read_cache_seconds, environment)
    try:
        yield server
    finally:
        server.stop()


def _fill(url: str, players: int) -> None:
    """The board, through the API. A 5xx is tried again, as a client would (the first requests start the functions'
    execution environments, which a busy machine can keep past the functions' timeout): this is not measured."""
    with requests.Session() as session:
        for player in range(players):
            for attempt in range(FILL_ATTEMPTS):
                response = session.post(
                    f"{url}/{BOARD}/p{player:03d}",
                    json={"score": player * 10},
                    headers={"x-api-key": API_KEY},
                    timeout=30,
                )
                if response.status_code < 500 or attempt == FILL_ATTEMPTS - 1:
                    break
            response.raise_for_status()


def _readers(url: str, clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(_: int) -> None:
        with requests.Session() as session:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                response = session.get(f"{url}/{BOARD}{PAGE}", timeout=30)
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    statuses.append(response.status_code)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    latencies.sort()
    return {
        "reads": len(latencies),
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, math.ceil(len(latencies) * 0.99) - 1)], 2),
        "non_200": sum(1 for status in statuses if status != 200),
    }


def _measure(
    read_cache_seconds: int, clients: int, seconds: float, players: int, environment: dict[str, str]
) -> dict[str, Any]:
    with dev_server(read_cache_seconds, environment) as server:
        _fill(server.url, players)
        # Not counted: a first round at full concurrency starts the execution environments (a cold start each).
        _readers(server.url, clients, min(3.0, seconds))
        time.sleep(read_cache_seconds)  # what that round kept expires: the counted run pays its own fetches
        before = server.operations()
        reads = _readers(server.url, clients, seconds)
        operations = server.operations() - before
        poll = _poller(server.url, seconds) if read_cache_seconds else None
    return {
        **reads,
        "momento_operations": operations,
        "momento_ops_per_1000_page_reads": round(operations * 1000 / max(1, reads["reads"]), 1),
        "poller": poll,
    }


def _poller(url: str, seconds: float) -> dict[str, Any]:
    """A client polling the page with If-None-Match every 0.25 s while one player's score changes every second."""
    stop = threading.Event()

    def write() -> None:
        score = 10_000
        with requests.Session() as session:
            while not stop.wait(1.0):
                score += 1
                session.post(f"{url}/{BOARD}/leader", json={"score": score}, headers={"x-api-key": API_KEY}, timeout=30)

    writer = threading.Thread(target=write)
    writer.start()
    statuses: list[int] = []
    tag = ""
    try:
        with requests.Session() as session:
            stop_at = time.perf_counter() + seconds
            while time.perf_counter() < stop_at:
                headers = {"If-None-Match": tag} if tag else {}
                response = session.get(f"{url}/{BOARD}{PAGE}", headers=headers, timeout=30)
                statuses.append(response.status_code)
                tag = response.headers.get("ETag", tag)
                time.sleep(0.25)
    finally:
        stop.set()
        writer.join()
    return {
        "polls": len(statuses),
        "not_modified": statuses.count(304),
        "not_modified_ratio": round(statuses.count(304) / max(1, len(statuses)), 3),
        "other": len([s for s in statuses if s not in (200, 304)]),
    }


def page_read_cost(clients: int, seconds: float, environment: dict[str, str], players: int = PLAYERS) -> dict[str, Any]:
    off = _measure(0, clients, seconds, players, environment)
    on = _measure(WINDOW_SECONDS, clients, seconds, players, environment)
    per_fetch = off["momento_operations"] / max(1, off["reads"])
    bound = (math.ceil(seconds / WINDOW_SECONDS) + 1) * MAX_INSTANCES * per_fetch
    ratio = on["momento_ops_per_1000_page_reads"] / max(0.1, off["momento_ops_per_1000_page_reads"])
    return {
        "clients": clients,
        "seconds": seconds,
        "players": players,
        "window_s": WINDOW_SECONDS,
        "off": off,
        "on": on,
        "on_vs_off": round(ratio, 4),
        "operations_per_uncached_read": round(per_fetch, 2),
        "bound_operations": round(bound, 1),
        "within_bound": on["momento_operations"] <= bound,
    }


def measure(bench: Bench) -> Measured:
    reads = page_read_cost(
        bench.plan.http_clients, bench.plan.http_seconds, bench.shell_environment, players=bench.plan.page_players
    )
    on, off = reads["on"], reads["off"]
    figures: dict[str, float | int] = {
        "momento_ops_per_1000_page_reads": on["momento_ops_per_1000_page_reads"],
        "momento_ops_per_1000_page_reads_uncached": off["momento_ops_per_1000_page_reads"],
        "momento_ops_page_reads_on_vs_off": reads["on_vs_off"],
        "http_rps_page_reads": on["rps"],
        "http_p99_ms_page_reads": on["p99_ms"],
        "not_modified_ratio": on["poller"]["not_modified_ratio"],
    }
    return Measured(figures, reads)
