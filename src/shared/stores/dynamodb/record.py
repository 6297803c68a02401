"""The record: every accepted score, kept in one DynamoDB table. It is the source of truth; Momento is its index.

Layout (one table, keys pk/sk, no secondary index):
- a score:      pk = "board#<board>" (or "board#<board>#<generation>" once the board was removed and written
                again), sk = "player#<player>"; the value (below), version (N, +1 per write), updatedAt (N, ms)
- the registry: pk = "boards", sk = "<board>"; lastWrite (N, s), createdAt (N, s), the settings (order, update,
  ties, timeZone, and periods as one comma-separated text; absent = the default), generation (N, absent = 0),
  purging (NS: removed generations whose score items are still being deleted), and while the board's index is being
  rebuilt: rebuildOwner, rebuildUntil (N, ms), rebuildAfter (the last player done).
- a period's registry item: pk = "periods#<board>", sk = "<kind>:<id>[@<generation>]", written before its first
  score, so a period with no item has no scores; lastWrite, createdAt, indexedAt (N, s: its last rebuild) and the
  rebuild lease. A period's scores are those of a board named "<board>@<kind>:<id>[@<generation>]" (periods.Scope).

A score's value is written by one DynamoDB request per submission, never read, computed and written back:
- latest and best: `score` (S), the shortest text that reads back as the same double (a DynamoDB number cannot hold
  every double, such as 1e-300, which v1 accepts); `rankKey` (S), the double's bits as 16 hex digits in numeric
  order, so "keep the better" is a ConditionExpression on text; and `total` (N), the score rounded to 12 decimal
  places (within +-2^53: a copy of an old set may hold more), from which an increment continues if the board's
  rule changes to increment.
- increment: `ADD total`, exact decimal arithmetic (the increment rule keeps every total within 28 digits), under a
  condition that keeps |total| <= 2^53; `score` and `rankKey` are removed, so the value is the total.

boto3's low-level client (create_client), made once per execution environment by the composition root during the
cold start's init, so a write's first request does not pay for it.
"""

from __future__ import annotations

import random
import struct
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from shared.domain.errors import InvalidInput, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.domain.rules import MAX_ABS_SCORE, MAX_INCREMENT_DECIMALS, SETTING_NAMES, SETTING_VALUES, BoardSettings
from shared.platform.config import Settings
from shared.platform.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CONNECT_TIMEOUT_S = 1
READ_TIMEOUT_S = 2
ATTEMPTS = 3
REGISTRY = "boards"
PERIODS = "periods#"  # + board: the partition of the board's periods' registry items
BATCH_WRITE = 25  # DynamoDB's most items in one BatchWriteItem
BATCH_RETRIES_S = (0.05, 0.1, 0.2, 0.4, 0.8)  # pauses before writing again what a batch left unprocessed
# Pauses (jittered) before trying again a transaction another write of the same player conflicted with.
TRANSACTION_RETRIES_S = (0.01, 0.02, 0.04, 0.08, 0.16)
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
UNAVAILABLE = {"InternalServerError", "ServiceUnavailable"}
PURGE_PAGE = 500  # score items of a removed generation read per Query while purging (then deleted 25 at a time)
_DECIMALS = Decimal(1).scaleb(-MAX_INCREMENT_DECIMALS)
_WIDE = Context(prec=60)  # room for any double's digits before rounding to _DECIMALS
# Settings are stored under the API's names, which DynamoDB reserves (ORDER, UPDATE): always through these.
_SETTING_NAMES = {f"#{name}": name for name in SETTING_NAMES}


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
    settings: BoardSettings
    generation: int  # score items live under this generation's partition
    purging: tuple[int, ...]  # removed generations whose items are still being deleted
    indexed_at_s: int = 0  # when its index was last rebuilt (0: never)


class RecordError(RuntimeError):
    """DynamoDB refused a request for a reason no retry fixes (a missing table, a permission): a logged 500."""


