"""Adopts a deployment whose boards live only in Momento: copies each named board's players into the record.

A deployment from before the record (or the original Node.js service) kept its boards only as Momento sorted sets.
This version keeps every score in the record (DynamoDB) and rebuilds a set from it whenever Momento loses one, so a
board's players from before must be copied into the record, once:

    python scripts/backfill.py --stage dev --boards weekly daily [--ssm-stage dev] [--cache leaderboard]
        [--table leaderboard-api-<stage>] [--momento-endpoint cell-us-east-1-1.prod.a.momentohq.com] [--workers 8]

The order matters. Deploy this version first: from then on every accepted score reaches the record before
Momento, and the copy never replaces a score that is in the record, so nothing written after the deploy is lost.
Then run the backfill right away: until a board is copied, its older players exist only in Momento, and a set
Momento loses (an expiry a day after its last write, an eviction, a flush) would come back without them.

It runs the deploy's preflight first (region, credentials, the stage's key parameter, the cache) and checks that
every board exists and the table answers, naming every problem at once; nothing is copied then. Each player is a
conditional write that lands only where the record has no score for the player, so the backfill is idempotent and
resumable: run it again after an interruption or a failure and it copies what is left, reporting per board how
many players it copied and how many were already in the record. A board is registered once all its players are
in. The Momento sets are left as they are: the service marks or rebuilds them as it needs to (a board with no
write since the deploy is rebuilt from the record on its first read, at RebuildElementsPerSecond).

Region and credentials come from the usual AWS environment (profile, AWS_DEFAULT_REGION, ...); the Momento API key
from SSM, /leaderboard-api/<ssm stage>/momento-api-key, decrypted in memory only, as the functions read it. For
local runs: AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_SSM / _DYNAMODB / _STS) and MOMENTO_LOCAL_ADDRESS=host:port.
Exit status: 0 when every board is copied, 1 when something stopped it (said in words), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError

# Run as a file, only scripts/ is importable: the copy uses the service's own record and index code (src/).
ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "src", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from scripts.board_copy import WORKERS, BoardCopier, BoardReport  # noqa: E402
from scripts.deploy_preflight import (  # noqa: E402
    DEFAULT_CACHE_NAME,
    NotChecked,
    Status,
    Target,
    UnusableKey,
    key_stage,
    momento_credentials_for,
    put_key_command,
    run_checks,
)
from shared.domain.errors import KeyUnavailable, StoreThrottled, StoreTimeout, StoreUnavailable  # noqa: E402
from shared.domain.scope import Scope  # noqa: E402
from shared.platform.config import MOMENTO_MAX_TTL_SECONDS, Settings  # noqa: E402
from shared.platform.observability import logger  # noqa: E402
from shared.platform.secret import Secret  # noqa: E402
from shared.stores.dynamodb.record import DynamoRecord, RecordError  # noqa: E402
from shared.stores.momento.index import MomentoIndex, StoreError  # noqa: E402

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

INTERRUPTED = 130


@dataclass(frozen=True)
class Connection:
    """The index and the record of one stage, as its functions reach them, and the names they go by."""

    store: MomentoIndex
    record: DynamoRecord
    api_key: Secret
    cache: str
    table: str


class Refused(Exception):  # noqa: N818 - read as `raise Refused("the table ... does not exist")`
    """Nothing can be copied; the message says why and, when there is one, the fix."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python scripts/backfill.py",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Deploy this version first, then run this right away (see the script's docstring and the README).",
    )
    parser.add_argument("--stage", required=True, help="the stack's stage (StageName)")
    parser.add_argument("--boards", nargs="+", required=True, metavar="BOARD", help="the boards to copy")
    parser.add_argument(
        "--ssm-stage", default="", help="the stage whose Momento API key the stack reads (default: --stage)"
    )
    parser.add_argument("--cache", default=DEFAULT_CACHE_NAME, help="MomentoCacheName (default: %(default)s)")
    parser.add_argument("--table", default="", help="the record's table (default: leaderboard-api-<stage>)")
    parser.add_argument("--momento-endpoint", default="", help="MomentoEndpoint, for a v2 API key")
    parser.add_argument("--workers", type=int, default=WORKERS, help="parallel writes (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    options = parse_args(argv)
    with quiet_logs():
        return backfill(options, out or sys.stdout, err or sys.stderr)


def backfill(options: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    boards = list(dict.fromkeys(options.boards))
    target = Target(key_stage(options.stage, options.ssm_stage), options.cache, options.momento_endpoint)
    table = options.table or f"leaderboard-api-{options.stage}"
    try:
        connection = connect(target, table, os.environ)
        sizes = check_boards(boards, connection)
    except Refused as problem:
        print(f"backfill: {problem}\nbackfill: nothing was copied.", file=err, flush=True)
        return 1
    except KeyboardInterrupt:
        print("backfill: interrupted; nothing was copied.", file=err, flush=True)
        return INTERRUPTED
    copier = BoardCopier(
        connection.store, connection.record, connection.api_key, workers=options.workers, progress_stream=err
    )
    reports: list[BoardReport] = []
    for board in boards:
        reports.append(copier.copy(board, sizes[board]))
        print(reports[-1].summary(), file=out, flush=True)
        if reports[-1].interrupted:
            return INTERRUPTED
    return 0 if all(report.ok for report in reports) else 1


@contextmanager
def quiet_logs() -> Iterator[None]:
    """The script says what happened, in words: the service's JSON log lines and the SDK's connection notes would
    only repeat it. The levels are put back after (main may run inside another program, a test)."""
    loggers = [logging.getLogger(logger.name), logging.getLogger("momentosdk")]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)


def connect(target: Target, table: str, environ: Mapping[str, str]) -> Connection:
    """The preflight's checks, then the key, the index and the record, set up as the functions set theirs up."""
    failed = [result for result in run_checks(target, environ) if result.status is Status.FAILED]
    if failed:
        raise Refused("\n".join(f"{r.name}: {r.message}" + (f"\n  fix: {r.fix}" if r.fix else "") for r in failed))
    ssm = boto3.client("ssm")
    key = read_key(ssm, target.key_parameter)
    local_address = environ.get("MOMENTO_LOCAL_ADDRESS") or None
    try:
        momento_credentials_for(key, target, local_address)  # the preflight's rules: a usable key, a local address
    except NotChecked as reason:
        raise Refused(str(reason)) from None
    except UnusableKey as problem:
        raise Refused(f"{problem}\n  fix: {problem.fix}") from None
    config = Settings(
        api_key_parameter=target.key_parameter,
        cache_name=target.cache_name,
        leaderboard_ttl=timedelta(seconds=MOMENTO_MAX_TTL_SECONDS),  # sets are only read: never used
        momento_endpoint=target.momento_endpoint or None,
        momento_local_address=local_address,
        cors_allow_origin="*",
        api_key_cache=timedelta(0),
        api_key_grace=timedelta(0),
        table_name=table,
        board_retention=None,
        rebuild_elements_per_second=0,
    )
    api_key = Secret(target.key_parameter, key, partial(fetch_key, ssm, target.key_parameter))
    return Connection(MomentoIndex(config), DynamoRecord(config), api_key, target.cache_name, table)


def read_key(ssm: SSMClient, name: str) -> str:
    """The key, decrypted in memory, as the functions read it; never printed."""
    try:
        value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "an error")
        if code == "ParameterNotFound":
            raise Refused(f"{name} does not exist\n  fix: {put_key_command(name)}") from None
        raise Refused(f"the key {name} could not be read (SSM answered {code})") from None
    except BotoCoreError as error:
        raise Refused(f"the key {name} could not be read: {error}") from None
    return value


