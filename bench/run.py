"""`make bench`: what our code adds on top of the unavoidable cost, measured side by side in one run.

1. Warm overhead: each route through its full handler (chain, validation, logging, metrics; tracing off, as in a
   local run) against the bare SDK call(s) that route needs, interleaved, on the same momento-local server.
2. Standing: score and rank fetched concurrently, sequentially, and one single SDK call.
3. Cold start: a fresh Python process importing a handler, initialising and serving its first request (the key
   fetched from SSM in moto, the Momento client created) against `import momento` plus one bare SDK call. The
   headline figures (`cold_start_ms`, `cold_start_ratio`) are the default path's: the key read through the
   Parameters and Secrets extension (a local stand-in here), as the template deploys it in every region its table
   lists a layer for. Also that path with X-Ray tracing on, and the boto3 path (`cold_start_boto3_*`), taken with
   ParametersSecretsExtensionLayerArn=none or in a region without a layer. Ten slowest imports of the default path,
   from -X importtime.
4. Board size: p50 of submit, standing and a 20-entry page at 1,000 / 100,000 / 1,000,000 players.
5. HTTP: requests per second and p99 through `make dev`'s server, 16 concurrent clients, 20% writes.
6. Durable boards: each route against the same route before the record; a rebuild of 100,000 players.
7. Board rules: around-me, friends, shared ranks against a v1 page.
8. Periods: submit p50 on a board keeping all four kinds against one keeping all time only; a read of last week
   whose index expired: time to its first answer, rebuild included.
9. Page reads: Momento operations per 1,000 identical page reads through `make dev`, page cache on and off; a
   poller's share of 304s. (bench/page_reads.py)
10. Which kept feature costs what: submit and page at each layer from the bare SDK call to the handler, interleaved
   (bench/feature_costs.py).
11. The seed side by side: its three Node.js handlers (Middy, Middy's SSM middleware, the Momento Node.js SDK; in
   bench/peer/, pinned and installed by the bench), warm p50/p99 per route against ours in alternating blocks, and
   the cold start of its page handler bundled as CDK bundles it. Skipped, saying why, without Node.js 20+ and npm.

Servers run in their own processes (momento-local, moto), so they never share this process's interpreter lock.
Writes bench/results.json and prints a table. `python -m bench.run [--quick] [--output PATH]`
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import importlib
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench.feature_costs import feature_cost_lines, feature_costs
from bench.page_reads import page_read_cost
from devserver.local_aws import dynamodb_client, ssm_client
from devserver.tables import create_tables
from tests.support import lambda_fakes as fakes
from tests.support.record import leaderboard_table_spec

ROOT = Path(__file__).resolve().parents[1]
CACHE = "leaderboard"
KEY = "bench-momento-key"
KEY_PARAMETER = "/leaderboard-api/bench/momento-api-key"
SESSION_TOKEN = "bench-session-token"
HTTP_API_KEY = "bench-api-key"
SIMULATED_LATENCY_MS = 2  # a Lambda-to-Momento round trip inside one region, roughly
# How a deployed function reads the key by default (template.yaml: ParametersSecretsExtensionLayerArn=auto attaches
# the extension in every region its table lists a layer for): the cold start figures without a qualifier are this
# path's.
DEFAULT_KEY_PATH = "extension"
WHOLE_MARK = "\x00whole"  # src/shared/stores/momento/index.py's mark of a whole set
SETTINGS_MARK = "\x00settings"  # and of the board's settings: the default ones are -2^60
REBUILD_PLAYERS = 100_000
PERIOD_PLAYERS = 10_000  # the past period read back after its index expired


@dataclass(frozen=True)
class Plan:
    samples: int
    sizes: tuple[int, ...]
    size_samples: int
    cold_runs: int
    http_seconds: float
    http_clients: int
    rebuild_players: int
    period_players: int
    page_players: int  # on the board whose top-20 page identical readers read
    layer_players: int  # on the board whose writes and pages are measured layer by layer (section 10)


FULL = Plan(
    samples=1500,
    sizes=(1_000, 100_000, 1_000_000),
    size_samples=400,
    cold_runs=7,
    http_seconds=10,
    http_clients=16,
    rebuild_players=REBUILD_PLAYERS,
    period_players=PERIOD_PLAYERS,
    page_players=100,
    layer_players=1000,
)
QUICK = Plan(
    samples=40,
    sizes=(100, 1_000),
    size_samples=20,
    cold_runs=1,
    http_seconds=1.0,
    http_clients=4,
    rebuild_players=300,
    period_players=300,
    page_players=20,
    layer_players=100,
)


# --- Servers -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def servers() -> Iterator[dict[str, str]]:
    """momento-local (item cap lifted: the board-size runs hold a million players) and moto, each its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    momento = subprocess.Popen(
        [sys.executable, "-m", "momento_local", "--port", "0", "--cache", CACHE, "--token", KEY,
         "--max-item-size-bytes", str(1 << 40)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert momento.stdout is not None
    address = re.search(r"listening on (\S+)", momento.stdout.readline())
    ssm_port = free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ssm_port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ssm_endpoint = f"http://127.0.0.1:{ssm_port}"
    try:
        assert address, "momento-local did not start"
        _wait_for_port(ssm_port)
        ssm_client(ssm_endpoint).put_parameter(Name=KEY_PARAMETER, Value=KEY, Type="SecureString", Overwrite=True)
        create_tables(dynamodb_client(ssm_endpoint), [leaderboard_table_spec()])  # moto is DynamoDB too
        yield {"momento": address.group(1), "ssm": ssm_endpoint}
    finally:
        for process in (momento, moto):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


def _wait_for_port(port: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def function_environment(addresses: dict[str, str]) -> dict[str, str]:
    """What the template gives the functions in production (INFO logs), pointed at the local servers."""
    return {
        "MOMENTO_API_KEY_PARAM_NAME": KEY_PARAMETER,
        "MOMENTO_CACHE_NAME": CACHE,
        "MOMENTO_LOCAL_ADDRESS": addresses["momento"],
        "AWS_ENDPOINT_URL_SSM": addresses["ssm"],
        "AWS_ENDPOINT_URL_DYNAMODB": addresses["ssm"],
        "LEADERBOARD_TABLE_NAME": leaderboard_table_spec().name,
        "LEADERBOARD_TTL_SECONDS": "86400",
        "BOARD_RETENTION_DAYS": "0",
        "REBUILD_ELEMENTS_PER_SECOND": "50",
        # Off: these sections compare each read's work with the bare SDK's; section 9 measures the page cache.
        "READ_CACHE_SECONDS": "0",
        "POWERTOOLS_SERVICE_NAME": "leaderboard-api",
        "POWERTOOLS_METRICS_NAMESPACE": "leaderboard-api",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
    }


# --- Events and timing ---------------------------------------------------------------------------------------


def submit_event(board: str, player: str, score: float) -> Any:
    return fakes.submit_event(board, player, {"score": score})


def page_event(board: str, start: int) -> Any:
    return fakes.page_event(board, {"startRank": str(start), "endRank": str(start + 20)})


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1e6


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_us": round(p50(values), 1), "p99_us": round(p99(values), 1)}


# --- 1, 2 and 4: in this process, through the handlers and through the bare SDK -------------------------------


def load_handlers(addresses: dict[str, str]) -> dict[str, Callable[[Any, Any], Any]]:
    """The three handlers, imported afresh with the functions' environment (a new execution environment)."""
    os.environ.update(function_environment(addresses))
    sys.path.insert(0, str(ROOT / "src"))
    for name in [n for n in sys.modules if n in ("shared", "handlers") or n.startswith(("shared.", "handlers."))]:
        del sys.modules[name]
    return {
        "submit": importlib.import_module("handlers.submit_score").lambda_handler,
        "standing": importlib.import_module("handlers.get_standing").lambda_handler,
        "page": importlib.import_module("handlers.get_leaderboard").lambda_handler,
        "around": importlib.import_module("handlers.get_around").lambda_handler,
    }


def sdk_client(addresses: dict[str, str], latency_ms: int = 0) -> Any:
    """The SDK as the functions configure it; `latency_ms` asks momento-local to hold each call that long, as a
    network between Lambda and Momento would (the local server otherwise answers in well under a millisecond)."""
    from momento import CacheClient, Configurations, CredentialProvider  # noqa: PLC0415

    from momento_local.client_metadata import MetadataMiddleware  # noqa: PLC0415

    host, _, port = addresses["momento"].rpartition(":")
    credentials = CredentialProvider(KEY, host, host, host, int(port))
    config: Any = Configurations.Lambda.latest()
    if latency_ms:
        config = config.with_middlewares([MetadataMiddleware(delay_ms=str(latency_ms))])
    return CacheClient.create(config, credentials, timedelta(days=1), eager_connection_timeout=timedelta(seconds=5))


def fill(client: Any, board: str, size: int, scores: int = 10_000_000) -> list[str]:
    """A board straight into Momento, with the mark of a whole set and the default settings (as a rebuild leaves
    them), so reads answer from the index alone, as they do in production; `scores`: how many different scores
    there are (fewer: more ties)."""
    rng = random.Random(size)
    players = [f"player-{i:07d}" for i in range(size)]
    for start in range(0, size, 5000):
        batch = {name: float(rng.randrange(scores)) for name in players[start : start + 5000]}
        response = client.sorted_set_put_elements(CACHE, board, batch)
        assert type(response).__name__ == "Success", response
    response = client.sorted_set_put_elements(
        CACHE, board, {SETTINGS_MARK: -(2.0**60), WHOLE_MARK: -sys.float_info.max}
    )
    assert type(response).__name__ == "Success", response
    return players


def warm_overhead(handlers: dict[str, Any], client: Any, plan: Plan) -> dict[str, Any]:
    """Handler and bare SDK calls, interleaved one for one, so drift hits both alike."""
    from momento.requests import CollectionTtl, SortOrder  # noqa: PLC0415

    board = "warm"
    players = fill(client, board, 1000)
    ttl = CollectionTtl(timedelta(days=1), refresh_ttl=True)
    rng = random.Random(1)
    pool = ThreadPoolExecutor(max_workers=1)

    def bare_standing(player: str) -> None:
        rank = pool.submit(client.sorted_set_get_rank, CACHE, board, player, SortOrder.DESCENDING)
        client.sorted_set_get_score(CACHE, board, player)
        rank.result()

    # Events are built before the clock starts: API Gateway builds them, not the function.
    make_event: dict[str, Callable[[int], Any]] = {
        "submit": lambda i: submit_event(board, players[i % 1000], float(i)),
        "standing": lambda i: fakes.standing_event(board, players[i % 1000]),
        "page": lambda i: page_event(board, i % 900),
    }
    bare_calls: dict[str, Callable[[int], Any]] = {
        "submit": lambda i: client.sorted_set_put_element(CACHE, board, players[i % 1000], float(i), ttl=ttl),
        "standing": lambda i: bare_standing(players[i % 1000]),
        "page": lambda i: client.sorted_set_fetch_by_rank(CACHE, board, i % 900, i % 900 + 20, SortOrder.DESCENDING),
    }
    context = fakes.lambda_context("leaderboard-api-bench")
    results: dict[str, Any] = {}
    for name, bare in bare_calls.items():
        handler = handlers[name]
        handler_times: list[float] = []
        bare_times: list[float] = []
        for i in range(plan.samples + 50):
            request = make_event[name](i)
            calls: list[tuple[Callable[[], object], list[float]]] = [
                (partial(handler, request, context), handler_times),
                (partial(bare, i), bare_times),
            ]
            rng.shuffle(calls)
            for call, sink in calls:
                elapsed = timed(call)
                if i >= 50:  # the first 50 of each warm the connection and the caches
                    sink.append(elapsed)
        results[name] = {
            "handler": summary(handler_times),
            "bare_sdk": summary(bare_times),
            "ratio_p50": round(p50(handler_times) / p50(bare_times), 3),
        }
    pool.shutdown()
    return results


def standing_strategies(client: Any, plan: Plan, board: str = "strategies") -> dict[str, Any]:
    from momento.requests import SortOrder  # noqa: PLC0415

    players = [f"player-{i:07d}" for i in range(1000)]
    pool = ThreadPoolExecutor(max_workers=1)

    def concurrent(player: str) -> None:
        rank = pool.submit(client.sorted_set_get_rank, CACHE, board, player, SortOrder.DESCENDING)
        client.sorted_set_get_score(CACHE, board, player)
        rank.result()

    def sequential(player: str) -> None:
        client.sorted_set_get_score(CACHE, board, player)
        client.sorted_set_get_rank(CACHE, board, player, SortOrder.DESCENDING)

    def single(player: str) -> None:
        client.sorted_set_get_score(CACHE, board, player)

    strategies = {"concurrent": concurrent, "sequential": sequential, "single_call": single}
    times: dict[str, list[float]] = {name: [] for name in strategies}
    for i in range(plan.samples // 2 + 50):
        for name, strategy in strategies.items():
            elapsed = timed(lambda strategy=strategy, i=i: strategy(players[i % 1000]))  # type: ignore[misc]
            if i >= 50:
                times[name].append(elapsed)
    pool.shutdown()
    results: dict[str, Any] = {name: summary(values) for name, values in times.items()}
    results["concurrent_vs_single"] = round(p50(times["concurrent"]) / p50(times["single_call"]), 3)
    results["sequential_vs_single"] = round(p50(times["sequential"]) / p50(times["single_call"]), 3)
    return results


def board_sizes(handlers: dict[str, Any], client: Any, plan: Plan) -> dict[str, Any]:
    rng = random.Random(2)
    results: dict[str, Any] = {}
    for size in plan.sizes:
        board = f"size-{size}"
        players = fill(client, board, size)
        count = plan.size_samples + 20
        events_by_route = {
            "submit": [submit_event(board, players[rng.randrange(size)], float(i)) for i in range(count)],
            "standing": [fakes.standing_event(board, players[rng.randrange(size)]) for _ in range(count)],
            "page": [page_event(board, rng.randrange(max(1, size - 20))) for _ in range(count)],
        }
        results[str(size)] = {}
        context = fakes.lambda_context("leaderboard-api-bench")
        for name, requests in events_by_route.items():
            handler = handlers[name]
            values = [timed(partial(handler, request, context)) for request in requests][20:]
            results[str(size)][name] = summary(values)
        client.delete(CACHE, board)
    return results


# --- 6: durable boards: the record's cost on writes, reads unchanged, a rebuild --------------------------------


def v1_handlers() -> dict[str, Callable[[Any, Any], Any]]:
    """The routes as they were before the record: the same chain, over the index alone, with v1's Momento calls
    (a put; score and rank at once; one fetch), so "before" is measured in the same run as "after"."""
    from momento.requests import SortOrder  # noqa: PLC0415

    from shared.composition import leaderboards  # noqa: PLC0415
    from shared.domain.rules import PageRequest, PlayerRef, Submission  # noqa: PLC0415
    from shared.http.parsing import parse_page_request, parse_player_ref, parse_submission  # noqa: PLC0415
    from shared.http.api import api_handler  # noqa: PLC0415 - the functions' modules, imported by load_handlers
    from shared.http.responses import accepted, ok  # noqa: PLC0415
    from shared.platform.secret import Secret  # noqa: PLC0415

    store = leaderboards()._index
    pool = ThreadPoolExecutor(max_workers=1)

    @api_handler(parse_submission, json_body=True)
    def submit(submission: Submission, key: Secret) -> Any:
        store.put_score(submission.leaderboard, submission.player, submission.score, key)
        return accepted({"leaderboard": submission.leaderboard, "name": submission.player})

    @api_handler(parse_player_ref)
    def standing(ref: PlayerRef, key: Secret) -> Any:
        def both(client: Any) -> Any:
            rank = pool.submit(client.sorted_set_get_rank, CACHE, ref.leaderboard, ref.player, SortOrder.DESCENDING)
            return client.sorted_set_get_score(CACHE, ref.leaderboard, ref.player), rank.result()

        score, rank = store._with_key(key, both)
        return ok({"score": score.score, "rank": rank.rank})

    @api_handler(parse_page_request)
    def page(request: PageRequest, key: Secret) -> Any:
        fetched: Any = store._with_key(
            key,
            lambda client: client.sorted_set_fetch_by_rank(
                CACHE, request.leaderboard, request.start_rank, request.end_rank, SortOrder.DESCENDING
            ),
        )
        return ok({"leaderboard": [{"name": v.decode(), "score": s} for v, s in fetched.value_list_bytes]})

    return {"submit": submit, "standing": standing, "page": page}


def durable_overhead(handlers: dict[str, Any], client: Any, plan: Plan) -> dict[str, Any]:
    """Each route now against the same route before the record, interleaved one for one (momento-local and moto
    each in their own process, on loopback)."""
    board = "durable"
    players = fill(client, board, 1000)
    before = v1_handlers()
    rng = random.Random(3)
    make_event: dict[str, Callable[[int], Any]] = {
        "submit": lambda i: submit_event(board, players[i % 1000], float(i)),
        "standing": lambda i: fakes.standing_event(board, players[i % 1000]),
        "page": lambda i: page_event(board, i % 900),
    }
    context = fakes.lambda_context("leaderboard-api-bench")
    results: dict[str, Any] = {}
    for name, event in make_event.items():
        for handler in (handlers[name], before[name]):  # both measure the path that answers, not an error's
            assert handler(event(0), context)["statusCode"] < 300, name
        now_times: list[float] = []
        before_times: list[float] = []
        for i in range(plan.samples + 50):
            # One event each: the JSON body parser parses the body in place, as Middy's does.
            calls = [
                (partial(handlers[name], event(i), context), now_times),
                (partial(before[name], event(i), context), before_times),
            ]
            rng.shuffle(calls)
            for call, sink in calls:
                elapsed = timed(call)
                if i >= 50:
                    sink.append(elapsed)
        results[name] = {
            "now": summary(now_times),
            "before_the_record": summary(before_times),
            "ratio_p50": round(p50(now_times) / p50(before_times), 3),
        }
    return results


def board_reads(handlers: dict[str, Any], client: Any, plan: Plan) -> dict[str, Any]:
    """The reads board settings added, against a v1 page of 20 in the same run (interleaved one for one): around-me
    (5 each side), friends (50 names), and pages of a board with shared ranks against the same board with distinct
    ones, on a board with few ties and on one with many (20 players per score: most pages start inside a tie).

    Twice: on loopback, where momento-local answers one call at a time (so a read costs about its number of calls),
    and with SIMULATED_LATENCY_MS of network per call, where calls in flight together overlap as they do against
    Momento (so a read costs about its number of round trips)."""
    from shared.composition import leaderboards  # noqa: PLC0415 - the functions' own, imported by load_handlers

    players = fill(client, "reads", 1000)
    for board, scores in (("few-ties", 10_000_000), ("many-ties", 50)):
        for ties in ("distinct", "shared"):
            fill(client, f"{board}-{ties}", 1000, scores)
            leaderboards()._record.update_settings(f"{board}-{ties}", {"ties": ties}, int(time.time()))
    # Fewer samples than the other figures: a friends query over loopback takes tens of milliseconds.
    loopback = _board_reads(handlers, players, replace(plan, samples=max(10, plan.samples // 3)))
    with _network_latency(SIMULATED_LATENCY_MS):
        with_latency = _board_reads(handlers, players, replace(plan, samples=max(5, plan.samples // 10)))
    return {"loopback": loopback, f"{SIMULATED_LATENCY_MS}ms_latency": with_latency}


@contextlib.contextmanager
def _network_latency(latency_ms: int) -> Iterator[None]:
    """The functions' Momento client, made anew asking momento-local to hold each call `latency_ms` (raw calls on
    its channel included), then as it was."""
    from momento import CacheClient, Configurations  # noqa: PLC0415

    from momento_local.client_metadata import MetadataMiddleware  # noqa: PLC0415
    from shared.composition import leaderboards  # noqa: PLC0415

    store = leaderboards()._index
    original = store._create_client

    def delayed(key: str) -> Any:
        config = Configurations.Lambda.latest().with_middlewares([MetadataMiddleware(delay_ms=str(latency_ms))])
        return CacheClient.create(config, store._credentials(key), store._config.leaderboard_ttl)

    store._create_client = delayed  # type: ignore[method-assign]
    store._client = None
    try:
        yield
    finally:
        store._create_client = original  # type: ignore[method-assign]
        store._client = None


def _board_reads(handlers: dict[str, Any], players: list[str], plan: Plan) -> dict[str, Any]:
    v1_page = v1_handlers()["page"]
    rng = random.Random(5)
    friends = [("name", players[i]) for i in rng.sample(range(1000), 50)]

    def page_of(board: str) -> Callable[[int], tuple[Any, Any]]:
        return lambda i: (handlers["page"], page_event(board, i % 900))

    # Each: the handler and a fresh event (the body parser works in place) for sample i.
    make_call: dict[str, Callable[[int], tuple[Any, Any]]] = {
        "v1_page": lambda i: (v1_page, page_event("reads", i % 900)),
        "around": lambda i: (handlers["around"], fakes.around_event("reads", players[i % 1000])),
        "friends_50": lambda _: (handlers["page"], fakes.page_event("reads", friends)),
        **{f"{b}_{t}_page": page_of(f"{b}-{t}") for b in ("few-ties", "many-ties") for t in ("distinct", "shared")},
    }
    context = fakes.lambda_context("leaderboard-api-bench")
    warm_up = min(50, plan.samples)  # rounds left out: the first warm the connection and the caches
    times: dict[str, list[float]] = {name: [] for name in make_call}
    for i in range(warm_up + plan.samples):
        calls = list(make_call.items())
        rng.shuffle(calls)
        for name, make in calls:
            handler, event = make(i)
            elapsed = timed(partial(handler, event, context))
            if i >= warm_up:
                times[name].append(elapsed)
    assert handlers["around"](fakes.around_event("reads", players[0]), context)["statusCode"] == 200
    results: dict[str, Any] = {name: summary(values) for name, values in times.items()}
    v1 = p50(times["v1_page"])
    results["around_vs_v1_page"] = round(p50(times["around"]) / v1, 3)
    results["friends_50_vs_v1_page"] = round(p50(times["friends_50"]) / v1, 3)
    for board in ("few-ties", "many-ties"):
        shared, distinct = p50(times[f"{board}_shared_page"]), p50(times[f"{board}_distinct_page"])
        results[f"{board}_shared_vs_distinct_page"] = round(shared / distinct, 3)
    return results


def rebuild(addresses: dict[str, str], players: int) -> dict[str, Any]:
    """A board of `players` written to the record, then rebuilt from it into an empty index, unpaced (momento-local
    has no rate limit); the operations are counted as Momento meters them (each element written is one)."""
    from botocore.config import Config  # noqa: PLC0415

    from shared.composition import leaderboards  # noqa: PLC0415
    from shared.domain.rebuild import Outcome, Rebuilder  # noqa: PLC0415
    from shared.platform.config import settings  # noqa: PLC0415
    from shared.platform.secret import Secret  # noqa: PLC0415
    from shared.stores.dynamodb.record import DynamoRecord  # noqa: PLC0415

    board = "rebuilt"
    index = leaderboards()._index  # the execution environment's own Momento client
    # moto reads a board's whole partition for every Query page (DynamoDB reads only the page), so a page of a
    # 100,000-player board takes moto seconds: the record gets a client that waits for it. What is measured is
    # still the rebuild's own sequence of reads and writes, against moto's speed.
    patient = dynamodb_client(addresses["ssm"], Config(read_timeout=300, retries={"total_max_attempts": 1}))
    record = DynamoRecord(settings(), client=patient)
    rng = random.Random(4)
    filled = time.perf_counter()
    record.fill_board(board, {f"player-{i:07d}": float(rng.randrange(10_000_000)) for i in range(players)}, 0)
    record.touch_board(board, int(time.time()))
    fill_s = time.perf_counter() - filled
    operations = {"elements_written": 0, "put_calls": 0, "calls": 0}
    original_put, original_call = index.put_scores, index._with_key

    def counting_put(board: str, scores: dict[str, float], api_key: Secret) -> None:
        operations["elements_written"] += len(scores)
        operations["put_calls"] += 1
        original_put(board, scores, api_key)

    def counting_call(api_key: Secret, operation: Any) -> Any:
        operations["calls"] += 1
        return original_call(api_key, operation)

    index.put_scores, index._with_key = counting_put, counting_call  # type: ignore[method-assign]
    config = dataclasses.replace(settings(), rebuild_elements_per_second=0)
    rebuilder = Rebuilder(index, record, config)
    key = Secret("bench", KEY, lambda: KEY)
    started = time.perf_counter()
    outcome = rebuilder.run(board, key, deadline=time.time() + 3600)
    seconds = time.perf_counter() - started
    index.put_scores, index._with_key = original_put, original_call  # type: ignore[method-assign]
    assert outcome is Outcome.WHOLE, outcome
    assert index.size(board, key) == players
    # Momento meters each element written as one operation, and every other call as one.
    metered = operations["elements_written"] + operations["calls"] - operations["put_calls"]
    return {
        "players": players,
        "record_fill_s": round(fill_s, 1),
        "rebuild_s": round(seconds, 2),
        "elements_written": operations["elements_written"],
        "momento_calls": operations["calls"],
        "metered_operations": metered,
    }


# --- 8: periods ------------------------------------------------------------------------------------------------


def period_writes(handlers: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """Submit p50 on a board keeping all, daily, weekly and monthly against one keeping all time only, interleaved
    one for one; on loopback, and with SIMULATED_LATENCY_MS of network per call to Momento and to DynamoDB (each
    period's writes run at once, so what they cost is mostly their round trips overlapping)."""
    from shared.composition import leaderboards  # noqa: PLC0415 - the functions' own, imported by load_handlers

    boards = {"all_only": ("all",), "four_kinds": ("all", "daily", "weekly", "monthly")}
    for board, kinds in boards.items():
        leaderboards()._record.update_settings(board, {"periods": kinds}, int(time.time()))
    context = fakes.lambda_context("leaderboard-api-bench")
    results: dict[str, Any] = {}
    for where, latency_ms in (("loopback", 0), (f"{SIMULATED_LATENCY_MS}ms_latency", SIMULATED_LATENCY_MS)):
        samples = max(10, plan.samples // (3 if latency_ms == 0 else 6))
        network = _network_latency(latency_ms) if latency_ms else contextlib.nullcontext()
        with network, _record_latency(latency_ms):
            times: dict[str, list[float]] = {board: [] for board in boards}
            rng = random.Random(8)
            for i in range(50 + samples):  # the first 50 left out: the periods' first writes build their sets
                order = list(boards)
                rng.shuffle(order)
                for board in order:
                    event = submit_event(board, f"player-{i % 200:03d}", float(i))
                    elapsed = timed(partial(handlers["submit"], event, context))
                    if i >= 50:
                        times[board].append(elapsed)
        results[where] = {board: summary(values) for board, values in times.items()}
        results[where]["ratio_p50"] = round(p50(times["four_kinds"]) / p50(times["all_only"]), 3)
    return results


@contextlib.contextmanager
def _record_latency(latency_ms: int) -> Iterator[None]:
    """Each request of the functions' DynamoDB client held `latency_ms` before it is sent, as a network would
    (moto on loopback answers in about a millisecond)."""
    from shared.composition import leaderboards  # noqa: PLC0415

    events = leaderboards()._record._client.meta.events

    def delay(**_: Any) -> None:
        time.sleep(latency_ms / 1000)

    if latency_ms:
        events.register("before-send.dynamodb", delay)
    try:
        yield
    finally:
        if latency_ms:
            events.unregister("before-send.dynamodb", delay)


def past_period_read(handlers: dict[str, Any], addresses: dict[str, str], players: int) -> dict[str, Any]:
    """Last week's period of `players`, in the record only (its set expired), read with ?period=weekly:previous:
    the first read starts the rebuild and answers 503 after its wait; the rebuild then runs to the end (as the next
    reads and the keep-alive continue it), unpaced, and the read after it answers. The time from the first read to
    that answer. The functions' default pace, 50 elements a second, would make the rebuild players / 50 seconds.

    The rebuild reads the record with the patient client rebuild() uses: moto reads a whole partition for every
    Query page, so one page of a 10,000-player period takes it longer than a request's wait."""
    from botocore.config import Config  # noqa: PLC0415

    from shared.composition import leaderboards  # noqa: PLC0415
    from shared.domain.periods import Scope, current, previous  # noqa: PLC0415
    from shared.domain.rebuild import Outcome, Rebuilder  # noqa: PLC0415
    from shared.platform.config import settings  # noqa: PLC0415
    from shared.platform.secret import Secret  # noqa: PLC0415
    from shared.stores.dynamodb.record import DynamoRecord  # noqa: PLC0415

    board = "seasons"
    leaderboards()._record.update_settings(board, {"periods": ("weekly", "all")}, int(time.time()))
    last_week = Scope(board, previous(current("weekly", "UTC", time.time())), 0).name
    patient = dynamodb_client(addresses["ssm"], Config(read_timeout=300, retries={"total_max_attempts": 1}))
    filler = DynamoRecord(settings(), client=patient)
    rng = random.Random(9)
    filler.touch_board(last_week, int(time.time()))
    filler.fill_board(last_week, {f"player-{i:06d}": float(rng.randrange(1_000_000)) for i in range(players)}, 0)
    event = fakes.page_event(board, {"period": "weekly:previous", "endRank": "10"})
    context = fakes.lambda_context("leaderboard-api-bench")
    started = time.perf_counter()
    first = handlers["page"](dict(event), context)
    first_s = time.perf_counter() - started
    unpaced = dataclasses.replace(settings(), rebuild_elements_per_second=0)
    rebuilder = Rebuilder(leaderboards()._index, filler, unpaced)
    rebuilding = time.perf_counter()
    outcome = rebuilder.run(last_week, Secret("bench", KEY, lambda: KEY), deadline=time.time() + 600)
    rebuild_s = time.perf_counter() - rebuilding
    assert outcome is Outcome.WHOLE, outcome
    answered = time.perf_counter()
    response = handlers["page"](dict(event), context)
    answer_s = time.perf_counter() - answered
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["total"] == players
    return {
        "players": players,
        "first_read_status": first["statusCode"],
        "first_read_s": round(first_s, 2),
        "rebuild_s": round(rebuild_s, 2),
        "answer_after_rebuild_ms": round(answer_s * 1000, 1),
        "first_answer_s": round(time.perf_counter() - started, 2),
        "rebuild_at_default_pace_s": players / 50,
    }


# --- 3: cold starts, each in a fresh process ------------------------------------------------------------------

# The event and the context's fields come from the shared fakes, built before the clock starts (API Gateway and the
# runtime build them, not the function); the timed process imports nothing but the handler.
COLD_HANDLER = """
import json, sys, types
sys.path.insert(0, {src!r})
import handlers.get_leaderboard as module
context = types.SimpleNamespace(**json.loads({context!r}), get_remaining_time_in_millis=lambda: 10000)
response = module.lambda_handler(json.loads({event!r}), context)
assert response["statusCode"] == 200, response
import os; os._exit(0)
"""
COLD_FLOOR = """
import sys
from datetime import timedelta
import momento
from momento import CacheClient, Configurations, CredentialProvider
from momento.requests import SortOrder
host, _, port = {address!r}.rpartition(":")
client = CacheClient.create(Configurations.Lambda.latest(), CredentialProvider({key!r}, host, host, host, int(port)),
                            timedelta(days=1), eager_connection_timeout=timedelta(milliseconds=500))
response = client.sorted_set_fetch_by_rank({cache!r}, "cold", 0, 20, SortOrder.DESCENDING)
assert type(response).__name__ in ("Hit", "Miss"), response
import os; os._exit(0)
"""


def cold_run(code: str, env: dict[str, str], extra: list[str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *(extra or []), "-c", code], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"cold start run failed: {result.stderr[-2000:]}")
    return elapsed_ms, result.stderr


def cold_starts(addresses: dict[str, str], plan: Plan) -> dict[str, Any]:
    from tests.support.parameters_extension import ParametersExtension  # noqa: PLC0415

    base = {"PATH": os.environ.get("PATH", ""), **function_environment(addresses)}
    context = {k: v for k, v in vars(fakes.lambda_context("leaderboard-api-bench")).items() if not k.startswith("_")}
    handler_code = COLD_HANDLER.format(
        src=str(ROOT / "src"), event=json.dumps(fakes.page_event("cold")), context=json.dumps(context)
    )
    # A board not in the index makes the read ask the record (the registry): the cold start then also creates the
    # DynamoDB client (and, with the extension, imports boto3 for it). A whole board, the usual read, never does.
    record_code = COLD_HANDLER.format(
        src=str(ROOT / "src"), event=json.dumps(fakes.page_event("cold-unknown")), context=json.dumps(context)
    )
    floor_code = COLD_FLOOR.format(address=addresses["momento"], key=KEY, cache=CACHE)
    extension = ParametersExtension(addresses["ssm"], SESSION_TOKEN)
    with_extension = {**base, "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(extension.port)}
    traced = {
        "POWERTOOLS_TRACE_DISABLED": "false",
        "LAMBDA_TASK_ROOT": str(ROOT / "src"),
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    }
    variants = {
        "floor": (floor_code, base),
        "extension": (handler_code, with_extension),
        "extension_asking_the_record": (record_code, with_extension),
        "extension_traced": (handler_code, {**with_extension, **traced}),
        "boto3": (handler_code, base),
        "boto3_asking_the_record": (record_code, base),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    try:
        cold_run(floor_code, base)  # first runs fill the OS file cache for everyone
        cold_run(handler_code, with_extension)
        cold_run(handler_code, base)
        for _ in range(plan.cold_runs):
            for name, (code, env) in variants.items():  # interleaved: load on the machine hits each alike
                times[name].append(cold_run(code, env)[0])
        _, import_log = cold_run(*variants[DEFAULT_KEY_PATH], ["-X", "importtime"])
    finally:
        extension.stop()
    medians = {name: round(statistics.median(values), 1) for name, values in times.items()}
    return {
        "median_ms": medians,
        "ratios": {name: round(medians[name] / medians["floor"], 3) for name in medians if name != "floor"},
        "slowest_imports": slowest_imports(import_log),
    }


def slowest_imports(log: str, count: int = 10) -> list[dict[str, Any]]:
    """The imports that cost the most (cumulative), among those the handler module pulls in directly or one level
    down: deeper ones are already inside these figures."""
    rows = []
    for line in log.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            depth = (len(match.group(3)) - 1) // 2
            rows.append((int(match.group(2)), depth, match.group(4)))
    candidates = [row for row in rows if 1 <= row[1] <= 2]
    top = sorted(candidates, reverse=True)[:count]
    return [{"module": name, "cumulative_ms": round(us / 1000, 1)} for us, _, name in top]


# --- 5: HTTP through the dev server ---------------------------------------------------------------------------


def http_throughput(plan: Plan) -> dict[str, Any]:
    import requests  # noqa: PLC0415

    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devserver", "--port", "0", "--no-reload", "--api-key", HTTP_API_KEY],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=log, text=True,
        )  # fmt: skip
        try:
            assert process.stdout is not None
            url = ""
            for line in process.stdout:
                if match := re.search(r"dev server on (\S+)", line):
                    url = match.group(1)
                if line.startswith("Ready."):
                    break
            threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
            for path in ("/http", "/http/warm"):
                requests.get(url + path, timeout=30)  # the functions' first (cold) requests stay out of the figures
            requests.post(url + "/http/warm", json={"score": 1}, headers={"x-api-key": HTTP_API_KEY}, timeout=30)
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
                                headers={"x-api-key": HTTP_API_KEY}, timeout=30,
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
    errors = sum(1 for status in statuses if status >= 500)
    return {
        "clients": plan.http_clients,
        "seconds": plan.http_seconds,
        "requests": len(latencies),
        "rps": round(len(latencies) / plan.http_seconds, 1),
        "p50_ms": round(p50(latencies), 2),
        "p99_ms": round(p99(latencies), 2),
        "server_errors": errors,
    }


# --- 9: the seed side by side: its Node.js handlers against ours ----------------------------------------------

PEER = ROOT / "bench" / "peer"
PEER_NODE_MAJOR = 20  # the peer's Middy 6 needs Node.js 20 or later
PEER_ROUTES = {"submit": 202, "standing": 200, "page": 200}  # each route and the status its measured path answers
PEER_ROUNDS = 10  # blocks of each side per route, alternating, so drift hits both alike


class PeerUnavailableError(Exception):
    """Why the peer cannot run on this machine."""


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


def peer_environment(addresses: dict[str, str]) -> dict[str, str]:
    """The functions' environment (the peer reads the same names: the key parameter, the cache, the local servers)."""
    # The AWS SDK's notice that its releases after January 2027 need Node.js 22, printed on Node.js 20, silenced.
    notice = {"AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true"}
    return {"PATH": os.environ.get("PATH", ""), **function_environment(addresses), **notice}


@contextlib.contextmanager
def peer_driver(node: str, addresses: dict[str, str]) -> Iterator[Callable[[str, list[Any]], list[float]]]:
    """bench/peer/drive.mjs: the three peer handlers loaded once in one Node.js process (a warm execution environment
    each); the function given invokes a route's handler with each event, timed in that process, and returns the
    times (us), having checked every answer's status."""
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [node, "drive.mjs"], cwd=PEER, env=peer_environment(addresses),
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


def peer_bench(handlers: dict[str, Any], client: Any, addresses: dict[str, str], plan: Plan) -> dict[str, Any]:
    """The seed's handlers (bench/peer/) against ours: warm p50/p99 per route, on one board, with the same events;
    then the cold start of the seed's page handler. {"skipped": why} where Node.js cannot run them."""
    try:
        node, version = peer_setup()
    except PeerUnavailableError as reason:
        return {"skipped": str(reason)}
    manifest = json.loads((PEER / "package.json").read_text(encoding="utf-8"))
    with peer_driver(node, addresses) as invoke:
        warm = peer_warm(handlers, client, invoke, plan)
    return {
        "node": version,
        "packages": manifest["dependencies"],
        "warm": warm,
        "cold_start": peer_cold_starts(node, client, addresses, plan),
    }


def peer_warm(
    handlers: dict[str, Any], client: Any, invoke: Callable[[str, list[Any]], list[float]], plan: Plan
) -> dict[str, Any]:
    """Each route, ours and theirs in alternating blocks (PEER_ROUNDS of each, in shuffled order per round), each
    side timing its own invocations in its own process, as the Lambda runtime would see them; the first 50 of each
    warm the connections and the caches and are left out."""
    board = "peer"
    players = fill(client, board, 1000)
    make_event: dict[str, Callable[[int], Any]] = {
        "submit": lambda i: submit_event(board, players[i % 1000], float(i)),
        "standing": lambda i: fakes.standing_event(board, players[i % 1000]),
        "page": lambda i: page_event(board, i % 900),
    }
    context = fakes.lambda_context("leaderboard-api-bench")
    rng = random.Random(10)
    block = max(1, plan.samples // PEER_ROUNDS)
    results: dict[str, Any] = {}
    for name, make in make_event.items():
        handler = handlers[name]
        assert handler(make(0), context)["statusCode"] == PEER_ROUTES[name], name
        invoke(name, [make(i) for i in range(50)])
        for i in range(50):
            handler(make(i), context)
        ours: list[float] = []
        theirs: list[float] = []
        for round_number in range(PEER_ROUNDS):
            indices = range(50 + round_number * block, 50 + (round_number + 1) * block)
            sides = ["ours", "theirs"]
            rng.shuffle(sides)
            for side in sides:
                if side == "theirs":
                    theirs.extend(invoke(name, [make(i) for i in indices]))
                    continue
                for i in indices:
                    request = make(i)  # built before the clock starts, as theirs are
                    ours.append(timed(partial(handler, request, context)))
        results[name] = {
            "ours": summary(ours),
            "theirs": summary(theirs),
            "ratio_p50": round(p50(ours) / p50(theirs), 3),
        }
    return results


def peer_cold_starts(node: str, client: Any, addresses: dict[str, str], plan: Plan) -> dict[str, Any]:
    """A fresh `node` process to the first response of the seed's page handler (its SSM fetch against moto, its
    Momento client, one fetch of a whole board of 100): as CDK ships it (the esbuild bundle, bench/peer/build.mjs),
    and from node_modules; interleaved, Plan.cold_runs each, medians."""
    fill(client, "peer-cold", 100)
    event = json.dumps(fakes.page_event("peer-cold"))
    environment = peer_environment(addresses)
    variants = {"bundle": PEER / "dist" / "get-leaderboard.cjs", "node_modules": PEER / "src" / "get-leaderboard.mjs"}

    def cold_run(module: Path) -> float:
        started = time.perf_counter()
        result = subprocess.run(
            [node, "cold.cjs", str(module), event], cwd=PEER, env=environment, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        elapsed_ms = (time.perf_counter() - started) * 1000
        if result.returncode != 0:
            raise RuntimeError(f"the peer's cold start failed: {result.stderr[-2000:]}")
        return elapsed_ms

    for module in variants.values():
        cold_run(module)  # first runs fill the OS file cache
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(plan.cold_runs):
        for name, module in variants.items():
            times[name].append(cold_run(module))
    return {"runs": plan.cold_runs, "median_ms": {name: round(statistics.median(v), 1) for name, v in times.items()}}


def peer_figures(peer: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    """The peer's headline figures against ours: p50 ratios per route (ours / theirs, above 1 when ours is slower)
    and the cold start, ours (the default path, `cold_start_ms`) / theirs (the bundle)."""
    results["details"]["peer"] = peer
    if "skipped" in peer:
        return {"peer_skipped": peer["skipped"]}
    cold = peer["cold_start"]["median_ms"]
    return {
        **{f"peer_ratio_{route}": row["ratio_p50"] for route, row in peer["warm"].items()},
        "peer_cold_ms": cold["bundle"],
        "peer_cold_node_modules_ms": cold["node_modules"],
        "peer_cold_ratio": round(results["cold_start_ms"] / cold["bundle"], 3),
    }


def peer_lines(results: dict[str, Any]) -> list[str]:
    peer = results["details"]["peer"]
    title = "11. the seed's Node.js handlers (Middy, SSM middleware, Momento SDK)"
    if "skipped" in peer:
        return [f"{title}: skipped, {peer['skipped']}"]
    lines = [
        f"{title}, Node.js {peer['node']}",
        f"{'  ratio: ours / theirs':<34}{'ours p50/p99 (us)':>24}{'theirs p50/p99 (us)':>26}{'ratio p50':>11}",
    ]
    for route, row in peer["warm"].items():
        ours, theirs = row["ours"], row["theirs"]
        lines.append(
            f"  {route:<32}{ours['p50_us']:>11.0f} / {ours['p99_us']:<10.0f}"
            f"{theirs['p50_us']:>12.0f} / {theirs['p99_us']:<11.0f}{row['ratio_p50']:>9.2f}x"
        )
    lines.append(
        f"  cold start (median ms): ours {results['cold_start_ms']:.0f}, theirs {results['peer_cold_ms']:.0f} "
        f"as CDK bundles it ({results['peer_cold_ratio']:.2f}x), {results['peer_cold_node_modules_ms']:.0f} "
        "from node_modules"
    )
    return lines


# --- Putting it together --------------------------------------------------------------------------------------


def run(plan: Plan) -> dict[str, Any]:
    started = time.perf_counter()
    with servers() as addresses:
        handlers = load_handlers(addresses)
        client = sdk_client(addresses)
        with contextlib.redirect_stdout(io.StringIO()):  # the functions' logs and metrics, as CloudWatch takes them
            warm = warm_overhead(handlers, client, plan)
            table_name = leaderboard_table_spec().name
            dynamodb = dynamodb_client(addresses["ssm"])
            layers = feature_costs(
                handlers, client, dynamodb, table=table_name, key=KEY, samples=plan.samples, players=plan.layer_players
            )
            peer = peer_bench(handlers, client, addresses, plan)
            fill(client, "strategies", 1000)
            standing = standing_strategies(client, plan)
            standing_with_latency = standing_strategies(sdk_client(addresses, SIMULATED_LATENCY_MS), plan)
            sizes = board_sizes(handlers, client, plan)
            durable = durable_overhead(handlers, client, plan)
            reads = board_reads(handlers, client, plan)
            rebuilt = rebuild(addresses, plan.rebuild_players)
            seasons = period_writes(handlers, plan)
            last_week = past_period_read(handlers, addresses, plan.period_players)
            fill(client, "cold", 100)  # the cold starts read a whole board, as most reads do
        cold = cold_starts(addresses, plan)
    http = http_throughput(plan)
    page_reads = page_read_cost(plan.http_clients, plan.http_seconds, players=plan.page_players)
    smallest, largest = str(plan.sizes[0]), str(plan.sizes[-1])
    latency = f"{SIMULATED_LATENCY_MS}ms_latency"
    results: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "plan": plan.__dict__,
        "warm_overhead_ratio_submit": warm["submit"]["ratio_p50"],
        "warm_overhead_ratio_standing": warm["standing"]["ratio_p50"],
        "warm_overhead_ratio_page": warm["page"]["ratio_p50"],
        "chain_overhead_ratio_submit": layers["submit"]["handler_vs_domain"],
        "chain_overhead_ratio_page": layers["page"]["handler_vs_domain"],
        "standing_concurrent_vs_single": standing["concurrent_vs_single"],
        f"standing_concurrent_vs_single_{SIMULATED_LATENCY_MS}ms_latency": standing_with_latency[
            "concurrent_vs_single"
        ],
        "cold_start_ms": cold["median_ms"][DEFAULT_KEY_PATH],
        "cold_start_floor_ms": cold["median_ms"]["floor"],
        "cold_start_ratio": cold["ratios"][DEFAULT_KEY_PATH],
        "cold_start_traced_ms": cold["median_ms"][f"{DEFAULT_KEY_PATH}_traced"],
        "cold_start_asking_the_record_ms": cold["median_ms"][f"{DEFAULT_KEY_PATH}_asking_the_record"],
        "cold_start_boto3_ms": cold["median_ms"]["boto3"],
        "cold_start_boto3_ratio": cold["ratios"]["boto3"],
        "cold_start_boto3_asking_the_record_ms": cold["median_ms"]["boto3_asking_the_record"],
        f"scale_ratio_{_label(largest)}_vs_{_label(smallest)}_submit": _ratio(sizes, largest, smallest, "submit"),
        f"scale_ratio_{_label(largest)}_vs_{_label(smallest)}_standing": _ratio(sizes, largest, smallest, "standing"),
        f"scale_ratio_{_label(largest)}_vs_{_label(smallest)}_page": _ratio(sizes, largest, smallest, "page"),
        "http_rps": http["rps"],
        "http_p99_ms": http["p99_ms"],
        "momento_ops_per_1000_page_reads": page_reads["on"]["momento_ops_per_1000_page_reads"],
        "momento_ops_per_1000_page_reads_uncached": page_reads["off"]["momento_ops_per_1000_page_reads"],
        "momento_ops_page_reads_on_vs_off": page_reads["on_vs_off"],
        "http_rps_page_reads": page_reads["on"]["rps"],
        "http_p99_ms_page_reads": page_reads["on"]["p99_ms"],
        "not_modified_ratio": page_reads["on"]["poller"]["not_modified_ratio"],
        "durable_write_overhead": durable["submit"]["ratio_p50"],
        "read_ratio_vs_before_the_record_standing": durable["standing"]["ratio_p50"],
        "read_ratio_vs_before_the_record_page": durable["page"]["ratio_p50"],
        "around_vs_v1_page": reads["loopback"]["around_vs_v1_page"],
        "friends_50_vs_v1_page": reads["loopback"]["friends_50_vs_v1_page"],
        "shared_vs_distinct_page_few_ties": reads["loopback"]["few-ties_shared_vs_distinct_page"],
        "shared_vs_distinct_page_many_ties": reads["loopback"]["many-ties_shared_vs_distinct_page"],
        f"around_vs_v1_page_{SIMULATED_LATENCY_MS}ms_latency": reads[latency]["around_vs_v1_page"],
        f"friends_50_vs_v1_page_{SIMULATED_LATENCY_MS}ms_latency": reads[latency]["friends_50_vs_v1_page"],
        f"shared_vs_distinct_page_many_ties_{SIMULATED_LATENCY_MS}ms_latency": reads[latency][
            "many-ties_shared_vs_distinct_page"
        ],
        f"rebuild_seconds_{_label(str(plan.rebuild_players))}": rebuilt["rebuild_s"],
        f"rebuild_ops_{_label(str(plan.rebuild_players))}": rebuilt["metered_operations"],
        "periods_submit_ratio": seasons["loopback"]["ratio_p50"],
        f"periods_submit_ratio_{SIMULATED_LATENCY_MS}ms_latency": seasons[latency]["ratio_p50"],
        f"past_period_first_answer_s_{_label(str(plan.period_players))}": last_week["first_answer_s"],
        "details": {
            "periods": seasons,
            "past_period_read": last_week,
            "durable": durable,
            "board_reads": reads,
            "rebuild": rebuilt,
            "warm": warm,
            "standing": standing,
            f"standing_{SIMULATED_LATENCY_MS}ms_latency": standing_with_latency,
            "board_sizes": sizes,
            "cold_start": cold,
            "http": http,
            "page_reads": page_reads,
            "feature_costs": layers,
        },
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    results.update(peer_figures(peer, results))
    return results


def _label(size: str) -> str:
    number = int(size)
    return f"{number // 1_000_000}m" if number >= 1_000_000 else f"{number // 1000}k" if number >= 1000 else size


def _ratio(sizes: dict[str, Any], largest: str, smallest: str, route: str) -> float:
    ratio: float = sizes[largest][route]["p50_us"] / sizes[smallest][route]["p50_us"]
    return round(ratio, 3)


def table(results: dict[str, Any]) -> str:
    details = results["details"]
    latency = f"{SIMULATED_LATENCY_MS}ms_latency"
    lines = [f"leaderboard-api bench on {results['machine']['cores']} cores, Python {results['machine']['python']}", ""]
    lines.append(f"{'1. warm overhead':<34}{'handler p50/p99 (us)':>24}{'bare SDK p50/p99 (us)':>26}{'ratio p50':>11}")
    for route, row in details["warm"].items():
        handler, bare = row["handler"], row["bare_sdk"]
        lines.append(
            f"  {route:<32}{handler['p50_us']:>11.0f} / {handler['p99_us']:<10.0f}"
            f"{bare['p50_us']:>12.0f} / {bare['p99_us']:<11.0f}{row['ratio_p50']:>9.2f}x"
        )
    loopback, latency = details["standing"], details[f"standing_{SIMULATED_LATENCY_MS}ms_latency"]
    lines += ["", f"2. standing (p50 us)                 loopback   with {SIMULATED_LATENCY_MS} ms of network per call"]
    for name in ("concurrent", "sequential", "single_call"):
        lines.append(f"  {name:<32}{loopback[name]['p50_us']:>11.0f}{latency[name]['p50_us']:>14.0f}")
    lines.append(
        f"  concurrent vs one call: {loopback['concurrent_vs_single']:.2f}x loopback, "
        f"{latency['concurrent_vs_single']:.2f}x with {SIMULATED_LATENCY_MS} ms of network"
    )
    cold = details["cold_start"]
    lines += ["", "3. cold start (median ms, fresh process to first response)"]
    for name, value in cold["median_ms"].items():
        ratio = f"  {cold['ratios'][name]:.2f}x the floor" if name in cold["ratios"] else "  (import momento + 1 call)"
        label = f"{name} (default)" if name == DEFAULT_KEY_PATH else name
        lines.append(f"  {label:<32}{value:>9.0f}{ratio}")
    lines.append("  ten slowest imports of the default path (cumulative ms): " + ", ".join(
        f"{row['module']} {row['cumulative_ms']:.0f}" for row in cold["slowest_imports"]
    ))  # fmt: skip
    lines += ["", "4. board size (p50 us)" + "".join(f"{size:>12}" for size in details["board_sizes"])]
    for route in ("submit", "standing", "page"):
        cells = "".join(f"{row[route]['p50_us']:>12.0f}" for row in details["board_sizes"].values())
        lines.append(f"  {route:<20}{cells}")
    http = details["http"]
    lines += [
        "",
        f"5. HTTP through make dev: {http['rps']:.0f} requests/s, "
        f"p50 {http['p50_ms']:.1f} ms, p99 {http['p99_ms']:.1f} ms ({http['clients']} clients, 20% writes, "
        f"{http['requests']} requests, {http['server_errors']} 5xx)",
        "",
        f"{'6. durable boards':<34}{'now p50/p99 (us)':>24}{'before the record':>26}{'ratio p50':>11}",
        *(
            f"  {route:<32}{row['now']['p50_us']:>11.0f} / {row['now']['p99_us']:<10.0f}"
            f"{row['before_the_record']['p50_us']:>12.0f} / {row['before_the_record']['p99_us']:<11.0f}"
            f"{row['ratio_p50']:>9.2f}x"
            for route, row in details["durable"].items()
        ),
        rebuild_line(details["rebuild"]),
        "",
        *board_reads_lines(details["board_reads"]["loopback"], "loopback"),
        *board_reads_lines(
            details["board_reads"][f"{SIMULATED_LATENCY_MS}ms_latency"],
            f"{SIMULATED_LATENCY_MS} ms of network per call",
        ),
        "",
        *periods_lines(details["periods"], details["past_period_read"]),
        "",
        *page_reads_lines(details["page_reads"]),
        "",
        *feature_cost_lines(details["feature_costs"]),
        "",
        *peer_lines(results),
        "",
        f"finished in {results['elapsed_s']:.0f} s",
    ]
    return "\n".join(lines)


def page_reads_lines(reads: dict[str, Any]) -> list[str]:
    on, off = reads["on"], reads["off"]
    return [
        f"9. identical top-20 page reads through make dev ({reads['clients']} clients, {reads['seconds']:.0f} s):"
        f" Momento operations per 1,000 reads",
        f"  cache off  {off['momento_ops_per_1000_page_reads']:>9.1f}   {off['rps']:.0f} reads/s,"
        f" p99 {off['p99_ms']:.1f} ms",
        f"  cache on   {on['momento_ops_per_1000_page_reads']:>9.1f}   {on['rps']:.0f} reads/s,"
        f" p99 {on['p99_ms']:.1f} ms"
        f"   ({reads['on_vs_off']:.4f}x; {on['momento_operations']} operations, bound {reads['bound_operations']:.0f}:"
        f" {'within' if reads['within_bound'] else 'OVER'})",
        f"  poller with If-None-Match, a write a second: {on['poller']['not_modified']} of {on['poller']['polls']}"
        f" polls 304 ({on['poller']['not_modified_ratio']:.2f})",
    ]


def board_reads_lines(reads: dict[str, Any], where: str) -> list[str]:
    rows = [name for name, row in reads.items() if isinstance(row, dict)]
    return [
        f"{'7. board rules, ' + where:<50}{'p50/p99 (us)':>24}",
        *(f"  {name:<48}{reads[name]['p50_us']:>11.0f} / {reads[name]['p99_us']:<10.0f}" for name in rows),
        f"  around-me {reads['around_vs_v1_page']:.2f}x and friends of 50 {reads['friends_50_vs_v1_page']:.2f}x "
        "a v1 page of 20 (goals 2.0 and 3.0)",
        f"  shared ranks vs distinct, pages of 20: {reads['few-ties_shared_vs_distinct_page']:.2f}x with few ties, "
        f"{reads['many-ties_shared_vs_distinct_page']:.2f}x with many (goal 1.5)",
    ]


def periods_lines(seasons: dict[str, Any], last_week: dict[str, Any]) -> list[str]:
    lines = [f"{'8. periods: submit':<50}{'p50/p99 (us)':>24}"]
    for where, rows in seasons.items():
        for board in ("all_only", "four_kinds"):
            lines.append(f"  {where + ', ' + board:<48}{rows[board]['p50_us']:>11.0f} / {rows[board]['p99_us']:<10.0f}")
        lines.append(f"  {where}: four kinds {rows['ratio_p50']:.2f}x all time only (goal 1.5)")
    lines += [
        f"  weekly:previous of {last_week['players']:,} players, index expired: first read "
        f"{last_week['first_read_status']} after {last_week['first_read_s']:.1f} s,",
        f"  rebuild {last_week['rebuild_s']:.1f} s unpaced ({last_week['rebuild_at_default_pace_s']:.0f} s at the "
        f"default pace), then an answer in {last_week['answer_after_rebuild_ms']:.0f} ms: "
        f"the first answer {last_week['first_answer_s']:.1f} s after the first read",
    ]
    return lines


def rebuild_line(rebuilt: dict[str, Any]) -> str:
    return (
        f"  rebuild of {rebuilt['players']:,} players from the record: {rebuilt['rebuild_s']:.1f} s, "
        f"{rebuilt['metered_operations']:,} Momento operations "
        f"({rebuilt['elements_written']:,} elements written, {rebuilt['momento_calls']:,} calls)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run of the harness (figures meaningless)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    results = run(QUICK if args.quick else FULL)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nresults: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