class DynamoRecord:
    def __init__(self, config: Settings, client: DynamoDBClient | None = None) -> None:
        """`client`: one made by the caller, for a table outside the function's environment (a local server, a
        script's account); by default the function's own, created now (during a cold start's init)."""
        self._table = config.table_name
        self._client = client or create_client()

    # --- scores -------------------------------------------------------------------------------------------------

    def write_score(
        self, board: str, player: str, score: float, *, rules: BoardSettings, now_ms: int, generation: int = 0
    ) -> Recorded:
        """Applies one submission by the board's update rule, in one request (no read before the write); the
        player's score after it (a best board's kept one when the new one is not better)."""
        if rules.update == "increment":
            return self._increment(board, player, score, now_ms, generation)
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": _score_key(board, player, generation),
            "UpdateExpression": "SET score = :score, rankKey = :key, #total = :total, updatedAt = :now "
            "ADD version :one",
            "ExpressionAttributeNames": {"#total": "total"},
            "ExpressionAttributeValues": {**_value(score), ":now": _number(now_ms), ":one": {"N": "1"}},
            "ReturnValues": "ALL_NEW",
        }
        if rules.update == "best":
            # Better by the board's order; an item the increment rule wrote last has no rankKey: compare its total.
            better = ">" if rules.order == "asc" else "<"
            request["ConditionExpression"] = (
                f"attribute_not_exists(version) OR rankKey {better} :key "
                f"OR (attribute_not_exists(rankKey) AND #total {better} :total)"
            )
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            answer = self._call("update_item", **request)
        except _ConditionFailedError as kept:
            return _recorded(kept.item)
        return _recorded(answer["Attributes"])

    def _increment(self, board: str, player: str, amount: float, now_ms: int, generation: int) -> Recorded:
        request = self._increment_request(player, amount, now_ms)
        try:
            answer = self._call(
                "update_item", **request, Key=_score_key(board, player, generation), ReturnValues="ALL_NEW"
            )
        except _ConditionFailedError:
            raise _past_limit(amount) from None
        return _recorded(answer["Attributes"])

    def _increment_request(self, player: str, amount: float, now_ms: int) -> dict[str, Any]:
        """An increment's update, but for its key: |total + amount| <= 2^53, as a condition on the total before."""
        if amount >= 0:
            condition, limit = "#total <= :limit", Decimal(MAX_ABS_SCORE) - _decimal(amount)
        else:
            condition, limit = "#total >= :limit", -Decimal(MAX_ABS_SCORE) - _decimal(amount)
        return {
            "TableName": self._table,
            "UpdateExpression": "SET updatedAt = :now REMOVE score, rankKey ADD #total :amount, version :one",
            "ConditionExpression": f"attribute_not_exists(#total) OR {condition}",
            "ExpressionAttributeNames": {"#total": "total"},
            "ExpressionAttributeValues": {
                ":amount": _decimal_number(_decimal(amount)),
                ":limit": _decimal_number(limit),
                ":now": _number(now_ms),
                ":one": {"N": "1"},
            },
        }

    def add_to_totals(self, boards: list[tuple[str, int]], player: str, amount: float, now_ms: int) -> None:
        """Adds an increment to the player's total on every board (name, generation) in one transaction: all of
        them, or none (400 when one total would pass 2^53). A transaction that another write of the same player
        conflicted with changed nothing and is tried again. Transactions return no values: the caller reads the
        totals back, as it reads a write back anyway."""
        update = self._increment_request(player, amount, now_ms)
        items = [{"Update": {**update, "Key": _score_key(board, player, generation)}} for board, generation in boards]
        for pause in (*TRANSACTION_RETRIES_S, None):
            try:
                self._call("transact_write_items", TransactItems=items)
            except _CanceledError as canceled:
                if "ConditionalCheckFailed" in canceled.reasons:
                    raise _past_limit(amount) from None
                if "ThrottlingError" in canceled.reasons:
                    raise StoreThrottled("DynamoDB throttled the transaction") from None
                if pause is None or "TransactionConflict" not in canceled.reasons:
                    raise StoreUnavailable(f"DynamoDB canceled the transaction: {canceled.reasons}") from None
                # Jittered, so the conflicting writers do not meet again (not a security use of randomness).
                time.sleep(pause * (0.5 + random.random()))  # noqa: S311  # nosec B311
            else:
                return

    def add_score(self, board: str, player: str, score: float, now_ms: int, generation: int = 0) -> bool:
        """Records the player's score (version 1) only if the record has none for them, and says whether it did.

        For copying scores that predate the record (a backfill from the index): a score the service has written
        is newer than any copy, so it is never replaced.
        """
        try:
            self._call(
                "put_item",
                TableName=self._table,
                Item={**_score_key(board, player, generation), **_first_version(score, now_ms)},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except _ConditionFailedError:
            return False
        return True

    def take_back_new_player(self, board: str, player: str, generation: int = 0) -> bool:
        """Deletes a player's first score (version 1) that the index refused (a full board), so the record holds no
        player a rebuild could never index; False when the player was written again meanwhile (then it stays)."""
        try:
            self._call(
                "delete_item",
                TableName=self._table,
                Key=_score_key(board, player, generation),
                ConditionExpression="version = :first",
                ExpressionAttributeValues={":first": {"N": "1"}},
            )
        except _ConditionFailedError:
            return False
        return True

    def fill_board(self, board: str, scores: Mapping[str, float], now_ms: int, generation: int = 0) -> None:
        """Writes many players at once, each as a first version (version 1), replacing what the record holds for
        them. Only for a board nobody else writes meanwhile (the local demo board): it bypasses the versions the
        write path relies on, and costs one request per 25 players instead of one per player."""
        items = [
            {"PutRequest": {"Item": {**_score_key(board, player, generation), **_first_version(score, now_ms)}}}
            for player, score in scores.items()
        ]
        self._batch_write(items)

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        """Puts or deletes 25 items per request, writing again what DynamoDB left unprocessed."""
        for start in range(0, len(requests), BATCH_WRITE):
            pending: Any = {self._table: requests[start : start + BATCH_WRITE]}
            for pause in (*BATCH_RETRIES_S, None):
                pending = self._call("batch_write_item", RequestItems=pending).get("UnprocessedItems")
                if not pending:
                    break
                if pause is None:
                    raise StoreThrottled("DynamoDB left part of a batch unwritten")
                time.sleep(pause)

    def get_score(self, board: str, player: str, generation: int = 0) -> Recorded | None:
        """The player's current score, read strongly consistently (it decides what the index must hold)."""
        answer = self._call(
            "get_item", TableName=self._table, Key=_score_key(board, player, generation), ConsistentRead=True
        )
        return _recorded(answer["Item"]) if "Item" in answer else None

    def get_scores(self, boards: list[tuple[str, int]], player: str) -> list[Recorded | None]:
        """The player's current score on each board (name, generation), read strongly consistently in one
        BatchGetItem (a board's scopes are at most four, under its 100 keys); keys DynamoDB left unprocessed are
        read again."""
        keys = [_score_key(board, player, generation) for board, generation in boards]
        found: dict[str, Recorded] = {}
        pending: Any = {self._table: {"Keys": keys, "ConsistentRead": True}}
        for pause in (*BATCH_RETRIES_S, None):
            answer = self._call("batch_get_item", RequestItems=pending)
            found |= {item["pk"]["S"]: _recorded(item) for item in answer["Responses"].get(self._table, [])}
            pending = answer.get("UnprocessedKeys")
            if not pending:
                break
            if pause is None:
                raise StoreThrottled("DynamoDB left part of a batch unread")
            time.sleep(pause)
        return [found.get(key["pk"]["S"]) for key in keys]

    def remove_player(self, board: str, player: str, generation: int = 0) -> bool:
        """Deletes the player's score; whether there was one."""
        answer = self._call(
            "delete_item", TableName=self._table, Key=_score_key(board, player, generation), ReturnValues="ALL_OLD"
        )
        return "Attributes" in answer

    def remove_player_from(self, boards: list[str], player: str) -> None:
        """Deletes the player's score on every board given (a board's periods, generation 0 by name), 25 a request;
        deleting a score that is not there is no error."""
        self._batch_write([{"DeleteRequest": {"Key": _score_key(board, player)}} for board in boards])

    def scores(self, board: str, after: str | None, limit: int, generation: int = 0) -> tuple[list[Recorded], bool]:
        """Up to `limit` players of the board in name order, after the player `after`; and whether more follow."""
        request = self._board_query(board, generation, ConsistentRead=True, Limit=limit)
        if after is not None:
            request["ExclusiveStartKey"] = _score_key(board, after, generation)
        answer = self._call("query", **request)
        return [_recorded(item) for item in answer["Items"]], "LastEvaluatedKey" in answer

    def count(self, board: str, generation: int = 0) -> int:
        """How many players the board has (a full read of its partition: for the end of a rebuild only)."""
        total, request = 0, self._board_query(board, generation, Select="COUNT", ConsistentRead=True)
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

    def update_settings(self, board: str, changes: Mapping[str, str | tuple[str, ...]], now_s: int) -> BoardEntry:
        """Sets the given settings (registering the board if new; a settings change is not a write of scores, so a
        known board keeps its lastWrite) and answers the board as it is after."""
        assignments = ["lastWrite = if_not_exists(lastWrite, :now)", "createdAt = if_not_exists(createdAt, :now)"]
        assignments += [f"#{name} = :{name}" for name in changes]
        names = {"ExpressionAttributeNames": {f"#{name}": name for name in changes}} if changes else {}
        values = {
            f":{name}": {"S": value if isinstance(value, str) else ",".join(value)} for name, value in changes.items()
        }
        answer = self._call(
            "update_item",
            TableName=self._table,
            Key=_registry_key(board),
            UpdateExpression="SET " + ", ".join(assignments),
            ExpressionAttributeValues={":now": _number(now_s)} | values,
            ReturnValues="ALL_NEW",
            **names,
        )
        return _board_entry(answer["Attributes"])

    def remove_board(self, board: str) -> int | None:
        """Starts the board afresh: the next generation with the default settings, no rebuild in progress, and the
        removed generation's score items queued for purging. The removed generation, or None if the registry does
        not know the board. Conditional on the generation read, so two removals at once each take their own."""
        while True:
            entry = self.board(board)
            if entry is None:
                return None
            try:
                self._call(
                    "update_item",
                    TableName=self._table,
                    Key=_registry_key(board),
                    UpdateExpression="SET generation = :next ADD purging :removed REMOVE "
                    + ", ".join(_SETTING_NAMES)
                    + ", rebuildOwner, rebuildUntil, rebuildAfter",
                    ConditionExpression="attribute_exists(sk) AND "
                    + ("generation = :current" if entry.generation else "attribute_not_exists(generation)"),
                    ExpressionAttributeNames=_SETTING_NAMES,
                    ExpressionAttributeValues={
                        ":next": _number(entry.generation + 1),
                        ":removed": {"NS": [str(entry.generation)]},
                    }
                    | ({":current": _number(entry.generation)} if entry.generation else {}),
                )
            except _ConditionFailedError:
                continue  # removed (or written into being) meanwhile: read it again
            return entry.generation

    def periods_of(self, board: str) -> list[BoardEntry]:
        """The registry items of the board's periods, of every generation not yet purged."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :periods",
            "ExpressionAttributeValues": {":periods": {"S": PERIODS + board}},
            "ConsistentRead": True,
        }
        entries = []
        while True:
            answer = self._call("query", **request)
            entries += [_board_entry(item) for item in answer["Items"]]
            if "LastEvaluatedKey" not in answer:
                return entries
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def purge(
        self,
        board: str,
        generation: int,
        deadline: float,
        periods: Sequence[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> bool:
        """Deletes a removed generation's score items until none is left (then forgets it) or `deadline` (by
        `clock`) passes; whether it finished. `periods`: the names of that generation's periods (periods.Scope),
        whose scores and registry items go first."""
        for period in periods:
            if not self._purge_partition(period, 0, deadline, clock):
                return False
            self._call("delete_item", TableName=self._table, Key=_registry_key(period))
        if not self._purge_partition(board, generation, deadline, clock):
            return False
        self._call(
            "update_item",
            TableName=self._table,
            Key=_registry_key(board),
            UpdateExpression="DELETE purging :done",
            ExpressionAttributeValues={":done": {"NS": [str(generation)]}},
        )
        return True

    def _purge_partition(self, board: str, generation: int, deadline: float, clock: Callable[[], float]) -> bool:
        while clock() < deadline:
            keys = self._call(
                "query",
                **self._board_query(board, generation, ProjectionExpression="pk, sk", Limit=PURGE_PAGE),
            )["Items"]
            if not keys:
                return True
            self._batch_write([{"DeleteRequest": {"Key": key}} for key in keys])
        return False

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

    def end_rebuild(self, board: str, owner: str, now_s: int) -> bool:
        """Forgets the rebuild's progress and lease: the index is whole (or about to be marked so) from `now_s`."""
        return self._owned_update(
            board,
            "SET indexedAt = :now REMOVE rebuildOwner, rebuildUntil, rebuildAfter",
            {":owner": {"S": owner}, ":now": _number(now_s)},
        )

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

    def _board_query(self, board: str, generation: int, **extra: Any) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :board AND begins_with(sk, :player)",
            "ExpressionAttributeValues": {":board": {"S": _board_pk(board, generation)}, ":player": {"S": "player#"}},
            **extra,
        }

    def _call(self, operation: str, **request: Any) -> Any:
        try:
            return getattr(self._client, operation)(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise _ConditionFailedError(cast("dict[str, Any]", error.response.get("Item") or {})) from None
            if code == "TransactionCanceledException":
                reasons = [
                    r.get("Code", "")
                    for r in cast("list[dict[str, str]]", error.response.get("CancellationReasons") or [])
                ]
                raise _CanceledError(reasons) from None
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


def create_client() -> DynamoDBClient:
    """boto3's low-level DynamoDB client, with short timeouts and few attempts: an unreachable table ends in a 503
    well inside the function's timeout; throttling (after boto3's own retries) ends in a 429."""
    config = Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
    )
    return boto3.client("dynamodb", config=config)


