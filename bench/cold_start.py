"""Cold start, per route: a fresh Python process importing the route's handler module (its init: the configuration,
the composition root building both stores, the DynamoDB client made, the key read from SSM through the Parameters and
Secrets extension, as the template deploys by default, and the stores connected), then serving its first request
(the route's calls), against the durable floor: a fresh process importing momento and boto3, creating both clients,
and making one Momento put and one DynamoDB UpdateItem. Goal: every route within 1.3x the floor.

Then, in each of those processes, the first invoke after init (what SnapStart would leave: the import and init are
in its snapshot) against the p50 of the warm invokes that follow it. Goal: within 1.2x.

Every process is timed from its spawn to its first answer, on the one monotonic clock all processes share; routes
and the floor interleaved, Plan.cold_runs of each, medians. The page route also with the key read through boto3's
SSM client (ParametersSecretsExtensionLayerArn=none, or a region without the layer) and with X-Ray tracing on.
Then the route furthest from each goal once more, under `python -X importtime` and with its first invoke profiled:
the imports the floor does not make, by package; those the first invoke makes; and the first invoke's main steps
(the key read, the Momento client made, DynamoDB requests).
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import (
    CACHE,
    FUNCTION,
    KEY,
    ROOT,
    ROUTES,
    SESSION_TOKEN,
    Bench,
    Measured,
    function_environment,
    ratio,
)
from shared.domain.rules import Submission
from tests.support import lambda_fakes as fakes
from tests.support.parameters_extension import ParametersExtension

COLD_RATIO_GOAL = 1.3
FIRST_INVOKE_GOAL = 1.2
TABLE = "bench-cold"  # the cold processes' boards: keep_boards_alive walks every board of its table
REMOVALS_TABLE = "bench-cold-removals"  # removed boards stay registered (a new generation): kept apart
BOARD = "cold"
PLAYERS = 100
# The first invoke's steps a profile of it (cProfile, this thread's calls) names: each its function's time.
FIRST_INVOKE_STEPS = {
    "key_read": ("shared/platform/parameter_sources.py", "get"),
    "momento_client_created": ("momento/cache_client.py", "create"),
    "dynamodb_requests_on_this_thread": ("botocore/client.py", "_make_api_call"),
}
TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

# The timed process: the handler module imported and initialised, the first event answered, then the warm ones.
# The events are built by this process (API Gateway and the runtime build them, not the function) and read before
# the import. Markers on stderr split `-X importtime`'s log into init, first invoke and warm invokes.
ROUTE_PROCESS = """
import time
started = time.monotonic()
import json, os, sys, types
with open({events!r}, encoding="utf-8") as file:
    events = json.load(file)
context = types.SimpleNamespace(**events.pop(), get_remaining_time_in_millis=lambda: 10000)
sys.path.insert(0, {src!r})
import handlers.{route} as module
initialised = time.monotonic()
print("bench: initialised", file=sys.stderr, flush=True)
def check(response):
    status = response.get("statusCode", 200) if isinstance(response, dict) else None
    assert status == {status!r}, response
profiled = {{}}
if {profile!r}:
    import cProfile, pstats
    profiler = cProfile.Profile()
    profiler.enable()
check(module.lambda_handler(events[0], context))
answered = time.monotonic()
print("bench: first invoke answered", file=sys.stderr, flush=True)
if {profile!r}:
    profiler.disable()
    for (file, _, function), (_, _, _, cumulative, _) in pstats.Stats(profiler).stats.items():
        for step, (suffix, name) in {steps!r}.items():
            if file.endswith(suffix) and function == name:
                profiled[step] = max(profiled.get(step, 0), cumulative * 1000)
    profiled["first_invoke"] = (answered - initialised) * 1000
warm = []
for event in events[1:]:
    began = time.perf_counter()
    response = module.lambda_handler(event, context)
    warm.append((time.perf_counter() - began) * 1000)
    check(response)
print(json.dumps({{"started": started, "initialised": initialised, "answered": answered, "warm_ms": warm,
                  "profiled_ms": profiled}}))
sys.stdout.flush()
os._exit(0)
"""
FLOOR_PROCESS = """
import time
started = time.monotonic()
import json, os, sys
from datetime import timedelta
import boto3
from momento import CacheClient, Configurations, CredentialProvider
imported = time.monotonic()
print("bench: initialised", file=sys.stderr, flush=True)
host, _, port = {address!r}.rpartition(":")
credentials = CredentialProvider({key!r}, host, host, host, int(port))
client = CacheClient.create(Configurations.Lambda.latest(), credentials, timedelta(days=1),
                            eager_connection_timeout=timedelta(milliseconds=500))
