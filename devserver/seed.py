"""A demo board, written the way the service keeps boards: every score into the record, the board registered, then
its index built by the service's own rebuild, so paging can be tried at once and the board survives a flush of
momento-local like any other (the next read rebuilds it from the record).

The board keeps daily periods beside all time (all time first, so a read without ?period= reads all time), and
yesterday's (UTC, the default zone) holds a smaller set of players, so `?period=daily:previous` shows yesterday's
winners at once. That period is only recorded: as any past period whose set is not in the index, its first read
rebuilds it from the record.

The index is built here rather than left to the first read: a read waits at most 3 s for a rebuild, less than a
board of this size takes, so `make dev` says it is ready only once the board is whole.

The dev server's process does not otherwise import the functions' code (each function runs in a worker with its own
code folder on sys.path). The seed does, on purpose: the record's layout, the registry and the index's mark come
from the code that reads them. src/ goes at the end of sys.path, so it shadows nothing of the dev server's.
"""

from __future__ import annotations

import logging
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from devserver.local_aws import dynamodb_client

DEMO_BOARD = "demo"
DEMO_PLAYERS = 5000
DEMO_PERIODS = ("all", "daily")  # all time first: a read without ?period= answers as before periods
YESTERDAY_PLAYERS = 50
REBUILD_DEADLINE_S = 120  # far more than a demo board's rebuild takes: reaching it is a bug, said as one
SRC = Path(__file__).resolve().parents[1] / "src"


def demo_scores(players: int = DEMO_PLAYERS) -> dict[str, float]:
    """The same board every time: player-0000, player-0001, ... with scores from one seeded generator."""
    rng = random.Random(2026)  # noqa: S311 - not security-sensitive
    return {f"player-{i:04d}": float(rng.randrange(0, 100_000)) for i in range(players)}


def yesterdays_scores(players: int = YESTERDAY_PLAYERS, of: int = DEMO_PLAYERS) -> dict[str, float]:
    """Yesterday's daily period, the same every day: `players` of the demo board's players (by one seeded
    generator), each with a distinct score of that day."""
    rng = random.Random(20261127)  # noqa: S311 - not security-sensitive
    players = min(players, of)
    chosen = sorted(rng.sample(range(of), players))
    scores = rng.sample(range(100, 10_000), players)
    return {f"player-{i:04d}": float(score) for i, score in zip(chosen, scores, strict=True)}


def seed_demo_board(
    address: str,
    api_key: str,
    cache_name: str,
    table_name: str,
    dynamodb_endpoint: str,
    *,
    players: int = DEMO_PLAYERS,
    clock_offset_s: float = 0.0,
) -> None:
    """Writes the demo board into the record (`table_name` at `dynamodb_endpoint`) and builds its index in
    momento-local (`address`, `cache_name`), as the functions would; sets it to keep daily periods too, and records
    yesterday's, by the stack's clock (`clock_offset_s` from the system's: devserver/time_travel.py)."""
    if str(SRC) not in sys.path:
        sys.path.append(str(SRC))
    from shared.domain.clock import OffsetClock  # noqa: PLC0415
    from shared.domain.periods import DEFAULT_TIME_ZONE, current, previous  # noqa: PLC0415
    from shared.domain.rebuild import Outcome, Rebuilder  # noqa: PLC0415
    from shared.domain.scope import Scope  # noqa: PLC0415
    from shared.platform.config import MOMENTO_MAX_TTL_SECONDS, Settings  # noqa: PLC0415 - importable once src/ is on the path
    from shared.platform.secret import Secret  # noqa: PLC0415
    from shared.stores.dynamodb.record import DynamoRecord  # noqa: PLC0415
    from shared.stores.momento.index import MomentoIndex  # noqa: PLC0415

    config = Settings(
        api_key_parameter="",  # the key is given; nothing reads SSM
        cache_name=cache_name,
        leaderboard_ttl=timedelta(seconds=MOMENTO_MAX_TTL_SECONDS),
        momento_endpoint=None,
        momento_local_address=address,
        cors_allow_origin="*",
        api_key_cache=timedelta(0),
        api_key_grace=timedelta(0),
        table_name=table_name,
        board_retention=None,
        rebuild_elements_per_second=0,  # unpaced: nothing else competes for momento-local's limits here
    )
    record = DynamoRecord(config, dynamodb_client(dynamodb_endpoint))
    clock = OffsetClock(clock_offset_s)
    now = clock.now()
    with _quiet_service_logs():
        # The settings first: the rebuild puts them into the set with its mark.
        board = record.update_settings(DEMO_BOARD, {"periods": DEMO_PERIODS}, int(now))
        record.fill_board(board.scope, demo_scores(players), int(now * 1000))
        record.touch(board.scope, int(now))
        yesterday = Scope.of(DEMO_BOARD, previous(current("daily", DEFAULT_TIME_ZONE, now)), board.generation)
        record.touch(yesterday, int(now))  # a period's registry item comes before its first score
        record.fill_board(yesterday, yesterdays_scores(of=players), int(now * 1000))
        secret = Secret("the local Momento key", api_key, lambda: api_key)
        outcome = Rebuilder(MomentoIndex(config), record, config, clock).run(
            board.scope, secret, clock.now() + REBUILD_DEADLINE_S
        )
    if outcome is not Outcome.WHOLE:
        raise RuntimeError(f"the demo board's index was not built: the rebuild ended {outcome.value}")


@contextmanager
def _quiet_service_logs() -> Iterator[None]:
    """The record's and the rebuild's info lines (JSON, meant for CloudWatch) would come before the banner; their
    warnings still show."""
    from shared.platform.observability import logger  # noqa: PLC0415 - see seed_demo_board

    service_log = logging.getLogger(logger.name)
    level = service_log.level
    service_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        service_log.setLevel(level)
