"""`make dev SEED=1`'s demo board (devserver/seed.py) goes where the service keeps boards: into the record, registered,
then indexed by the service's own rebuild, so the set is whole (it holds the mark) before the dev server is ready. It
keeps daily periods beside all time, and yesterday's winners are there to read at once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from mypy_boto3_dynamodb import DynamoDBClient

from devserver.seed import (
    DEMO_BOARD,
    DEMO_PERIODS,
    DEMO_PLAYERS,
    YESTERDAY_PLAYERS,
    demo_scores,
    seed_demo_board,
    yesterdays_scores,
)
from momento_local import MomentoLocalServer
from tests.support.record import score_items
from tests.support.service import Service, body_of

CACHE = "leaderboard"
KEY = "local-momento-api-key"
WHOLE_MARK = b"\x00whole"
START_MARK = b"\x00start"
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


def test_yesterdays_winners_are_the_same_every_day_and_demo_players() -> None:
    yesterday = yesterdays_scores()
    assert yesterday == yesterdays_scores()
    assert len(yesterday) == YESTERDAY_PLAYERS
    assert set(yesterday) < set(demo_scores())
    assert len(set(yesterday.values())) == YESTERDAY_PLAYERS  # distinct scores: one order, whatever the ties rule


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
    # The board is registered with its periods, and no rebuild is left holding its lease
    registered = dynamodb.get_item(TableName=name, Key={"pk": {"S": "boards"}, "sk": {"S": DEMO_BOARD}})["Item"]
    assert "lastWrite" in registered
    assert registered["periods"]["S"] == ",".join(DEMO_PERIODS)
    assert "rebuildOwner" not in registered
    # The index holds the same players and scores, the mark (reads take it as the whole board) and the settings
    with momento_local.store.session(CACHE) as view:
        members = view.sorted_set(DEMO_BOARD.encode())
        assert members is not None
        indexed = dict(members.by_index(None, None, descending=True))
    assert indexed.pop(WHOLE_MARK) == indexed.pop(START_MARK) < -1e300  # the two marks of one rebuild
    assert indexed.pop(SETTINGS_MARK) < -(2**53)
    assert {player.decode(): score for player, score in indexed.items()} == demo_scores()


def test_yesterdays_winners_read_with_period_daily_previous(service: Service, moto_server: str) -> None:
    """What a newcomer sees: `GET /demo?period=daily:previous` ranks yesterday's players (UTC days, the default),
    and a read without ?period= is the all-time board as before."""
    players = 200  # a smaller demo board: the same code path, quicker
    today = datetime.now(UTC).date()
    seed_demo_board(
        service.momento.address, service.api_key, service.cache, service.table_name, moto_server, players=players
    )

    page = service.page(DEMO_BOARD, {"period": "daily:previous", "endRank": "100"})
    if datetime.now(UTC).date() != today:
        pytest.skip("the UTC day changed during the test: yesterday is another day now")
    assert page["statusCode"] == 200, page["body"]
    body = body_of(page)
    yesterday = today - timedelta(days=1)
    assert body["period"] == {
        "kind": "daily",
        "id": yesterday.isoformat(),
        "start": f"{yesterday.isoformat()}T00:00:00+00:00",
        "end": f"{today.isoformat()}T00:00:00+00:00",
    }
    expected = sorted(yesterdays_scores(of=players).items(), key=lambda item: -item[1])
    assert [(e["rank"], e["name"], e["score"]) for e in body["leaderboard"]] == [
        (rank, player, score) for rank, (player, score) in enumerate(expected)
    ]
    assert body["total"] == YESTERDAY_PLAYERS
    assert body["settings"]["periods"] == list(DEMO_PERIODS)
    # All time stays the default read, and today has no scores yet
    everything = body_of(service.page(DEMO_BOARD, {"endRank": "3"}))
    assert "period" not in everything
    assert everything["total"] == players
    today_page = body_of(service.page(DEMO_BOARD, {"period": "daily"}))
    assert (today_page["leaderboard"], today_page["total"], today_page["period"]["id"]) == ([], 0, today.isoformat())
