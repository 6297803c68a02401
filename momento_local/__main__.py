"""`python -m momento_local`: serve in the foreground until Ctrl-C or SIGTERM.

The meter of operations (as Momento counts them) is printed on SIGUSR1, every `--meter-interval` seconds, and at exit.

`python -m momento_local flush --address HOST:PORT --cache NAME [--token TOKEN]` empties a cache of a running server
through the control plane, as a Momento console flush does (how to see a service rebuild what Momento lost).
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
import threading
from datetime import UTC, datetime
from types import FrameType

from momento_local.server import LOCAL_TOKEN, MomentoLocalServer
from momento_local.store import DEFAULT_MAX_ITEM_SIZE_BYTES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m momento_local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one")
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        help="an accepted `authorization` token; repeat for several (default: the empty token of for_momento_local)",
    )
    parser.add_argument(
        "--max-item-size-bytes",
        type=int,
        default=DEFAULT_MAX_ITEM_SIZE_BYTES,
        help="size cap of one item (a whole sorted set, or a scalar's value) (default: %(default)s, Momento's 5 MB)",
    )
    parser.add_argument("--cache", action="append", default=[], help="a cache to create at start; repeatable")
    parser.add_argument(
        "--ops-per-second",
        type=int,
        default=None,
        help="refuse data-plane calls over this many operations in any 1-second window with Momento's rate-limit "
        "error (Momento's default account limit is 100; default: no limit)",
    )
    parser.add_argument(
        "--meter-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="print the operations meter every SECONDS (it is always printed on SIGUSR1 and at exit)",
    )
    parser.add_argument(
        "--clock-offset",
        type=_offset,
        default=0.0,
        metavar="SECONDS",
        help="run the server's clock, which TTLs follow, this many seconds ahead of the system's (negative: behind); "
        "make dev NOW=... gives the functions and momento-local one offset (docs/time-travel.md) (default: 0)",
    )
    return parser.parse_args(argv)


def _offset(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        raise argparse.ArgumentTypeError(f"a number of seconds, such as 3600 or -86400.5; got {text!r}")
    return seconds


def flush(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m momento_local flush", description="Empties a cache.")
    parser.add_argument("--address", default="127.0.0.1:8080", help="the server's HOST:PORT (default: %(default)s)")
    parser.add_argument("--cache", required=True, help="the cache to empty")
    parser.add_argument("--token", default=LOCAL_TOKEN, help="a token the server accepts")
    args = parser.parse_args(argv)
    from datetime import timedelta  # noqa: PLC0415 - the SDK only for this command

    from momento import CacheClient, Configurations, CredentialProvider  # noqa: PLC0415
    from momento.responses import CacheFlush  # noqa: PLC0415

    host, _, port = args.address.rpartition(":")
    credentials = CredentialProvider(args.token, host, host, host, int(port))
    with CacheClient.create(Configurations.Laptop.latest(), credentials, timedelta(minutes=1)) as client:
        response = client.flush_cache(args.cache)
    if isinstance(response, CacheFlush.Error):
        print(
            f"momento-local: could not flush cache {args.cache!r} at {args.address}: {response.message}",
            file=sys.stderr,
        )
        return 1
    print(f"momento-local: flushed cache {args.cache!r} at {args.address}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["flush"]:
        return flush(argv[1:])
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s momento-local %(levelname)s %(message)s")
    server = MomentoLocalServer(
        host=args.host,
        port=args.port,
        tokens=args.tokens if args.tokens is not None else [LOCAL_TOKEN],
        max_item_size_bytes=args.max_item_size_bytes,
        caches=args.cache,
        ops_per_second=args.ops_per_second,
        clock_offset_s=args.clock_offset,
    )
    try:
        server.start()
    except RuntimeError as error:
        print(f"momento-local: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    def print_meter(*_: object) -> None:
        print(f"momento-local meter:\n{server.meter.snapshot().format()}", flush=True)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGUSR1, print_meter)
    caches = ", ".join(args.cache) or "none"
    limit = f", limit: {args.ops_per_second} operations/s" if args.ops_per_second is not None else ""
    print(f"momento-local listening on {server.address} (caches: {caches}){limit}", flush=True)
    if args.clock_offset:
        at = datetime.fromtimestamp(server.store.clock(), UTC).isoformat(timespec="seconds")
        print(f"momento-local clock: {at}, {args.clock_offset:+.0f} s from the system's; TTLs follow it", flush=True)
    while not stop.wait(args.meter_interval):
        print_meter()
    server.stop()
    print_meter()
    print("momento-local stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
