"""`make dev SEED=1`'s demo board (devserver/seed.py) goes where the service keeps boards: into the record, registered,
then indexed by the service's own rebuild, so the set is whole (it holds the mark) before the dev server is ready."""

from __future__ import annotations

import random

from mypy_boto3_dynamodb import DynamoDBClient

from devserver.seed import DEMO_BOARD, DEMO_PLAYERS, demo_scores, seed_demo_board
from momento_local import MomentoLocalServer
from tests.support.record import score_items

CACHE = "leaderboard"
KEY = "local-momento-api-key"
WHOLE_MARK = b"\x00whole"
SETTINGS_MARK = b"\x00settings"


def previous_demo_scores() -> dict[str, float]:
    """The board as the seed made it before the record existed (batches of 1,000 straight into momento-local)."""
    rng = random.Random(2026)
    scores: dict[str, float] = {}
    for start in range(0, DEMO_PLAYERS, 1000):
        scores |= {f"player-{i:04d}": float(rng.randrange(0, 100_000)) for i in range(start, start + 1000)}
    return scores


def test_the_demo_board_is_the_same_board_as_before() -> None:
    assert demo_scores() == previous_demo_scores()


def test_the_demo_board_is_recorded_registered_and_whole_in_the_index(
    momento_local: MomentoLocalServer, moto_server: str, dynamodb: DynamoDBClient, leaderboard_table: str
) -> None:
    name = leaderboard_table
    momento_local.set_tokens([KEY])

    seed_demo_board(momento_local.address, KEY, CACHE, name, moto_server)

    # The record holds every player, as first versions
    recorded = score_items(dynamodb, name, DEMO_BOARD)
    assert {player: float(item["score"]["S"]) for player, item in recorded.items()} == demo_scores()
    assert {item["version"]["N"] for item in recorded.values()} == {"1"}
    # The board is registered, and no rebuild is left holding its lease
    registered = dynamodb.get_item(TableName=name, Key={"pk": {"S": "boards"}, "sk": {"S": DEMO_BOARD}})["Item"]
    assert "lastWrite" in registered
    assert "rebuildOwner" not in registered
    # The index holds the same players and scores, the mark (reads take it as the whole board) and the settings
    with momento_local.store.session(CACHE) as view:
        members = view.sorted_set(DEMO_BOARD.encode())
        assert members is not None
        indexed = dict(members.by_index(None, None, descending=True))
    assert indexed.pop(WHOLE_MARK) < -1e300
    assert indexed.pop(SETTINGS_MARK) < -(2**53)
    assert {player.decode(): score for player, score in indexed.items()} == demo_scores()
