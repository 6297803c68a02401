"""HTTP load: requests per second, p50 and p99 through `make dev`'s server (its own process, with its own local
servers), Plan.http_clients concurrent clients for Plan.http_seconds, 20% writes, 40% standings, 40% pages."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.harness import ROOT, Bench, Measured, p50, p99

API_KEY = "bench-api-key"


def measure(bench: Bench) -> Measured:
    plan = bench.plan
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devserver", "--port", "0", "--no-reload", "--cold", "--api-key", API_KEY],
            cwd=ROOT, env={**bench.shell_environment, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=log,
            text=True,
        )  # fmt: skip
        try:
            url = _ready(process)
            for path in ("/http", "/http/warm"):
                requests.get(url + path, timeout=30)  # the functions' first (cold) requests stay out of the figures
            requests.post(url + "/http/warm", json={"score": 1}, headers={"x-api-key": API_KEY}, timeout=30)
            latencies: list[float] = []
            statuses: list[int] = []
            lock = threading.Lock()
            stop_at = 0.0

            def client(number: int) -> None:
                rng = random.Random(number)
                with requests.Session() as session:
                    while time.perf_counter() < stop_at:
                        kind = rng.random()
                        player = f"p{rng.randrange(500)}"
                        started = time.perf_counter()
                        if kind < 0.2:
                            response = session.post(
                                f"{url}/http/{player}", json={"score": rng.randrange(10**6)},
                                headers={"x-api-key": API_KEY}, timeout=30,
                            )  # fmt: skip
                        elif kind < 0.6:
                            response = session.get(f"{url}/http/{player}", timeout=30)
                        else:
                            response = session.get(f"{url}/http", timeout=30)
                        elapsed = (time.perf_counter() - started) * 1000
                        with lock:
                            latencies.append(elapsed)
                            statuses.append(response.status_code)

            # A first round at full concurrency, not counted: the server starts an execution environment per
            # concurrent request (a cold start each), as Lambda does; the figures are for warm ones.
            for seconds, counted in ((min(3.0, plan.http_seconds), False), (plan.http_seconds, True)):
                stop_at = time.perf_counter() + seconds
                with ThreadPoolExecutor(max_workers=plan.http_clients) as pool:
                    list(pool.map(client, range(plan.http_clients)))
                if not counted:
                    latencies.clear()
                    statuses.clear()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    details: dict[str, Any] = {
        "clients": plan.http_clients,
        "seconds": plan.http_seconds,
        "requests": len(latencies),
        "rps": round(len(latencies) / plan.http_seconds, 1),
        "p50_ms": round(p50(latencies), 2),
        "p99_ms": round(p99(latencies), 2),
        "server_errors": sum(1 for status in statuses if status >= 500),
    }
    figures: dict[str, float | int] = {k: details[k] for k in ("rps", "p50_ms", "p99_ms")}
    return Measured({f"http_{name}": value for name, value in figures.items()}, details)


def _ready(process: subprocess.Popen[str]) -> str:
    """The dev server's URL once it says it is ready; its further output drained meanwhile."""
    assert process.stdout is not None
    url = ""
    for line in process.stdout:
        if match := re.search(r"dev server on (\S+)", line):
            url = match.group(1)
        if line.startswith("Ready."):
            break
    if not url:
        raise RuntimeError("the dev server did not start")
    stdout = process.stdout
    threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()
    return url