class _ConditionFailedError(Exception):
    """A conditional write's condition was false (an expected outcome, not an error); `item`: the item as it was,
    when the request asked for it (ReturnValuesOnConditionCheckFailure)."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__("condition failed")
        self.item = item


class _CanceledError(Exception):
    """A transaction was canceled; `reasons`: each item's reason code ("None" for the items that were fine)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("transaction canceled")
        self.reasons = reasons


def _past_limit(amount: float) -> InvalidInput:
    """An increment that would take a total past 2^53: nothing was written."""
    return InvalidInput(
        f"Adding {amount!r} would take the total past {MAX_ABS_SCORE} (2^53) in magnitude; nothing changed."
    )


def _board_pk(board: str, generation: int = 0) -> str:
    """Board names hold no '#', so a generation's partition can never be another board's."""
    return f"board#{board}" if generation == 0 else f"board#{board}#{generation}"


def _score_key(board: str, player: str, generation: int = 0) -> dict[str, Any]:
    return {"pk": {"S": _board_pk(board, generation)}, "sk": {"S": f"player#{player}"}}


def _registry_key(board: str) -> dict[str, Any]:
    """A board's item in the registry, or a period's (whose name is "<board>@<period>") in its board's periods."""
    owner, period, rest = board.partition("@")
    if period:
        return {"pk": {"S": PERIODS + owner}, "sk": {"S": rest}}
    return {"pk": {"S": REGISTRY}, "sk": {"S": board}}


