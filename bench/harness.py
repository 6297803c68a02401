"""What every feature module of the bench shares: the plan, the local servers, the functions' environment, the ways
in (handlers, the composition root's Leaderboards, the bare SDK and boto3 calls), and timing.

Servers run in their own processes (momento-local, moto), so they never share this process's interpreter lock.
The functions are measured as they run in Lambda: each handler invoked in this process with an API Gateway event;
the domain through the public methods of a Leaderboards built from the composition root's own building blocks
(a MomentoIndex and a DynamoRecord), given a Momento configuration or a DynamoDB client that adds network latency
where a figure asks for it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from momento import CacheClient, Configurations, CredentialProvider
from momento.config import Configuration
from momento.requests import CollectionTtl, SortOrder

from bench import INIT_ENVIRONMENT
from devserver.local_aws import dynamodb_client, ssm_client
from devserver.tables import TableSpec, create_tables
from momento_local.client_metadata import MetadataMiddleware
from shared import composition
from shared.domain.leaderboards import Leaderboards
from shared.domain.rebuild import Rebuilder
from shared.domain.rules import BoardRef, SettingsChange
from shared.platform.config import Settings, settings
from shared.platform.secret import Secret
from shared.stores.dynamodb.record import DynamoRecord, create_client
from shared.stores.momento.codec import START_MARK, WHOLE_MARK, rebuild_token
from shared.stores.momento.index import MomentoIndex
from tests.support import lambda_fakes as fakes
from tests.support.record import leaderboard_table_spec

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ROOT = Path(__file__).resolve().parents[1]
CACHE = "leaderboard"
KEY = "bench-momento-key"
KEY_PARAMETER = "/leaderboard-api/bench/momento-api-key"
SESSION_TOKEN = "bench-session-token"
SIMULATED_LATENCY_MS = 2  # a Lambda-to-Momento (or -DynamoDB) round trip inside one region, roughly
LATENCY = f"{SIMULATED_LATENCY_MS}ms_latency"  # the suffix of figures measured with it
FUNCTION = "leaderboard-api-bench"
FUNCTIONS_TTL = CollectionTtl(timedelta(days=1), refresh_ttl=True)  # the template's TTL, refreshed by every write
TOTAL_ROW = re.compile(r"^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")  # momento-local's meter, its last row

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
Timed = Callable[[], object]

# Every route's function: the module in src/handlers/ and the route it serves.
ROUTES = {
    "submit_score": "POST /{leaderboard}/{name}",
    "get_standing": "GET /{leaderboard}/{name}",
    "get_leaderboard": "GET /{leaderboard}",
    "get_around": "GET /{leaderboard}/{name}/around",
    "update_board_settings": "PUT /{leaderboard}",
    "remove_player": "DELETE /{leaderboard}/{name}",
    "remove_board": "DELETE /{leaderboard}",
    "get_page": "GET /",
    "keep_boards_alive": "the schedule",
}


@dataclass(frozen=True)
class Plan:
    samples: int  # warm invocations per figure (after a warm-up left out)
    sizes: tuple[int, ...]  # board sizes of the scale figures
    size_samples: int
    cold_runs: int  # fresh processes per route (medians)
    warm_invokes: int  # invocations after the first in each cold process: the warm p50 the first is held to
    http_seconds: float
    http_clients: int
    rebuild_players: int
    period_players: int  # the past period read back after its index expired
    page_players: int  # on the board whose top-20 page identical readers read
    layer_players: int  # on the board whose writes and pages are measured layer by layer
    peer: bool  # the seed's Node.js handlers side by side (needs Node.js 20+ and its npm packages)
    momento_timeout_ms: int | None = None  # each Momento call's deadline (None: the template's default)


FULL = Plan(
    samples=1500,
    sizes=(1_000, 100_000, 1_000_000),
    size_samples=400,
    cold_runs=7,
    warm_invokes=30,
    http_seconds=10,
    http_clients=16,
    rebuild_players=100_000,
    period_players=10_000,
    page_players=100,
    layer_players=1000,
    peer=True,
)
# A smoke run of the harness: every module but the peer (whose npm packages `make bench` installs), figures
# meaningless.
QUICK = Plan(
    samples=20,
    sizes=(100, 1_000),
    size_samples=10,
    cold_runs=1,
    warm_invokes=3,
    http_seconds=1.0,
    http_clients=2,
    rebuild_players=300,
    period_players=100,
    page_players=20,
    layer_players=50,
    peer=False,
    # The longest deadline the functions allow: a smoke run on a busy machine must not fail on the scheduler's delays.
    momento_timeout_ms=2000,
)


# --- Servers ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Servers:
    """momento-local (its item cap lifted: a board-size run holds a million players) and moto (SSM and DynamoDB),
    each in its own process; the key in SSM, the record's table created."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._momento = subprocess.Popen(
            [sys.executable, "-m", "momento_local", "--port", "0", "--cache", CACHE, "--token", KEY,
             "--max-item-size-bytes", str(1 << 40)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        aws_port = free_port()
        self._moto = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(aws_port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._lines: list[str] = []
        self._meters = threading.Semaphore(0)
        assert self._momento.stdout is not None
        address = re.search(r"listening on (\S+)", self._momento.stdout.readline())
        if address is None:
            self.stop()
            raise RuntimeError("momento-local did not start")
        self.momento = address.group(1)
        self.aws = f"http://127.0.0.1:{aws_port}"
        threading.Thread(target=self._drain, daemon=True).start()
        wait_for_port(aws_port)
        ssm_client(self.aws).put_parameter(Name=KEY_PARAMETER, Value=KEY, Type="SecureString", Overwrite=True)
        create_tables(dynamodb_client(self.aws), [leaderboard_table_spec()])

    def _drain(self) -> None:
        assert self._momento.stdout is not None
        for line in self._momento.stdout:
            self._lines.append(line)
            if TOTAL_ROW.match(line):
                self._meters.release()

    def momento_operations(self) -> int:
        """Momento operations served so far, as Momento bills them (momento-local's meter, printed on SIGUSR1)."""
        self._momento.send_signal(signal.SIGUSR1)
        if not self._meters.acquire(timeout=30):
            raise RuntimeError("momento-local printed no meter")
        row = next(match for line in reversed(self._lines) if (match := TOTAL_ROW.match(line)))
        return int(row[2])

    def table(self, name: str) -> str:
        """A table of the record's definition under another name, new and empty (a module's own boards only)."""
        spec = leaderboard_table_spec()
        create_tables(
            dynamodb_client(self.aws), [TableSpec(spec.logical_id, {**spec.create_request, "TableName": name})]
        )
        return name

    def stop(self) -> None:
        for process in (self._momento, self._moto):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def running_servers() -> Iterator[Servers]:
    servers = Servers()
    try:
        yield servers
    finally:
        servers.stop()


def function_environment(servers: Servers, **overrides: str) -> dict[str, str]:
    """What the template gives the functions in production (INFO logs), pointed at the local servers."""
    return {
        "MOMENTO_API_KEY_PARAM_NAME": KEY_PARAMETER,
        "MOMENTO_CACHE_NAME": CACHE,
        "MOMENTO_LOCAL_ADDRESS": servers.momento,
        "AWS_ENDPOINT_URL_SSM": servers.aws,
        "AWS_ENDPOINT_URL_DYNAMODB": servers.aws,
        "LEADERBOARD_TABLE_NAME": leaderboard_table_spec().name,
        "LEADERBOARD_TTL_SECONDS": "86400",
        "BOARD_RETENTION_DAYS": "0",
        "REBUILD_ELEMENTS_PER_SECOND": "50",
        # Off: the figures compare each read's work with the bare SDK's; page_reads.py measures the page cache.
        "READ_CACHE_SECONDS": "0",
        **INIT_ENVIRONMENT,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
        **overrides,
    }


# --- The ways in ---------------------------------------------------------------------------------------------


def momento_configuration(latency_ms: int = 0) -> Configuration:
    """The SDK's Lambda configuration, as the functions use it; `latency_ms` asks momento-local to hold each call
    that long (its MetadataMiddleware's delay switch), as a network between Lambda and Momento would: the local
    server otherwise answers in well under a millisecond."""
    configuration: Configuration = Configurations.Lambda.latest()
    if latency_ms:
        configuration = configuration.with_middlewares([MetadataMiddleware(delay_ms=str(latency_ms))])
    return configuration


def hold_requests(client: DynamoDBClient, latency_ms: int) -> DynamoDBClient:
    """`client`, each of its requests held `latency_ms` before it is sent, as a network would (moto on loopback
    answers in about a millisecond)."""

    def delay(**_: Any) -> None:
        time.sleep(latency_ms / 1000)

    if latency_ms:
        client.meta.events.register("before-send.dynamodb", delay)
    return client


class Bench:
    """One run's servers and plan, and every way in to the functions: set up once, shared by the modules."""

    def __init__(self, plan: Plan, servers: Servers) -> None:
        self.plan = plan
        self.servers = servers
        # What a dev server this run starts gets (as `make dev` gets the shell's): not the variables set below for the
        # in-process functions, which a dev server would hand to its own functions over the template's values.
        self.shell_environment = dict(os.environ)
        # This process is an execution environment: the functions' environment, then their modules imported.
        timeout = {"MOMENTO_TIMEOUT_MS": str(plan.momento_timeout_ms)} if plan.momento_timeout_ms else {}
        os.environ.update(function_environment(servers, **timeout))
        self.config: Settings = settings()
        self.handlers: dict[str, Handler] = {
            route: importlib.import_module(f"handlers.{route}").lambda_handler for route in ROUTES
        }
        self.context = fakes.lambda_context(FUNCTION)
        self.secret = Secret("momento-api-key", KEY, lambda: KEY)
        self._sdk: dict[int, CacheClient] = {}

    @property
    def leaderboards(self) -> Leaderboards:
        """The composition root's: the one the handlers use."""
        return composition.service().leaderboards

    def build(
        self,
        *,
        momento_latency_ms: int = 0,
        record_latency_ms: int = 0,
        record_client: DynamoDBClient | None = None,
        **config: Any,
    ) -> Leaderboards:
        """A Leaderboards built as the composition root builds it, from a MomentoIndex and a DynamoRecord, with the
        functions' settings changed by `config` (a table, a cache, the rebuild's pace); its Momento client's
        configuration holding each call `momento_latency_ms`; its DynamoDB client the functions' own kind
        (create_client) holding each request `record_latency_ms`, or `record_client`."""
        changed = dataclasses.replace(self.config, **config)
        index = MomentoIndex(changed, momento_configuration=momento_configuration(momento_latency_ms))
        if record_client is None and record_latency_ms:
            record_client = hold_requests(create_client(), record_latency_ms)
        return composition.build(changed, index=index, record=DynamoRecord(changed, client=record_client))

    def rebuilder(self) -> Rebuilder:
        """The domain's Rebuilder on the same building blocks, unpaced, its record's client waiting minutes for an
        answer (see dynamodb's `patient`)."""
        changed = dataclasses.replace(self.config, rebuild_elements_per_second=0)
        return Rebuilder(MomentoIndex(changed), DynamoRecord(changed, client=self.dynamodb(patient=True)), changed)

    def sdk(self, latency_ms: int = 0) -> CacheClient:
        """A bare CacheClient, configured as the functions configure theirs."""
        if latency_ms not in self._sdk:
            host, _, port = self.servers.momento.rpartition(":")
            credentials = CredentialProvider(KEY, host, host, host, int(port))
            self._sdk[latency_ms] = CacheClient.create(
                momento_configuration(latency_ms),
                credentials,
                timedelta(days=1),
                eager_connection_timeout=timedelta(seconds=5),
            )
        return self._sdk[latency_ms]

    def record(self, table: str | None = None) -> DynamoRecord:
        """A DynamoRecord of the functions' table (or `table`), its client waiting minutes for an answer: for
        filling boards through the record's own public methods, and reading them back in one rebuild."""
        config = dataclasses.replace(self.config, table_name=table or self.config.table_name)
        return DynamoRecord(config, client=self.dynamodb(patient=True))

    def dynamodb(self, *, latency_ms: int = 0, patient: bool = False) -> DynamoDBClient:
        """A bare boto3 DynamoDB client of moto. `patient`: it waits minutes for an answer, for reads of large
        partitions (moto reads a board's whole partition for every Query page, where DynamoDB reads the page)."""
        config = Config(read_timeout=300, retries={"total_max_attempts": 1}) if patient else None
        return hold_requests(dynamodb_client(self.servers.aws, config), latency_ms)

    @cached_property
    def bare_dynamodb(self) -> DynamoDBClient:
        """The floors' boto3 client (bare: none of the record's retries or timeouts)."""
        return self.dynamodb()

    def durable_floor(self, board: str, player: str, score: float) -> Timed:
        """The minimal durable write: one DynamoDB UpdateItem (a key of the bench's own, in the record's table),
        then one Momento put with the functions' TTL, both bare."""
        dynamodb, client = self.bare_dynamodb, self.sdk()

        def call() -> object:
            dynamodb.update_item(
                TableName=self.config.table_name,
                Key={"pk": {"S": f"floor#{board}"}, "sk": {"S": player}},
                UpdateExpression="SET score = :s",
                ExpressionAttributeValues={":s": {"N": repr(score)}},
            )
            return client.sorted_set_put_element(CACHE, board, player, score, ttl=FUNCTIONS_TTL)

        return call

    def page_floor(self, board: str, start: int, latency_ms: int = 0) -> Timed:
        """The bare page fetch: one sorted_set_fetch_by_rank of 20."""
        client = self.sdk(latency_ms)
        return lambda: client.sorted_set_fetch_by_rank(CACHE, board, start, start + 20, SortOrder.DESCENDING)

    def fill(
        self,
        board: str,
        size: int,
        *,
        scores: int = 10_000_000,
        settings: dict[str, Any] | None = None,
        via: Leaderboards | None = None,
    ) -> list[str]:
        """A board of `size` players straight into Momento with the bare SDK, registered with its settings (through
        `via`'s record, by default the functions' own) and marked whole, so reads answer from the index alone, as
        they do in production (the players are not in the record: writes and reads never need them there).
        `scores`: how many different scores (fewer: more ties)."""
        client = self.sdk()
        rng = random.Random(size)
        players = [f"player-{i:07d}" for i in range(size)]
        for start in range(0, size, 5000):
            batch = {name: float(rng.randrange(scores)) for name in players[start : start + 5000]}
            response = client.sorted_set_put_elements(CACHE, board, batch)
            assert type(response).__name__ == "Success", response
        # The registry and the set's settings mark, through the domain; then the marks of a whole set.
        change = SettingsChange(board, settings or {"ties": "distinct"})
        (via or self.leaderboards).update_settings(change, self.secret)
        response = client.sorted_set_put_elements(
            CACHE, board, {START_MARK: rebuild_token(1), WHOLE_MARK: rebuild_token(1)}
        )
        assert type(response).__name__ == "Success", response
        return players

    def remove(self, board: str) -> None:
        """The board gone, record and index, through the domain."""
        self.leaderboards.remove_board(BoardRef(board), self.secret)


@contextlib.contextmanager
def bench(plan: Plan) -> Iterator[Bench]:
    with running_servers() as servers:
        yield Bench(plan, servers)


# --- Timing ----------------------------------------------------------------------------------------------------


def timed(call: Timed) -> float:
    """How long `call` took, in microseconds."""
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


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 3)


def interleaved(
    calls: dict[str, Callable[[int], Timed]], rounds: int, *, warm_up: int = 50, seed: int = 1
) -> dict[str, list[float]]:
    """Each round, every call once, in a shuffled order, so drift and load hit each alike; the first `warm_up`
    rounds (connections, caches) left out. Each entry makes round i's call (its event built before the clock
    starts, as API Gateway and the runtime build it, not the function); the times, in microseconds."""
    rng = random.Random(seed)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(warm_up + rounds):
        order = list(calls.items())
        rng.shuffle(order)
        for name, make in order:
            call = make(i)
            elapsed = timed(call)
            if i >= warm_up:
                times[name].append(elapsed)
    return times


def handler_call(handler: Handler, event: dict[str, Any], context: Any, status: int | None = None) -> Timed:
    """The invocation of `handler` with `event`; with `status`, the answer is checked to be that."""

    def call() -> object:
        response = handler(event, context)
        if status is not None:
            assert response["statusCode"] == status, response
        return response

    return call


def concurrently(*calls: Timed) -> Timed:
    """The calls at once (the first on this thread), as the functions make a read's calls."""
    pool = _pool(len(calls) - 1)

    def call() -> object:
        others = [pool.submit(other) for other in calls[1:]]
        first = calls[0]()
        return [first, *(other.result() for other in others)]

    return call


@cache
def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="bench")


def size_label(number: int) -> str:
    return f"{number // 1_000_000}m" if number >= 1_000_000 else f"{number // 1000}k" if number >= 1000 else str(number)


@dataclass
class Measured:
    """What a feature module returns: its headline figures (flat, each a number) and its details (for the report)."""

    figures: dict[str, float | int]
    details: dict[str, Any]
