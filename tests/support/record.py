"""The record (the DynamoDB table every accepted score is kept in) as the tests create it: from the template's own
definition, for the tests' stage, with the helper the dev server uses, so the two cannot drift apart."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from devserver.tables import TableSpec, table_specs
from tests.support.lambda_fakes import STAGE
from tests.support.template import load_template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from tests.support.service import Service  # which imports this module

TABLE_LOGICAL_ID = "LeaderboardTable"


@cache
def leaderboard_table_spec() -> TableSpec:
    """The template's LeaderboardTable for StageName=STAGE (named leaderboard-api-<STAGE>)."""
    return table_specs(load_template(), {"StageName": STAGE})[TABLE_LOGICAL_ID]


WHOLE_MARK = b"\x00whole"  # the index's marks of a whole set (src/shared/stores/momento/codec.py)
START_MARK = b"\x00start"
SETTINGS_MARK = b"\x00settings"  # and its board's settings
MARKS = (WHOLE_MARK, START_MARK, SETTINGS_MARK)


def score_items(dynamodb: DynamoDBClient, table: str, board: str, generation: int = 0) -> dict[str, dict[str, Any]]:
    """The board's score items as the record holds them, by player (read strongly consistently); `generation`:
    the board's partition after that many removals."""
    items: dict[str, dict[str, Any]] = {}
    pk = f"board#{board}" if generation == 0 else f"board#{board}#{generation}"
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": True,
    }
    while True:
        answer = dynamodb.query(**request)
        items |= {item["sk"]["S"].removeprefix("player#"): item for item in answer["Items"]}
        if "LastEvaluatedKey" not in answer:
            return items
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def record_of(service: Service, board: str, generation: int = 0) -> dict[str, float]:
    """The board's players and scores as the record holds them (an increment's total where it left no score)."""
    items = score_items(service.dynamodb, service.table_name, board, generation)
    return {
        player: float(item["score"]["S"] if "score" in item else item["total"]["N"]) for player, item in items.items()
    }


def index_of(service: Service, board: str) -> dict[str, float] | None:
    """The board's players and scores as momento-local holds them (None: no set); the marks are left out."""
    with service.momento.store.session(service.cache) as view:
        members = view.sorted_set(board.encode())
        if members is None:
            return None
        pairs = members.by_index(None, None, descending=True)
    return {value.decode(): score for value, score in pairs if value not in MARKS}