def _first_version(score: float, now_ms: int) -> dict[str, Any]:
    value = _value(score)
    return {
        "score": value[":score"],
        "rankKey": value[":key"],
        "total": value[":total"],
        "version": {"N": "1"},
        "updatedAt": _number(now_ms),
    }


def _value(score: float) -> dict[str, dict[str, str]]:
    """A latest or best score's three attributes (see the module's docstring), as expression values."""
    return {
        ":score": {"S": repr(float(score))},
        ":key": {"S": _rank_key(score)},
        ":total": _decimal_number(_WIDE.quantize(_decimal(max(-MAX_ABS_SCORE, min(MAX_ABS_SCORE, score))), _DECIMALS)),
    }


def _rank_key(score: float) -> str:
    """16 hex digits whose text order is the numeric order of doubles (sign bit flipped for positives, every bit
    for negatives); -0.0 is 0.0."""
    (bits,) = struct.unpack(">Q", struct.pack(">d", float(score) + 0.0))
    return f"{bits ^ 0xFFFF_FFFF_FFFF_FFFF if bits >> 63 else bits | 1 << 63:016x}"


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _decimal_number(value: Decimal) -> dict[str, str]:
    """DynamoDB's number text, never in exponent notation (which its local stand-in cannot add)."""
    text = format(value.normalize(_WIDE), "f")
    return {"N": "0" if text in ("-0", "0") else text}


