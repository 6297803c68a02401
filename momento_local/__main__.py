"""`python -m momento_local`: serve in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s momento-local %(levelname)s %(message)s")
    server = MomentoLocalServer(
        host=args.host,
        port=args.port,
        tokens=args.tokens if args.tokens is not None else [LOCAL_TOKEN],
        max_item_size_bytes=args.max_item_size_bytes,
        caches=args.cache,
    )
    try:
        server.start()
    except RuntimeError as error:
        print(f"momento-local: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    caches = ", ".join(args.cache) or "none"
    print(f"momento-local listening on {server.address} (caches: {caches})", flush=True)
    stop.wait()
    server.stop()
    print("momento-local stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