dynamodb = boto3.client("dynamodb")
created = time.monotonic()
dynamodb.update_item(TableName={table!r}, Key={{"pk": {{"S": "floor#cold"}}, "sk": {{"S": "player"}}}},
                     UpdateExpression="SET score = :s", ExpressionAttributeValues={{":s": {{"N": "1"}}}})
response = client.sorted_set_put_element({cache!r}, "cold-floor", "player", 1.0)
assert type(response).__name__ == "Success", response
answered = time.monotonic()
print("bench: first invoke answered", file=sys.stderr, flush=True)
print(json.dumps({{"started": started, "imported": imported, "created": created, "answered": answered}}))
sys.stdout.flush()
os._exit(0)
"""


@dataclass
class Route:
    """How one route's cold processes run: the events of run n (the first, then the warm ones), its answer's status,
    its environment's changes, and what the record needs before run n."""

    module: str
    status: int
    events: Callable[[int, int], list[dict[str, Any]]]
    environment: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[int, int], None] = lambda run, count: None
    key_path: str = "extension"  # or "boto3": the key read with boto3's SSM client (no extension in the environment)


@dataclass
class Run:
    cold_ms: float  # spawn to the first answer
    wall_ms: float  # spawn to the process's exit
    steps_ms: dict[str, float]
    warm_ms: list[float]
    stderr: str
    profiled_ms: dict[str, float]


