"""The record: every accepted score, kept in one DynamoDB table. It is the source of truth; Momento is its index.

Layout (one table, keys pk/sk, no secondary index):
- a score:      pk = "board#<board>", sk = "player#<player>"; score (S), version (N, +1 per write), updatedAt (N, ms)
- the registry: pk = "boards",        sk = "<board>";         lastWrite (N, s), createdAt (N, s), and while the
  board's index is being rebuilt: rebuildOwner, rebuildUntil (N, ms), rebuildAfter (the last player done).

A score is kept as the shortest text that reads back as the same double (Python's repr), not as a DynamoDB number:
a number cannot hold every double (nothing below 1e-130 in magnitude, such as 1e-300, which v1 accepts), and
DynamoDB's decimal arithmetic would not add as Momento's doubles do (0.1 + 0.2). Rules that read the old score
(keep-best, increment) read it, compute in doubles and write conditionally on `version`.

boto3's low-level client, created on first use like the SSM client: a cold start pays only for creating it when a
request needs it. Short timeouts and few attempts, so an unreachable table ends in a 503 well inside the function's
timeout; throttling (after boto3's own retries) ends in a 429.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from shared.config import Settings, settings
from shared.errors import StoreThrottled, StoreTimeout, StoreUnavailable
from shared.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CONNECT_TIMEOUT_S = 1
READ_TIMEOUT_S = 2
ATTEMPTS = 3
REGISTRY = "boards"
BATCH_WRITE = 25  # DynamoDB's most items in one BatchWriteItem
BATCH_RETRIES_S = (0.05, 0.1, 0.2, 0.4, 0.8)  # pauses before writing again what a batch left unprocessed
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
UNAVAILABLE = {"InternalServerError", "ServiceUnavailable"}


@dataclass(frozen=True)
class Recorded:
    player: str
    score: float
    version: int


@dataclass(frozen=True)
class BoardEntry:
    """A board the registry knows."""

    board: str
    last_write_s: int
    rebuild_owner: str | None
    rebuild_until_ms: int
    rebuild_after: str | None  # a rebuild in progress resumes after this player


class RecordError(RuntimeError):
    """DynamoDB refused a request for a reason no retry fixes (a missing table, a permission): a logged 500."""


class Record:
    def __init__(self, config: Settings, client: DynamoDBClient | None = None) -> None:
        """`client`: one made by the caller, for a table outside the function's environment (a local server, a
        script's account); by default the function's own, created on first use."""
        self._table = config.table_name
        self._lock = threading.Lock()
        self._client: DynamoDBClient | None = client

    # --- scores -------------------------------------------------------------------------------------------------

    def put_score(self, board: str, player: str, score: float, now_ms: int) -> Recorded:
        """Replaces the player's score; the answer carries the write's version (1 for the first)."""
        answer = self._call(
            "update_item",
            TableName=self._table,
            Key=_score_key(board, player),
            UpdateExpression="SET score = :score, updatedAt = :now ADD version :one",
            ExpressionAttributeValues={":score": _score(score), ":now": _number(now_ms), ":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
        return _recorded(answer["Attributes"])

    def add_score(self, board: str, player: str, score: float, now_ms: int) -> bool:
        """Records the player's score (version 1) only if the record has none for them, and says whether it did.

        For copying scores that predate the record (a backfill from the index): a score the service has written
        is newer than any copy, so it is never replaced.
        """
        try:
            self._call(
                "put_item",
                TableName=self._table,
                Item={**_score_key(board, player), **_first_version(score, now_ms)},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except _ConditionFailedError:
            return False
        return True

    def take_back_new_player(self, board: str, player: str) -> bool:
        """Deletes a player's first score (version 1) that the index refused (a full board), so the record holds no
        player a rebuild could never index; False when the player was written again meanwhile (then it stays)."""
        try:
            self._call(
                "delete_item",
                TableName=self._table,
                Key=_score_key(board, player),
                ConditionExpression="version = :first",
                ExpressionAttributeValues={":first": {"N": "1"}},
            )
        except _ConditionFailedError:
            return False
        return True

    def fill_board(self, board: str, scores: Mapping[str, float], now_ms: int) -> None:
        """Writes many players at once, each as a first version (version 1), replacing what the record holds for
        them. Only for a board nobody else writes meanwhile (the local demo board): it bypasses the versions the
        write path relies on, and costs one request per 25 players instead of one per player."""
        items = [
            {"PutRequest": {"Item": {**_score_key(board, player), **_first_version(score, now_ms)}}}
            for player, score in scores.items()
        ]
        for start in range(0, len(items), BATCH_WRITE):
            pending: Any = {self._table: items[start : start + BATCH_WRITE]}
            for pause in (*BATCH_RETRIES_S, None):
                pending = self._call("batch_write_item", RequestItems=pending).get("UnprocessedItems")
                if not pending:
                    break
                if pause is None:
                    raise StoreThrottled("DynamoDB left part of a batch unwritten")
                time.sleep(pause)

    def get_score(self, board: str, player: str) -> Recorded | None:
        """The player's current score, read strongly consistently (it decides what the index must hold)."""
        answer = self._call("get_item", TableName=self._table, Key=_score_key(board, player), ConsistentRead=True)
        return _recorded(answer["Item"]) if "Item" in answer else None

    def scores(self, board: str, after: str | None, limit: int) -> tuple[list[Recorded], bool]:
        """Up to `limit` players of the board in name order, after the player `after`; and whether more follow."""
        request = self._board_query(board, ConsistentRead=True, Limit=limit)
        if after is not None:
            request["ExclusiveStartKey"] = _score_key(board, after)
        answer = self._call("query", **request)
        return [_recorded(item) for item in answer["Items"]], "LastEvaluatedKey" in answer

    def count(self, board: str) -> int:
        """How many players the board has (a full read of its partition: for the end of a rebuild only)."""
        total, request = 0, self._board_query(board, Select="COUNT", ConsistentRead=True)
        while True:
            answer = self._call("query", **request)
            total += int(answer["Count"])
            if "LastEvaluatedKey" not in answer:
                return total
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    # --- the registry -------------------------------------------------------------------------------------------

    def touch_board(self, board: str, now_s: int) -> None:
        """Registers the board, or notes a write to it (its retention counts from the last one)."""
        self._call(
            "update_item",
            TableName=self._table,
            Key=_registry_key(board),
            UpdateExpression="SET lastWrite = :now, createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":now": _number(now_s)},
        )

    def register_board(self, board: str, now_s: int) -> None:
        """Registers the board if the registry does not know it; a known board keeps its lastWrite (a copy of old
        scores is not a write: retention still counts from the board's last real one)."""
        self._call(
            "update_item",
            TableName=self._table,
            Key=_registry_key(board),
            UpdateExpression="SET lastWrite = if_not_exists(lastWrite, :now), "
            "createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":now": _number(now_s)},
        )

    def board(self, board: str) -> BoardEntry | None:
        answer = self._call("get_item", TableName=self._table, Key=_registry_key(board), ConsistentRead=True)
        return _board_entry(answer["Item"]) if "Item" in answer else None

    def boards(self) -> Iterator[BoardEntry]:
        """Every registered board, in name order."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :registry",
            "ExpressionAttributeValues": {":registry": {"S": REGISTRY}},
        }
        while True:
            answer = self._call("query", **request)
            yield from (_board_entry(item) for item in answer["Items"])
            if "LastEvaluatedKey" not in answer:
                return
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    # --- the rebuild lease: one rebuild per board at a time, across all function instances -----------------------

    def claim_rebuild(self, board: str, owner: str, now_ms: int, lease_ms: int) -> BoardEntry | None:
        """Takes the board's rebuild lease if nobody holds an unexpired one; None when somebody does.

        The answer carries where an interrupted rebuild stopped (rebuild_after), so this one resumes there.
        """
        try:
            answer = self._call(
                "update_item",
                TableName=self._table,
                Key=_registry_key(board),
                UpdateExpression="SET rebuildOwner = :owner, rebuildUntil = :until",
                ConditionExpression="attribute_exists(sk) AND "
                "(attribute_not_exists(rebuildUntil) OR rebuildUntil < :now)",
                ExpressionAttributeValues={
                    ":owner": {"S": owner},
                    ":until": _number(now_ms + lease_ms),
                    ":now": _number(now_ms),
                },
                ReturnValues="ALL_NEW",
            )
        except _ConditionFailedError:
            return None
        return _board_entry(answer["Attributes"])

    def save_rebuild_progress(self, board: str, owner: str, after: str | None, until_ms: int) -> bool:
        """Notes how far the rebuild got and extends the lease; False when the lease was lost (it expired)."""
        values: dict[str, Any] = {":owner": {"S": owner}, ":until": _number(until_ms)}
        if after is None:
            expression = "SET rebuildUntil = :until REMOVE rebuildAfter"
        else:
            expression = "SET rebuildUntil = :until, rebuildAfter = :after"
            values[":after"] = {"S": after}
        return self._owned_update(board, expression, values)

    def end_rebuild(self, board: str, owner: str) -> bool:
        """Forgets the rebuild's progress and lease: the index is whole (or about to be marked so)."""
        return self._owned_update(board, "REMOVE rebuildOwner, rebuildUntil, rebuildAfter", {":owner": {"S": owner}})

    def pause_rebuild(self, board: str, owner: str) -> bool:
        """Gives the lease up but keeps the progress, so the next request or the schedule resumes at once."""
        return self._owned_update(board, "SET rebuildUntil = :zero", {":owner": {"S": owner}, ":zero": {"N": "0"}})

    def _owned_update(self, board: str, expression: str, values: dict[str, Any]) -> bool:
        try:
            self._call(
                "update_item",
                TableName=self._table,
                Key=_registry_key(board),
                UpdateExpression=expression,
                ConditionExpression="rebuildOwner = :owner",
                ExpressionAttributeValues=values,
            )
        except _ConditionFailedError:
            return False
        return True

    # --- the client ---------------------------------------------------------------------------------------------

    def _board_query(self, board: str, **extra: Any) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :board AND begins_with(sk, :player)",
            "ExpressionAttributeValues": {":board": {"S": _board_pk(board)}, ":player": {"S": "player#"}},
            **extra,
        }

    def _call(self, operation: str, **request: Any) -> Any:
        from botocore.exceptions import (  # noqa: PLC0415 - botocore: lazily, with the client
            BotoCoreError,
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
            ReadTimeoutError,
        )

        try:
            return getattr(self._dynamodb(), operation)(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise _ConditionFailedError from None
            logger.warning("DynamoDB call failed", extra={"operation": operation, "dynamodb_error": code})
            if code in THROTTLED:
                raise StoreThrottled(f"DynamoDB answered {code}") from None
            if code in UNAVAILABLE:
                raise StoreUnavailable(f"DynamoDB answered {code}") from None
            raise RecordError(f"DynamoDB answered {code} to {operation}") from error
        except ReadTimeoutError:
            logger.warning("DynamoDB did not answer in time", extra={"operation": operation})
            raise StoreTimeout("DynamoDB did not answer in time") from None
        except (EndpointConnectionError, ConnectTimeoutError, BotoCoreError) as error:
            logger.warning("DynamoDB unreachable", extra={"operation": operation, "error": type(error).__name__})
            raise StoreUnavailable("DynamoDB could not be reached") from None

    def _dynamodb(self) -> DynamoDBClient:
        with self._lock:
            if self._client is None:
                import boto3  # noqa: PLC0415 - boto3 only when a request needs the record
                from botocore.config import Config  # noqa: PLC0415

                config = Config(
                    connect_timeout=CONNECT_TIMEOUT_S,
                    read_timeout=READ_TIMEOUT_S,
                    retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
                )
                self._client = boto3.client("dynamodb", config=config)
            return self._client


class _ConditionFailedError(Exception):
    """A conditional write's condition was false (an expected outcome, not an error)."""


@cache
def record() -> Record:
    """The execution environment's record (and so its one DynamoDB client)."""
    return Record(settings())


def _board_pk(board: str) -> str:
    return f"board#{board}"


def _score_key(board: str, player: str) -> dict[str, Any]:
    return {"pk": {"S": _board_pk(board)}, "sk": {"S": f"player#{player}"}}


def _registry_key(board: str) -> dict[str, Any]:
    return {"pk": {"S": REGISTRY}, "sk": {"S": board}}


def _first_version(score: float, now_ms: int) -> dict[str, Any]:
    return {"score": _score(score), "version": {"N": "1"}, "updatedAt": _number(now_ms)}


def _number(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _score(value: float) -> dict[str, str]:
    return {"S": repr(float(value))}


def _recorded(item: dict[str, Any]) -> Recorded:
    return Recorded(
        player=item["sk"]["S"].removeprefix("player#"),
        score=float(item["score"]["S"]),
        version=int(item["version"]["N"]),
    )


def _board_entry(item: dict[str, Any]) -> BoardEntry:
    return BoardEntry(
        board=item["sk"]["S"],
        last_write_s=int(item.get("lastWrite", {}).get("N", "0")),
        rebuild_owner=item.get("rebuildOwner", {}).get("S"),
        rebuild_until_ms=int(item.get("rebuildUntil", {}).get("N", "0")),
        rebuild_after=item.get("rebuildAfter", {}).get("S"),
    )
