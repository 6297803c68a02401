"""`make invoke`: the Docker-free `sam local invoke`, for one event or a sequence that shares state.

`python -m devserver.invoke [--function FN] EVENT [EVENT ...]` (or, as before, `python -m devserver.invoke FN EVENT`).
Each event goes to the function whose route takes its httpMethod and resource, or to --function. With a `make dev`
running, the events go through its Lambda Invoke API and see its data (its terminal shows the functions' logs);
otherwise this run starts the same local services once, for all its events, so a read sees an earlier write.
One JSON response per line on stdout, logs and notes on stderr. Exits 0; 1 if any invocation failed; 2, with one
line and nothing started, for a missing or malformed event file, an unknown function or an event no route takes.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from devserver.invoke_plan import Invocation, PlanError, plan_invocations, read_event
from devserver.lambda_api import DEFAULT_DEV_PORT, LambdaApiServer, lambda_port_for
from devserver.local_aws import lambda_client
from devserver.local_services import start_local_services
from devserver.runtime import INIT_TIMEOUT_S, FunctionPool, runtime_environment
from devserver.template import Application, load_application

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]+")  # a logical id or a deployed name: never a path to an event file
PROBE = Config(connect_timeout=0.3, read_timeout=2, retries={"total_max_attempts": 1})


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devserver.invoke", description=__doc__)
    parser.add_argument("events", nargs="+", metavar="EVENT", help="event files, invoked in order")
    parser.add_argument("--function", help="send every event to this function (logical id or deployed name)")
    parser.add_argument("--host", default="127.0.0.1", help="where a running make dev listens")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_DEV_PORT, help="a running make dev's port: its Invoke API is the next one"
    )
    parser.add_argument("--lambda-port", type=int, help="a running make dev's Invoke API port, if not --port + 1")
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument("--env-vars", type=Path, default=Path("events/env.json"))
    args = parser.parse_args(argv)
    first = args.events[0]
    if args.function is None and len(args.events) > 1 and FUNCTION_NAME.fullmatch(first) and not Path(first).exists():
        args.function, args.events = first, args.events[1:]  # the older form: the function, then the event
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("samcli").setLevel(logging.ERROR)  # its notes on authorizers it skips: invoke has no gateway
    try:
        events = [(Path(name), read_event(Path(name))) for name in args.events]
        if not args.template.is_file():
            raise PlanError(f"no template {args.template}; run from the repository's root or pass --template")
        app = load_application(args.template, args.env_vars)
        invocations = plan_invocations(app, args.template, events, args.function)
    except PlanError as error:
        print(f"invoke: {error}", file=sys.stderr)
        return 2
    lambda_port = args.lambda_port if args.lambda_port is not None else lambda_port_for(args.port)
    with lambda_endpoint(app, args.host, lambda_port) as client:
        succeeded = [invoke(client, invocation) for invocation in invocations]
    return 0 if all(succeeded) else 1


@contextmanager
def lambda_endpoint(app: Application, host: str, port: int) -> Iterator[LambdaClient]:
    """A client of the running make dev's Invoke API if one answers on `port`, else of this run's own."""
    config = invoke_config(app)
    running = f"http://{host}:{port}"
    if port and dev_server_answers(running):
        print(f"invoking through the running make dev on {host}:{port}", file=sys.stderr, flush=True)
        yield lambda_client(running, config)
        return
    print("no make dev running: starting local services for this run", file=sys.stderr, flush=True)
    with local_lambda_api(app) as url:
        yield lambda_client(url, config)


def dev_server_answers(url: str) -> bool:
    """True if a Lambda API answers there: a ListFunctions call, so another program on that port is not mistaken
    for a dev server."""
    try:
        lambda_client(url, PROBE).list_functions()
    except (BotoCoreError, ClientError):
        return False
    return True


@contextmanager
def local_lambda_api(app: Application) -> Iterator[str]:
    """The template's functions on fresh local services, behind an Invoke API on a free port, for this run only."""
    services = start_local_services(app)
    pools = {
        function_id: FunctionPool(spec, runtime_environment(spec, services.function_environment()), max_workers=1)
        for function_id, spec in app.functions.items()
    }
    server = LambdaApiServer(("127.0.0.1", 0), lambda: pools, log=lambda _line: None)
    threading.Thread(target=server.serve_forever, name="lambda-api", daemon=True).start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        for pool in pools.values():
            pool.close()
        services.stop()


def invoke_config(app: Application) -> Config:
    """No retries (an invocation can write), and long enough a wait for the slowest function's cold start."""
    slowest_s = max((spec.timeout_s for spec in app.functions.values()), default=3)
    return Config(connect_timeout=2, read_timeout=slowest_s + INIT_TIMEOUT_S + 30, retries={"total_max_attempts": 1})


def invoke(client: LambdaClient, invocation: Invocation) -> bool:
    """Prints the function's response (an error without its stack trace) on one line; False if it failed."""
    print(f"invoke: {invocation.event_file} -> {invocation.function_id}", file=sys.stderr, flush=True)
    try:
        response = client.invoke(FunctionName=invocation.function_id, Payload=json.dumps(invocation.event).encode())
    except (BotoCoreError, ClientError) as error:  # make dev stopped, or it serves another template
        print(f"invoke: {invocation.event_file}: {error}", file=sys.stderr, flush=True)
        return False
    payload = json.loads(response["Payload"].read() or b"null")
    if "FunctionError" in response:
        if isinstance(payload, dict):
            payload = {key: value for key, value in payload.items() if key != "stackTrace"}
        print(json.dumps(payload), flush=True)
        return False
    print(json.dumps(payload, ensure_ascii=False), flush=True)
    return True


if __name__ == "__main__":
    sys.exit(main())