def fetch_key(ssm: SSMClient, name: str) -> str:
    """The key read again, when Momento rejects the one in hand (a rotation during the copy)."""
    try:
        return read_key(ssm, name)
    except Refused as problem:
        raise KeyUnavailable(str(problem)) from None


def check_boards(boards: Sequence[str], connection: Connection) -> dict[str, int]:
    """Each board's players in Momento; every board that does not exist is named at once, and the table must answer."""
    try:
        connection.record.entry(Scope(boards[0]))  # the table exists and these credentials may read it
    except (RecordError, StoreThrottled, StoreTimeout, StoreUnavailable) as error:
        raise Refused(
            f"the table {connection.table} cannot be used: {error}\n"
            "  fix: deploy this version first (it creates the table), or name the stack's table with --table"
        ) from None
    try:
        sizes = {board: connection.store.size(Scope(board), connection.api_key) for board in boards}
    except (StoreError, KeyUnavailable, StoreThrottled, StoreTimeout, StoreUnavailable) as error:
        raise Refused(f"Momento could not be read (cache {connection.cache}): {error}") from None
    missing = [board for board, size in sizes.items() if size == 0]
    if missing:
        names = ", ".join(repr(board) for board in missing)
        raise Refused(f"no board {names} in the Momento cache {connection.cache} (a typo? an expired board?)")
    return sizes


if __name__ == "__main__":
    sys.exit(main())
