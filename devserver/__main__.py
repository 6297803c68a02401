"""`python -m devserver`: the API on localhost, with momento-local and moto (SSM and DynamoDB) behind it, until
Ctrl-C/SIGTERM."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import re
import shlex
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType

from devserver.api_keys import DEFAULT_ADMIN_KEY, DEFAULT_API_KEY, StageKey, stage_keys
from devserver.lambda_api import DEFAULT_DEV_PORT, LambdaApiServer, lambda_port_for
from devserver.local_aws import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from devserver.local_services import LOCAL_MOMENTO_KEY, LocalServices, start_local_services
from devserver.seed import DEMO_BOARD, DEMO_PLAYERS, seed_demo_board
from devserver.server import Gateway, GatewayHttpServer, log_line
from devserver.snapshot import SnapshotError, snapshot_path
from devserver.streams import StreamFeeds
from devserver.template import Application, RouteSpec, load_application
from devserver.time_travel import EXAMPLE, clock_note, offset_to, parse_now
from devserver.watch import watch_for_changes

SAMPLE_VALUES = {"leaderboard": "weekly", "name": "ada"}
AUTH_NOTES = {
    "none": "",
    "api_key": "  (needs x-api-key)",
    "iam": f"  (needs SigV4: access key id '{ACCESS_KEY_ID}', secret '{SECRET_ACCESS_KEY}')",
}
ADMIN_AUTH_NOTES = {
    "none": "  (admin)",
    "api_key": "  (admin: needs the admin key in x-api-key; the function refuses any other key)",
    "iam": f"  (admin: needs SigV4: access key id '{ACCESS_KEY_ID}', secret '{SECRET_ACCESS_KEY}')",
}
ROUTE_ORDER = {method: index for index, method in enumerate(("GET", "POST", "PUT", "DELETE"))}
# A function that declares this variable serves an admin route: it refuses any API key but the one whose id it holds.
ADMIN_KEY_ID_VARIABLE = "ADMIN_API_KEY_ID"
# curl's own SigV4 signing (7.75+), for the local credentials; API Gateway's service is execute-api.
CURL_SIGV4 = f'--aws-sigv4 "aws:amz:{REGION}:execute-api" --user {ACCESS_KEY_ID}:{SECRET_ACCESS_KEY}'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devserver", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_DEV_PORT, help="0 picks a free port")
    parser.add_argument(
        "--lambda-port",
        type=int,
        default=None,
        help="the Lambda Invoke API's port (default: the port after --port; 0 picks a free port)",
    )
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument("--env-vars", type=Path, default=Path("events/env.json"), help="as sam local --env-vars")
    parser.add_argument("--no-reload", action="store_true", help="do not restart functions when src/ changes")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start each function at its first request, as Lambda does (by default one environment of each routed "
        "function starts with the server, so the first requests are warm)",
    )
    parser.add_argument(
        "--seed", action="store_true", help=f"load a demo board '{DEMO_BOARD}' of {DEMO_PLAYERS} players"
    )
    parser.add_argument("--momento-port", type=int, default=0, help="momento-local's port (default: a free one)")
    parser.add_argument(
        "--momento-ops-per-second",
        type=int,
        default=None,
        metavar="N",
        help="momento-local's account rate limit: Momento's rate-limit error past N operations a second, as a Momento "
        "account answers past its limit (Momento's default is 100; default: no limit)",
    )
    parser.add_argument(
        "--moto-port", "--ssm-port", type=int, default=0, help="moto's port, SSM and DynamoDB (default: a free one)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep the DynamoDB record across restarts: loaded from here at start, saved here on stop "
        "(default: in memory only)",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("API_KEY") or DEFAULT_API_KEY,
        help="the API key routes that need one accept (x-api-key; default: $API_KEY or %(default)s)",
    )
    parser.add_argument(
        "--admin-key",
        default=os.environ.get("ADMIN_KEY") or DEFAULT_ADMIN_KEY,
        help="with AdminAuth=API_KEY, the admin key (x-api-key) the admin routes need "
        "(default: $ADMIN_KEY or %(default)s)",
    )
    parser.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE", help="template parameters, as sam local"
    )
    parser.add_argument(
        "--now",
        type=parse_now,
        default=None,
        metavar="ISO-8601",
        help=f"start the stack's clock at this instant (with its UTC offset, such as {EXAMPLE}) and run it from "
        "there: the functions and momento-local's TTLs follow it (docs/time-travel.md)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if (busy := port_problem(args.host, args.port)) is not None:  # before the local services take seconds to start
        print(f"dev server: {busy}", file=sys.stderr)
        return 1
    logging.getLogger("samcli").setLevel(logging.ERROR)  # its notes on authorizers it skips: the gateway does auth
    overrides = dict(item.split("=", 1) for item in args.parameter_overrides)
    app = load_application(args.template, args.env_vars, overrides)
    if len({key.value for key in stage_keys(app.api_keys, args.api_key, args.admin_key)}) < len(app.api_keys):
        # The gateway could not tell them apart, and the admin functions would refuse the admin key as the write key
        print("dev server: the admin key must differ from the write key (ADMIN_KEY=..., API_KEY=...)", file=sys.stderr)
        return 1
    try:
        # NOW's offset, taken once: every function environment started later (cold starts, reloads) joins it.
        services = start_local_services(
            app,
            args.host,
            args.momento_port,
            args.moto_port,
            args.data_dir,
            clock_offset_s=offset_to(args.now),
            momento_ops_per_second=args.momento_ops_per_second,
        )
    except SnapshotError as error:
        print(f"dev server: {error}", file=sys.stderr)
        return 1
    gateway = Gateway(
        app,
        services.function_environment(),
        log_line,
        args.api_key,
        args.admin_key,
        clock_offset_s=services.clock_offset_s,
    )
    try:
        http = GatewayHttpServer((args.host, args.port), gateway)
    except OSError as error:
        print(f"dev server: {listen_problem(args.host, args.port, error)}", file=sys.stderr)
        gateway.close()
        services.stop()
        return 1
    try:
        lambda_api = open_lambda_api(args, gateway)
    except OSError:
        http.server_close()
        gateway.close()
        services.stop()
        return 1
    if args.seed:
        print(f"dev server: seeding the demo board '{DEMO_BOARD}' (its record, then its index)...", flush=True)
        seed_demo_board(
            services.momento.address,
            LOCAL_MOMENTO_KEY,
            services.cache_names[0],
            services.table_variables["LEADERBOARD_TABLE_NAME"],  # the record's table, as the functions name it
            services.moto_endpoint,
            clock_offset_s=services.clock_offset_s,
        )
    if not args.cold:
        gateway.warm_up()
    # After the seed: the feeds start at the streams' ends, as a new event source mapping does.
    feeds = StreamFeeds(app, services.moto_endpoint, lambda: gateway.pools, log_line).start()
    stop = threading.Event()
    signals = StopSignals()
    threading.Thread(target=http.serve_forever, name="http", daemon=True).start()
    if lambda_api is not None:
        threading.Thread(target=lambda_api.serve_forever, name="lambda-api", daemon=True).start()
    if not args.no_reload:
        code_dirs = {spec.code_dir for spec in app.functions.values()}
        watch_for_changes(
            gateway, code_dirs=code_dirs, template=args.template, env_vars=args.env_vars, overrides=overrides, stop=stop
        )
    url = f"http://{args.host}:{http.server_address[1]}"
    lambda_url = lambda_api.url if lambda_api is not None else None
    print(
        banner(url, app, services, args.seed, gateway.keys, lambda_url=lambda_url, now=args.now, feeds=feeds.functions),
        flush=True,
    )
    signals.wait(on_meter=lambda: print_meter(services))
    stop.set()
    print("dev server: stopping", flush=True)
    return shut_down([http, lambda_api], feeds, gateway, services)


def shut_down(
    servers: list[GatewayHttpServer | LambdaApiServer | None],
    feeds: StreamFeeds,
    gateway: Gateway,
    services: LocalServices,
) -> int:
    """The front doors first, then the streams' feeds and the functions, then the local services (saving the
    record)."""
    for server in servers:
        if server is not None:
            server.shutdown()
            server.server_close()
    feeds.stop(timeout_s=0)  # no batch starts now; one in flight ends as its workers stop
    gateway.close()
    feeds.stop()
    return stop_services(services)


class StopSignals:
    """Ctrl-C (SIGINT) and SIGTERM, noted by a handler that takes no lock: Event.set would take one, and a second
    signal arriving inside the handler runs it again while the first holds that lock, hanging the server before it
    stops its services and saves the record. SIGUSR1 (print momento-local's operations meter) is noted the same way."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.meter_asked: list[int] = []
        signal.signal(signal.SIGINT, self._note)
        signal.signal(signal.SIGTERM, self._note)
        signal.signal(signal.SIGUSR1, self._note_meter)

    def _note(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)

    def _note_meter(self, signum: int, _frame: FrameType | None) -> None:
        self.meter_asked.append(signum)

    def wait(self, on_meter: Callable[[], None] = lambda: None) -> None:
        while not self.received:
            time.sleep(0.05)
            while self.meter_asked:
                self.meter_asked.pop()
                on_meter()


def print_meter(services: LocalServices) -> None:
    """`kill -USR1 <pid>`: the Momento operations the API has spent so far, per call, as Momento counts them."""
    print(f"momento-local meter:\n{services.momento.meter.snapshot().format()}", flush=True)


def stop_services(services: LocalServices) -> int:
    """Stops the local services, saving the record when there is a data dir: says where, or why not."""
    try:
        services.stop()
    except Exception as error:  # the record could not be saved: say so, the previous snapshot is intact
        print(f"dev server: stopped, but the record was not saved: {error}", file=sys.stderr, flush=True)
        return 1
    if services.data_dir is not None:
        print(f"dev server: record saved to {snapshot_path(services.data_dir)}", flush=True)
    print("dev server: stopped", flush=True)
    return 0


def port_problem(host: str, port: int) -> str | None:
    """Why the HTTP server could not listen there, found by binding as it will (the later bind still decides)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as http.server does: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as error:
            return listen_problem(host, port, error)
    return None


def listen_problem(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another make dev?): stop that, "
            f"or pick another port: make dev PORT={port + 10}"
        )
    return f"cannot listen on {host}:{port}: {error}"


def open_lambda_api(args: argparse.Namespace, gateway: Gateway) -> LambdaApiServer | None:
    """The Invoke API on the same function pools as the routes. A port asked for must be free; the default port
    being taken only costs the Invoke API (`make invoke` then starts its own services)."""
    port = args.lambda_port if args.lambda_port is not None else lambda_port_for(args.port)
    try:
        # Loopback only, whatever HOST says: this port skips API Gateway's key and signature checks.
        return LambdaApiServer(("127.0.0.1", port), lambda: gateway.pools, log_line)
    except OSError as error:
        if args.lambda_port is not None:
            print(f"dev server: cannot listen on 127.0.0.1:{port} (Lambda Invoke API): {error}", file=sys.stderr)
            raise
        print(
            f"dev server: Lambda Invoke API not started: 127.0.0.1:{port} is taken ({error.strerror}); "
            "choose its port with --lambda-port (make dev LAMBDA_PORT=...)",
            file=sys.stderr,
        )
        return None


def banner(
    url: str,
    app: Application,
    services: LocalServices,
    seeded: bool,
    keys: list[StageKey],
    *,
    lambda_url: str | None = None,
    now: datetime | None = None,
    feeds: list[str] | None = None,
) -> str:
    routes = "\n".join(
        f"  {r.method:<6} {url}{r.resource}  ->  {r.function_id}"
        + (ADMIN_AUTH_NOTES if is_admin(app, r) else AUTH_NOTES)[r.auth]
        for r in sorted(app.routes, key=lambda r: (r.resource, ROUTE_ORDER.get(r.method, len(ROUTE_ORDER))))
    )
    lines = [
        f"leaderboard-api dev server on {url}",
        *page_notes(url, app, seeded),
        f"  Lambda Invoke API on {lambda_url} (make invoke, or boto3's lambda client with endpoint_url)"
        if lambda_url
        else "",
        f"  momento-local {services.momento.address} (cache {', '.join(services.cache_names)}); "
        f"moto {services.moto_endpoint}: SSM holding {', '.join(services.key_parameters)}"
        + (f", DynamoDB table {', '.join(table.name for table in services.tables)}" if services.tables else ""),
        record_note(services),
        clock_note(now, services.clock_offset_s),
        "Routes:",
        routes,
        *scheduled_notes(app),
        *stream_notes(app, feeds or []),
        *key_notes(app, keys),
        "Try:",
        *(f"  {example}" for example in curl_examples(url, app, keys)),
    ]
    if seeded:
        lines.append(f"  curl '{url}/{DEMO_BOARD}?startRank=0&endRank=10'   # the demo board")
        lines.append(f"  curl '{url}/{DEMO_BOARD}?period=daily:previous&endRank=10'   # its winners of yesterday (UTC)")
    if lambda_url:
        lines.append(f"  {invoke_example(url, lambda_url)}")
    lines.append(f"  {flush_example(services)}   # Momento forgets; the next read rebuilds from the record")
    lines.append("Ready. Ctrl-C stops.")
    return "\n".join(lines)


def page_notes(url: str, app: Application, seeded: bool) -> list[str]:
    """Where the board page is, when the template serves one (GET /): open it in a browser."""
    if not any(route.resource == "/" and route.method == "GET" for route in app.routes):
        return []
    board = DEMO_BOARD if seeded else SAMPLE_VALUES.get("leaderboard", "weekly")
    return [
        f"  Board page: {url}/?board={board}   (open it in a browser; a stream overlay: {url}/?board={board}&embed=1)"
    ]


def flush_example(services: LocalServices) -> str:
    """The command that empties the local cache, as a Momento flush would (docs/operations.md: Durable boards), for
    a shell in the repository's root: run by this interpreter (.venv/bin/python under make dev), since a bare
    `python` is the system's, without the packages momento_local needs."""
    return (
        f"{this_python()} -m momento_local flush --address {services.momento.address} "
        f"--cache {services.cache_names[0]} --token {LOCAL_MOMENTO_KEY}"
    )


def this_python() -> str:
    """This interpreter's path, relative to the repository's root when it lies inside it, quoted for a shell."""
    executable = Path(sys.executable)
    root = Path(__file__).absolute().parent.parent
    shown = executable.relative_to(root) if executable.is_relative_to(root) else executable
    return shlex.quote(str(shown))


def record_note(services: LocalServices) -> str:
    """Where the tables' items live: only in memory, or kept in the data dir."""
    if not services.tables:
        return ""
    if services.data_dir is None:
        return "  The record lives in memory: gone on stop (make dev DATA_DIR=.data keeps it across restarts)."
    return (
        f"  The record is kept in {snapshot_path(services.data_dir)}: {services.loaded_items} item(s) loaded, saved "
        "on stop; momento-local starts empty, as Momento does after a flush."
    )


def scheduled_notes(app: Application) -> list[str]:
    """Functions no route reaches: EventBridge runs them in AWS, `make invoke` here."""
    scheduled = [spec for spec in app.functions.values() if spec.schedules]
    if not scheduled:
        return []
    return [
        "Scheduled (not run on a timer here; make invoke FN=<function> EVENT=<a Scheduled Event> runs one):",
        *(f"  {', '.join(spec.schedules)}  ->  {spec.logical_id}" for spec in scheduled),
    ]


def stream_notes(app: Application, feeds: list[str]) -> list[str]:
    """Functions a table's stream runs: this server delivers the stream to them, about once a second."""
    if not feeds:
        return []
    return [
        "Run by a table's stream (delivered here about once a second, as Lambda's event source mapping does):",
        *(
            f"  {', '.join(source.table for source in app.functions[name].streams)} stream  ->  {name}"
            for name in dict.fromkeys(feeds)
        ),
    ]


def invoke_example(url: str, lambda_url: str) -> str:
    """`make invoke` with what it needs to find this server's Invoke API (nothing on the default ports)."""
    port, lambda_port = int(url.rsplit(":", 1)[1]), int(lambda_url.rsplit(":", 1)[1])
    if lambda_port == lambda_port_for(port):
        where = "" if port == DEFAULT_DEV_PORT else f" PORT={port}"
    else:
        where = f" LAMBDA_PORT={lambda_port}"
    return f'make invoke EVENTS="events/submit-score.json events/get-standing.json"{where}'


def is_admin(app: Application, route: RouteSpec) -> bool:
    function = app.functions.get(route.function_id)
    return function is not None and ADMIN_KEY_ID_VARIABLE in function.environment


def key_notes(app: Application, keys: list[StageKey]) -> list[str]:
    """The keys of the stage, when a route needs one: clients send the write key, operators the admin key."""
    if not any(route.auth == "api_key" for route in app.routes):
        return []
    return [
        f"Admin API key (x-api-key; the admin routes refuse any other): {key.value}"
        if key.admin
        else f"API key (x-api-key): {key.value}"
        for key in keys
    ]


# A write first, so the reads and the removals have something; a player removed before the board.
EXAMPLE_ORDER = ("POST", "GET", "PUT", "DELETE")
EXAMPLE_BODIES = {"POST": """'{"score": 42}'""", "PUT": "'{}'"}  # PUT {}: the board's settings, unchanged


def curl_examples(url: str, app: Application, keys: list[StageKey]) -> list[str]:
    """One working curl per route, with what its protection needs (a key, or curl's own SigV4 signature)."""
    examples = []
    # The board page (GET /) is HTML for a browser: the banner names it apart (page_notes).
    routes = [route for route in app.routes if route.method in EXAMPLE_ORDER and route.resource != "/"]
    depth = {method: -1 if method == "DELETE" else 1 for method in EXAMPLE_ORDER}
    for route in sorted(routes, key=lambda r: (EXAMPLE_ORDER.index(r.method), depth[r.method] * len(r.resource))):
        path = re.sub(r"\{(\w+)\+?\}", lambda m: SAMPLE_VALUES.get(m.group(1), "example"), route.resource)
        auth = ""
        if route.auth == "api_key":
            key = next((k for k in keys if k.admin == is_admin(app, route)), keys[0])
            auth = f" -H 'x-api-key: {key.value}'"
        elif route.auth == "iam":
            auth = f" {CURL_SIGV4}"
        method = "" if route.method == "GET" else f" -X {route.method}"
        body = EXAMPLE_BODIES.get(route.method)
        sent = f" -H 'Content-Type: application/json' -d {body}" if body else ""
        examples.append(f"curl -i{method} {url}{path}{auth}{sent}")
    return examples


if __name__ == "__main__":
    sys.exit(main())