def _number(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _recorded(item: dict[str, Any]) -> Recorded:
    # An increment leaves only the total; the other rules keep the exact double in `score`.
    value = item["score"]["S"] if "score" in item else item["total"]["N"]
    return Recorded(
        player=item["sk"]["S"].removeprefix("player#"), score=float(value), version=int(item["version"]["N"])
    )


def _board_entry(item: dict[str, Any]) -> BoardEntry:
    pk, sk = item["pk"]["S"], item["sk"]["S"]
    return BoardEntry(
        board=sk if pk == REGISTRY else f"{pk.removeprefix(PERIODS)}@{sk}",
        last_write_s=int(item.get("lastWrite", {}).get("N", "0")),
        rebuild_owner=item.get("rebuildOwner", {}).get("S"),
        rebuild_until_ms=int(item.get("rebuildUntil", {}).get("N", "0")),
        rebuild_after=item.get("rebuildAfter", {}).get("S"),
        settings=_settings(item),
        generation=int(item.get("generation", {}).get("N", "0")),
        purging=tuple(sorted(int(g) for g in item.get("purging", {}).get("NS", []))),
        indexed_at_s=int(item.get("indexedAt", {}).get("N", "0")),
    )


def _settings(item: dict[str, Any]) -> BoardSettings:
    defaults = BoardSettings()
    ranking = {name: item.get(name, {}).get("S", getattr(defaults, name)) for name in SETTING_VALUES}
    periods = tuple(item["periods"]["S"].split(",")) if "periods" in item else defaults.periods
    return BoardSettings(**ranking, periods=periods, time_zone=item.get("timeZone", {}).get("S", defaults.time_zone))