class ColdStarts:
    """The cold processes of one bench run: their environments, the extension's stand-in, the boards they read."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.extension = ParametersExtension(bench.servers.aws, SESSION_TOKEN)
        self.directory = Path(tempfile.mkdtemp(prefix="bench-cold-"))
        bench.servers.table(TABLE)
        bench.servers.table(REMOVALS_TABLE)
        self.boards = bench.build(table_name=TABLE)
        self.removals = bench.build(table_name=REMOVALS_TABLE)
        self.players = bench.fill(BOARD, PLAYERS, via=self.boards)
        context = vars(fakes.lambda_context(FUNCTION))
        self.context = {k: v for k, v in context.items() if not k.startswith("_")}
        self.routes = self._routes()

    def _routes(self) -> dict[str, Route]:
        def player(i: int) -> str:
            return self.players[i % PLAYERS]

        def each(make: Callable[[int, int], dict[str, Any]]) -> Callable[[int, int], list[dict[str, Any]]]:
            return lambda run, count: [make(run, i) for i in range(count)]

        def gone(run: int, count: int) -> None:  # the boards a run's removals remove, each with a player
            for i in range(count):
                self.removals.submit(Submission(f"gone-{run}-{i}", "player", 1.0), self.bench.secret)

        removals = {"LEADERBOARD_TABLE_NAME": REMOVALS_TABLE}
        scheduled = fakes.load_event("keep-boards-alive.json")
        routes = {
            "submit_score": Route(
                "submit_score", 202, each(lambda run, i: fakes.submit_event(BOARD, f"new-{run}-{i}", {"score": i}))
            ),
            "get_standing": Route("get_standing", 200, each(lambda run, i: fakes.standing_event(BOARD, player(i)))),
            "get_leaderboard": Route("get_leaderboard", 200, each(lambda run, i: fakes.page_event(BOARD))),
            "get_around": Route("get_around", 200, each(lambda run, i: fakes.around_event(BOARD, player(i)))),
            "update_board_settings": Route(
                "update_board_settings",
                200,
                each(lambda run, i: fakes.settings_event("cold-settings", {"order": "desc"})),
            ),
            "remove_player": Route(
                "remove_player", 204, each(lambda run, i: fakes.remove_player_event(BOARD, f"new-{run}-{i}"))
            ),
            "remove_board": Route(
                "remove_board", 204, each(lambda run, i: fakes.remove_board_event(f"gone-{run}-{i}")), removals, gone
            ),
            "get_page": Route("get_page", 200, each(lambda run, i: fakes.board_page_event())),
            "keep_boards_alive": Route("keep_boards_alive", 200, each(lambda run, i: dict(scheduled))),
        }
        assert set(routes) == set(ROUTES)
        traced = {
            "POWERTOOLS_TRACE_DISABLED": "false",
            "LAMBDA_TASK_ROOT": str(ROOT / "src"),
            "_X_AMZN_TRACE_ID": TRACE_ID,
        }
        page = routes["get_leaderboard"]
        routes["get_leaderboard_boto3"] = Route(page.module, 200, page.events, key_path="boto3")
        routes["get_leaderboard_traced"] = Route(page.module, 200, page.events, traced)
        return routes

    def environment(self, changes: dict[str, str], key_path: str = "extension") -> dict[str, str]:
        extension = (
            {"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(self.extension.port)} if key_path == "extension" else {}
        )
        return {
            "PATH": os.environ.get("PATH", ""),
            **function_environment(self.bench.servers, LEADERBOARD_TABLE_NAME=TABLE),
            **{name: os.environ[name] for name in ("MOMENTO_TIMEOUT_MS",) if name in os.environ},
            **extension,
            **changes,
        }

    def run(
        self, name: str, number: int, warm_invokes: int, options: tuple[str, ...] = (), profile: bool = False
    ) -> Run:
        """One fresh process of the route (or "floor"); `profile`: its first invoke profiled (FIRST_INVOKE_STEPS)."""
        if name == "floor":
            code = FLOOR_PROCESS.format(address=self.bench.servers.momento, key=KEY, cache=CACHE, table=TABLE)
            env = self.environment({})
        else:
            route = self.routes[name]
            route.prepare(number, 1 + warm_invokes)
            events = self.directory / f"{name}-{number}.json"
            events.write_text(json.dumps([*route.events(number, 1 + warm_invokes), self.context]), encoding="utf-8")
            code = ROUTE_PROCESS.format(
                src=str(ROOT / "src"),
                route=route.module,
                events=str(events),
                status=route.status,
                profile=profile,
                steps=FIRST_INVOKE_STEPS,
            )
            env = self.environment(route.environment, route.key_path)
        spawned = time.monotonic()
        result = subprocess.run(
            [sys.executable, *options, "-c", code], env=env, capture_output=True, text=True, check=False, cwd=ROOT
        )
        wall_ms = (time.monotonic() - spawned) * 1000
        if result.returncode != 0:
            raise RuntimeError(f"the cold process of {name} failed: {result.stderr[-3000:]}")
        times = json.loads(result.stdout.strip().splitlines()[-1])
        steps = {
            "interpreter": times["started"] - spawned,
            **(
                {"imports": times["imported"] - times["started"], "clients": times["created"] - times["imported"]}
                if name == "floor"
                else {"import_and_init": times["initialised"] - times["started"]}
            ),
            "first_request": times["answered"] - (times["created"] if name == "floor" else times["initialised"]),
        }
        return Run(
            cold_ms=(times["answered"] - spawned) * 1000,
            wall_ms=wall_ms,
            steps_ms={step: seconds * 1000 for step, seconds in steps.items()},
            warm_ms=times.get("warm_ms", []),
            profiled_ms=times.get("profiled_ms", {}),
            stderr=result.stderr,
        )

    def close(self) -> None:
        self.extension.stop()


def measure(bench: Bench) -> Measured:
    cold = ColdStarts(bench)
    try:
        return _measure(bench, cold)
    finally:
        cold.close()


def _measure(bench: Bench, cold: ColdStarts) -> Measured:
    plan = bench.plan
    names = ["floor", *cold.routes]
    runs: dict[str, list[Run]] = {name: [] for name in names}
    if plan.cold_runs > 1:  # first runs fill the OS file cache for everyone, left out
        for name in names:
            cold.run(name, -1, 0)
    rng = random.Random(11)
    for number in range(plan.cold_runs):
        order = list(names)
        rng.shuffle(order)  # interleaved: load on the machine hits each alike
        for name in order:
            runs[name].append(cold.run(name, number, 0 if name == "floor" else plan.warm_invokes))
    floor_ms = _median([run.cold_ms for run in runs["floor"]])
    details: dict[str, Any] = {
        "runs": plan.cold_runs,
        "warm_invokes": plan.warm_invokes,
        "floor": {"median_ms": round(floor_ms, 1), "steps_ms": _steps(runs["floor"])},
        "routes": {},
    }
    figures: dict[str, float | int] = {"cold_start_floor_ms": round(floor_ms, 1)}
    for name in cold.routes:
        median = _median([run.cold_ms for run in runs[name]])
        first = _median([run.steps_ms["first_request"] for run in runs[name]])
        warm = _median([ms for run in runs[name] for ms in run.warm_ms])
        row: dict[str, Any] = {
            "median_ms": round(median, 1),
            "ratio_to_floor": ratio(median, floor_ms),
            "steps_ms": _steps(runs[name]),
            "first_invoke_ms": round(first, 2),
            "warm_p50_ms": round(warm, 2),
            "first_invoke_vs_warm": ratio(first, warm),
        }
        details["routes"][name] = row
        figures[f"cold_start_ms_{name}"] = row["median_ms"]
        figures[f"cold_start_ratio_{name}"] = row["ratio_to_floor"]
        if name in ROUTES:  # the other two are the page route's variants: their cold starts only
            figures[f"first_invoke_ratio_{name}"] = row["first_invoke_vs_warm"]
    routes = {name: row for name, row in details["routes"].items() if name in ROUTES}
    worst_cold = max(routes, key=lambda name: routes[name]["ratio_to_floor"])
    worst_first = max(routes, key=lambda name: routes[name]["first_invoke_vs_warm"])
    figures["cold_start_ratio_worst"] = routes[worst_cold]["ratio_to_floor"]
    figures["first_invoke_ratio_worst"] = routes[worst_first]["first_invoke_vs_warm"]
    details["worst"] = {"cold_start": worst_cold, "first_invoke": worst_first}
    details["goals"] = {"cold_start_ratio": COLD_RATIO_GOAL, "first_invoke_ratio": FIRST_INVOKE_GOAL}
    details["imports"] = _imports(cold, worst_cold, worst_first)
    return Measured(figures, details)


def _imports(cold: ColdStarts, worst_cold: str, worst_first: str) -> dict[str, Any]:
    """`-X importtime` of the floor and of the worst routes: what each imports beyond the floor, by package, and what
    its first invoke imports (after init); then, in another process, its first invoke profiled."""
    floor = _import_log(cold.run("floor", -2, 0, ("-X", "importtime")).stderr)
    results: dict[str, Any] = {"floor_total_ms": round(sum(row.self_us for row in floor.init) / 1000, 1)}
    for name in dict.fromkeys((worst_cold, worst_first)):
        log = _import_log(cold.run(name, -2, 0, ("-X", "importtime")).stderr)
        profiled = cold.run(name, -3, 0, profile=True).profiled_ms
        floor_modules = {row.module for row in floor.init}
        beyond: dict[str, float] = {}
        for row in log.init:
            if row.module not in floor_modules:
                package = row.module.split(".")[0]
                beyond[package] = beyond.get(package, 0) + row.self_us / 1000
        results[name] = {
            "init_total_ms": round(sum(row.self_us for row in log.init) / 1000, 1),
            "beyond_the_floor_ms": round(sum(beyond.values()), 1),
            "beyond_the_floor_by_package_ms": {
                package: round(ms, 1) for package, ms in sorted(beyond.items(), key=lambda item: -item[1])[:10]
            },
            "slowest_imports": [
                {"module": row.module, "cumulative_ms": round(row.cumulative_us / 1000, 1)}
                for row in sorted((r for r in log.init if 1 <= r.depth <= 2), key=lambda r: -r.cumulative_us)[:10]
            ],
            "first_invoke_profiled_ms": {step: round(ms, 1) for step, ms in profiled.items()},
            "first_invoke_imports_ms": round(sum(row.self_us for row in log.first) / 1000, 1),
            "first_invoke_imports": [
                {"module": row.module, "cumulative_ms": round(row.cumulative_us / 1000, 1)}
                for row in sorted((r for r in log.first if r.depth == 0), key=lambda r: -r.cumulative_us)[:10]
            ],
        }
    return results


@dataclass
class _Import:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


@dataclass
class _ImportLog:
    init: list[_Import]  # before the first invoke (interpreter start, the handler's import and init)
    first: list[_Import]  # during the first invoke


def _import_log(stderr: str) -> _ImportLog:
    log = _ImportLog([], [])
    rows = log.init
    for line in stderr.splitlines():
        if line.startswith("bench: initialised"):
            rows = log.first
        elif line.startswith("bench: first invoke answered"):
            break
        elif match := re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line):
            depth = (len(match.group(3)) - 1) // 2
            rows.append(_Import(match.group(4), int(match.group(1)), int(match.group(2)), depth))
    return log


def _steps(runs: list[Run]) -> dict[str, float]:
    return {step: round(_median([run.steps_ms[step] for run in runs]), 1) for step in runs[0].steps_ms}


def _median(values: list[float]) -> float:
    return statistics.median(values)
