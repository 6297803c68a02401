"""What the real score item keeps to count a copy of an increment once (see resends): the tokens of its recent
writes only, however long a player keeps writing, and however its writes fall on the reused slots."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mypy_boto3_dynamodb import DynamoDBClient

from shared.domain.ports import Recorded
from shared.domain.rules import BoardSettings
from shared.domain.scope import Scope
from shared.stores.dynamodb.codec import score_key
from shared.stores.dynamodb.record import ATTEMPTS, CONNECT_TIMEOUT_S, READ_TIMEOUT_S, DynamoRecord
from shared.stores.dynamodb.resends import RESEND_WITHIN_S, SEEN_EMPTIED, SEEN_SLOTS, SEEN_WINDOW_MS
from tests.stores.subjects import settings
from tests.support.record import leaderboard_table_spec

BOARD = Scope("weekly")
INCREMENT = BoardSettings(update="increment")
NOW_MS = 1_779_926_400_000


@pytest.fixture
def record(leaderboard_table: object, dynamodb: DynamoDBClient) -> DynamoRecord:
    return DynamoRecord(settings(table_name=leaderboard_table_spec().name), dynamodb)


def item(dynamodb: DynamoDBClient, scope: Scope, player: str) -> dict[str, Any]:
    table = leaderboard_table_spec().name
    return dynamodb.get_item(TableName=table, Key=score_key(scope, player), ConsistentRead=True)["Item"]


def tokens(stored: dict[str, Any]) -> set[str]:
    """The request tokens an item holds (its slots' sets, less their windows' tags)."""
    held = [value for name, kept in stored.items() if name.startswith("seen") for value in kept["SS"]]
    return {value for value in held if not re.fullmatch(r"w\d+", value)}


def test_the_sdk_sends_its_last_copy_within_the_bound_the_tokens_are_kept_for() -> None:
    assert ATTEMPTS * (CONNECT_TIMEOUT_S + READ_TIMEOUT_S) <= RESEND_WITHIN_S


def test_a_player_writing_on_a_timer_of_the_slots_cycle_keeps_one_token(
    record: DynamoRecord, dynamodb: DynamoDBClient
) -> None:
    """Every write falls on the slot the one before used, a cycle ago: the old window's set is replaced."""
    cycle_ms = SEEN_SLOTS * SEEN_WINDOW_MS
    for write in range(12):
        start = NOW_MS + write * cycle_ms
        record.write_score(BOARD, "ada", 1, rules=INCREMENT, now_ms=start, request=f"tick-{write}")
        assert tokens(item(dynamodb, BOARD, "ada")) == {f"tick-{write}"}
    # A copy of the last one still counts once.
    copy = record.write_score(BOARD, "ada", 1, rules=INCREMENT, now_ms=start, request="tick-11")
    assert copy == Recorded("ada", 12.0, 12)


def test_a_busy_player_keeps_the_tokens_of_the_last_windows_only(
    record: DynamoRecord, dynamodb: DynamoDBClient
) -> None:
    per_window = 10
    for write in range(per_window * SEEN_SLOTS * 2):
        start = NOW_MS + write * SEEN_WINDOW_MS // per_window
        record.write_score(BOARD, "ada", 1, rules=INCREMENT, now_ms=start, request=f"write-{write}")
    held = tokens(item(dynamodb, BOARD, "ada"))
    last = per_window * SEEN_SLOTS * 2 - 1
    assert held == {f"write-{write}" for write in range(last - per_window * SEEN_EMPTIED + 1, last + 1)}
    assert record.get_score(BOARD, "ada") == Recorded("ada", float(last + 1), last + 1)
