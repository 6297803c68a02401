"""The record: every accepted score, kept in one DynamoDB table (the domain's Record port). It is the source of
truth; Momento is its index. How scopes and scores are laid out in the table is codec.py's alone; this module makes
the requests: one conditional request per write, never a read computed and written back.

boto3's low-level client (create_client), made once per execution environment: by the composition root during the
cold start's init for the routes whose every request writes, which also connect it there (`connect`), so their first
request does not pay for either; at first use for the read routes, which need the record only when the index has
lost a board (importing boto3 would double their cold start).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from shared.domain.errors import InvalidInput, SettingsMoved, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.domain.ports import BoardEntry, Recorded, Restore
from shared.domain.rules import MAX_ABS_SCORE, SETTING_NAMES, WRITE_SETTINGS, BoardSettings
from shared.domain.scope import Scope
from shared.platform.config import Settings
from shared.platform.observability import logger
from shared.stores.dynamodb.codec import (
    CONNECT_PROBE,
    PERIODS,
    PLAYER,
    REGISTRY,
    board_entry,
    decimal,
    decimal_number,
    first_version,
    number,
    partition,
    recorded,
    registry_key,
    restore_value,
    score_key,
    score_value,
)
from shared.stores.dynamodb.resends import Refusal, TokenTerms, token_terms, why_refused

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CONNECT_TIMEOUT_S = 1
READ_TIMEOUT_S = 2
ATTEMPTS = 3
BATCH_WRITE = 25  # DynamoDB's most items in one BatchWriteItem
BATCH_GET = 100  # DynamoDB's most keys in one BatchGetItem
PARALLEL_READS = 8  # BatchGetItem requests a read of many players sends at once
BATCH_RETRIES_S = (0.05, 0.1, 0.2, 0.4, 0.8)  # pauses before writing again what a batch left unprocessed
# Pauses (jittered) before trying again a transaction another write of the same player conflicted with.
TRANSACTION_RETRIES_S = (0.01, 0.02, 0.04, 0.08, 0.16)
INCREMENT_ATTEMPTS = 3  # an increment sent again after its token's slot was found holding an old window's tokens
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
UNAVAILABLE = {"InternalServerError", "ServiceUnavailable"}
PURGE_PAGE = 500  # score items of a removed generation read per Query while purging (then deleted 25 at a time)
# Settings are stored under the API's names, which DynamoDB reserves (ORDER, UPDATE): always through these.
_SETTING_NAMES = {f"#{name}": name for name in SETTING_NAMES}


_JITTER = random.SystemRandom()


class RecordError(RuntimeError):
    """DynamoDB refused a request for a reason no retry fixes (a missing table, a permission): a logged 500."""


class DynamoRecord:
    def __init__(self, config: Settings, client: DynamoDBClient | None = None, *, connect_now: bool = True) -> None:
        """`client`: one made by the caller, for a table outside the function's environment (a local server, a
        script's account); by default the function's own, made now (during a cold start's init), or with
        `connect_now=False` at the first request that needs the record (importing boto3 with it)."""
        self._table = config.table_name
        self._lock = threading.Lock()
        self._client = client or (create_client() if connect_now else None)
        self._pool: ThreadPoolExecutor | None = None  # made at the first read of many players

    def connect(self) -> None:
        """Makes one read (of an item no one writes), so the next request pays for none of boto3's first-request
        set-up (its endpoint rules, the signer, the connection). Called at init, and after a SnapStart restore."""
        self._call("get_item", TableName=self._table, Key=CONNECT_PROBE)

    # --- scores -------------------------------------------------------------------------------------------------

    def write_score(
        self,
        scope: Scope,
        player: str,
        score: float | Decimal,
        *,
        rules: BoardSettings,
        now_ms: int,
        request: str | None = None,
        epoch: int = 0,
        put_by_ms: int = 0,
    ) -> Recorded:
        """Applies one submission by the board's update rule, in one request (no read before the write); the
        player's score after it (a best board's kept one when the new one is not better). SettingsMoved when the
        item was written under a later `epoch` of the board's settings than this write's (nothing changed)."""
        if rules.update == "increment":
            return self._increment(scope, player, score, now_ms, request, epoch=epoch, put_by_ms=put_by_ms)
        score = float(score)
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": score_key(scope, player),
            "UpdateExpression": f"SET {_WRITER}, score = :score, rankKey = :key, #total = :total ADD version :one",
            "ConditionExpression": _NOT_LATER_EPOCH,
            "ExpressionAttributeNames": {"#total": "total"},
            "ExpressionAttributeValues": {
                **score_value(score),
                **_writer_values(request, put_by_ms, epoch, now_ms),
                ":one": {"N": "1"},
            },
            # What this write set (the key aside): all a Recorded needs, and less for DynamoDB to send than ALL_NEW.
            "ReturnValues": "UPDATED_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if rules.update == "best":
            # Better by the board's order; an item the increment rule wrote last has no rankKey: compare its total.
            better = ">" if rules.order == "asc" else "<"
            update["ConditionExpression"] += (
                f" AND (attribute_not_exists(version) OR rankKey {better} :key "
                f"OR (attribute_not_exists(rankKey) AND #total {better} :total))"
            )
        try:
            answer = self._call("update_item", **update)
        except _ConditionFailedError as kept:
            _check_epoch(kept.item, scope, epoch)
            return recorded(kept.item)
        # The value is the one written (DynamoDB may leave an attribute the write did not change out of the answer).
        written = {"score": update["ExpressionAttributeValues"][":score"]}
        return recorded(score_key(scope, player) | written | answer["Attributes"])

    def _increment(
        self,
        scope: Scope,
        player: str,
        amount: float | Decimal,
        now_ms: int,
        token: str | None,
        *,
        epoch: int,
        put_by_ms: int,
    ) -> Recorded:
        restart = False
        for _ in range(INCREMENT_ATTEMPTS):
            request = self._increment_request(amount, now_ms, token, epoch=epoch, put_by_ms=put_by_ms, restart=restart)
            try:
                answer = self._call(
                    "update_item",
                    **request,
                    Key=score_key(scope, player),
                    ReturnValues="ALL_NEW",  # the total: an increment of 0 changes it not, and UPDATED_NEW may omit it
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except _ConditionFailedError as refused:
                _check_epoch(refused.item, scope, epoch)
                why = why_refused(refused.item, token, now_ms, restart=restart)
                if why == "counted":
                    return recorded(refused.item)  # this request's first copy landed: the total already has it
                if why == "other":
                    raise _past_limit(amount) from None
                restart = why == "restart"  # the token's slot holds an old window's set, or no longer does
                continue
            return recorded(answer["Attributes"])
        raise StoreUnavailable("Other writes of the player kept changing its item; nothing changed") from None

    def _increment_request(
        self,
        amount: float | Decimal,
        now_ms: int,
        token: str | None,
        *,
        epoch: int,
        put_by_ms: int,
        restart: bool = False,
    ) -> dict[str, Any]:
        """An increment's update, but for its key: |total + amount| <= 2^53, as a condition on the total before,
        and no later epoch of the settings; with a token, also that the item has not counted that token (see
        resends: it is kept for as long as a copy can arrive, however many other writes land meanwhile)."""
        if amount >= 0:
            condition, limit = "#total <= :limit", Decimal(MAX_ABS_SCORE) - decimal(amount)
        else:
            condition, limit = "#total >= :limit", -Decimal(MAX_ABS_SCORE) - decimal(amount)
        kept = token_terms(token, now_ms, restart=restart) if token is not None else TokenTerms()
        sets = ", ".join([_WRITER, *kept.set])
        removes = ", ".join(["score", "rankKey", *kept.remove])
        adds = ", ".join(["#total :amount", "version :one", *kept.add])
        conditions = [_NOT_LATER_EPOCH, f"(attribute_not_exists(#total) OR {condition})", *kept.conditions]
        return {
            "TableName": self._table,
            "UpdateExpression": f"SET {sets} REMOVE {removes} ADD {adds}",
            "ConditionExpression": " AND ".join(conditions),
            "ExpressionAttributeNames": {"#total": "total", **kept.names},
            "ExpressionAttributeValues": {
                ":amount": decimal_number(decimal(amount)),
                ":limit": decimal_number(limit),
                ":one": {"N": "1"},
                **_writer_values(token, put_by_ms, epoch, now_ms),
                **kept.values,
            },
        }

    def add_to_totals(
        self,
        scopes: Sequence[Scope],
        player: str,
        amount: float | Decimal,
        now_ms: int,
        *,
        request: str | None = None,
        epoch: int = 0,
        put_by_ms: int = 0,
    ) -> None:
        """Adds an increment to the player's total in every scope given, in one transaction: all of
        them, or none (400 when one total would pass 2^53). A transaction that another write of the same player
        conflicted with changed nothing and is tried again. Transactions return no values: the caller reads the
        totals back, as it reads a write back anyway. With a `request` token, a copy that arrives again counts
        once: DynamoDB itself answers a repeated ClientRequestToken (within 10 minutes) without applying it, and
        the items' own tokens refuse it after that."""
        restarts = [False] * len(scopes)  # per item: its token's slot holds an old window's set (see resends)
        pauses = iter(TRANSACTION_RETRIES_S)
        for _ in range(len(TRANSACTION_RETRIES_S) + INCREMENT_ATTEMPTS):
            items = [
                {
                    "Update": {
                        **self._increment_request(
                            amount, now_ms, request, epoch=epoch, put_by_ms=put_by_ms, restart=restart
                        ),
                        "Key": score_key(scope, player),
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
                for scope, restart in zip(scopes, restarts, strict=True)
            ]
            try:
                self._call("transact_write_items", TransactItems=items, **_transaction_token(request, restarts))
            except _CanceledError as canceled:
                if "ConditionalCheckFailed" in canceled.reasons:
                    refused: list[tuple[int, Refusal]] = []
                    for index, (reason, item) in enumerate(zip(canceled.reasons, canceled.items, strict=True)):
                        if reason == "ConditionalCheckFailed":
                            _check_epoch(item, scopes[index], epoch)
                            refused.append((index, why_refused(item, request, now_ms, restart=restarts[index])))
                    if any(why == "counted" for _, why in refused):
                        return  # the transaction landed before: every total has it (all or none)
                    if any(why == "other" for _, why in refused):
                        raise _past_limit(amount) from None
                    for index, why in refused:
                        restarts[index] = why == "restart"
                    continue
                if "ThrottlingError" in canceled.reasons:
                    raise StoreThrottled("DynamoDB throttled the transaction") from None
                pause = next(pauses, None)
                if pause is None or "TransactionConflict" not in canceled.reasons:
                    raise StoreUnavailable(f"DynamoDB canceled the transaction: {canceled.reasons}") from None
                # Jittered, so the conflicting writers do not meet again. From the OS, not `random`'s state: execution
                # environments that SnapStart restores from one snapshot share that state, and would meet again.
                time.sleep(pause * (0.5 + _JITTER.random()))
            else:
                return
        raise StoreUnavailable("Other writes of the player kept changing its items; nothing changed")

    def add_score(self, scope: Scope, player: str, score: float, now_ms: int) -> bool:
        """Records the player's score (version 1) only if the record has none for them, and says whether it did.

        For copying scores that predate the record (a backfill from the index): a score the service has written
        is newer than any copy, so it is never replaced. The item is marked a copy until its next write.
        """
        try:
            self._call(
                "put_item",
                TableName=self._table,
                Item={**score_key(scope, player), **first_version(score, now_ms), "copied": {"BOOL": True}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except _ConditionFailedError:
            return False
        return True

    def take_back_new_player(self, scope: Scope, player: str) -> bool:
        """Deletes a player's first score (version 1) that the index refused (a full board), so the record holds no
        player a rebuild could never index; False when the player was written again meanwhile (then it stays)."""
        try:
            self._call(
                "delete_item",
                TableName=self._table,
                Key=score_key(scope, player),
                ConditionExpression="version = :first",
                ExpressionAttributeValues={":first": {"N": "1"}},
            )
        except _ConditionFailedError:
            return False
        return True

    def fill_board(self, scope: Scope, scores: Mapping[str, float], now_ms: int) -> None:
        """Writes many players at once, each as a first version (version 1), replacing what the record holds for
        them. Only for a board nobody else writes meanwhile (the local demo board): it bypasses the versions the
        write path relies on, and costs one request per 25 players instead of one per player."""
        items = [
            {"PutRequest": {"Item": {**score_key(scope, player), **first_version(score, now_ms)}}}
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

    def get_score(self, scope: Scope, player: str) -> Recorded | None:
        """The player's current score, read strongly consistently (it decides what the index must hold)."""
        answer = self._call("get_item", TableName=self._table, Key=score_key(scope, player), ConsistentRead=True)
        return recorded(answer["Item"]) if "Item" in answer else None

    def get_scores(self, scopes: Sequence[Scope], player: str) -> list[Recorded | None]:
        """The player's current score in each scope, read strongly consistently in one
        BatchGetItem (a board's scopes are at most four, under its 100 keys); keys DynamoDB left unprocessed are
        read again."""
        keys = [score_key(scope, player) for scope in scopes]
        found = self._batch_get(keys)
        return [recorded(item) if (item := found.get(_key_of(key))) else None for key in keys]

    def read_back(self, scopes: Sequence[Scope], player: str) -> tuple[list[Recorded | None], BoardEntry | None]:
        """get_scores and the board's registry item in the same BatchGetItem: a writer learns, at no extra round
        trip, whether the board moved to another generation while it wrote."""
        keys = [score_key(scope, player) for scope in scopes]
        board = registry_key(Scope(scopes[0].board))
        found = self._batch_get([*keys, board])
        entry = found.get(_key_of(board))
        return [recorded(item) if (item := found.get(_key_of(key))) else None for key in keys], (
            board_entry(entry) if entry else None
        )

    def scores_of(self, scope: Scope, players: Sequence[str]) -> dict[str, Recorded]:
        """The scores of those of the players the scope holds: one BatchGetItem per 100, all at once."""
        chunks = [list(players[start : start + BATCH_GET]) for start in range(0, len(players), BATCH_GET)]
        found: dict[str, Recorded] = {}
        for items in self._in_parallel([[score_key(scope, player) for player in chunk] for chunk in chunks]):
            found |= {score.player: score for score in map(recorded, items.values())}
        return found

    def _in_parallel(self, batches: list[list[dict[str, Any]]]) -> list[dict[tuple[str, str], dict[str, Any]]]:
        """_batch_get of each batch, the first on this thread and the rest on the record's reader threads."""
        if len(batches) <= 1:
            return [self._batch_get(batch) for batch in batches]
        others = [self._readers().submit(self._batch_get, batch) for batch in batches[1:]]
        return [self._batch_get(batches[0]), *(other.result() for other in others)]

    def _readers(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=PARALLEL_READS, thread_name_prefix="record-read")
            return self._pool

    def _batch_get(self, keys: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The items at these keys (at most 100), read strongly consistently; what DynamoDB left unprocessed is read
        again."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        pending: Any = {self._table: {"Keys": keys, "ConsistentRead": True}}
        for pause in (*BATCH_RETRIES_S, None):
            answer = self._call("batch_get_item", RequestItems=pending)
            found |= {_key_of(item): item for item in answer["Responses"].get(self._table, [])}
            pending = answer.get("UnprocessedKeys")
            if not pending:
                break
            if pause is None:
                raise StoreThrottled("DynamoDB left part of a batch unread")
            time.sleep(pause)
        return found

    def remove_player_from(self, scopes: Sequence[Scope], player: str) -> None:
        """Deletes the player's score in every scope given, 25 a request; deleting a score that is not there is no
        error."""
        self._batch_write([{"DeleteRequest": {"Key": score_key(scope, player)}} for scope in scopes])

    def remove_score(self, scope: Scope, player: str) -> Recorded | None:
        """Deletes the player's score in the scope, and answers what it was (its last writer's lease with it)."""
        answer = self._call("delete_item", TableName=self._table, Key=score_key(scope, player), ReturnValues="ALL_OLD")
        return recorded(answer["Attributes"]) if "Attributes" in answer else None

    def scores(self, scope: Scope, after: str | None, limit: int) -> tuple[list[Recorded], bool]:
        """Up to `limit` players of the board in name order, after the player `after`; and whether more follow."""
        request = self._scope_query(scope, ConsistentRead=True, Limit=limit)
        if after is not None:
            request["ExclusiveStartKey"] = score_key(scope, after)
        answer = self._call("query", **request)
        return [recorded(item) for item in answer["Items"]], "LastEvaluatedKey" in answer

    # --- the registry -------------------------------------------------------------------------------------------

    def touch(self, scope: Scope, now_s: int) -> BoardEntry:
        """Registers the scope, or notes a write to it (a board's retention counts from the last one); its entry
        after."""
        answer = self._call(
            "update_item",
            TableName=self._table,
            Key=registry_key(scope),
            UpdateExpression="SET lastWrite = :now, createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":now": number(now_s)},
            ReturnValues="ALL_NEW",
        )
        return board_entry(answer["Attributes"])

    def register_board(self, board: str, now_s: int) -> None:
        """Registers the board if the registry does not know it; a known board keeps its lastWrite (a copy of old
        scores is not a write: retention still counts from the board's last real one)."""
        self._call(
            "update_item",
            TableName=self._table,
            Key=registry_key(Scope(board)),
            UpdateExpression="SET lastWrite = if_not_exists(lastWrite, :now), "
            "createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":now": number(now_s)},
        )

    def entry(self, scope: Scope) -> BoardEntry | None:
        """The scope's registry item (a board's whatever `scope.generation` says), None when it has none."""
        answer = self._call("get_item", TableName=self._table, Key=registry_key(scope), ConsistentRead=True)
        return board_entry(answer["Item"]) if "Item" in answer else None

    def boards(self) -> Iterator[BoardEntry]:
        """Every registered board, in name order."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :registry",
            "ExpressionAttributeValues": {":registry": {"S": REGISTRY}},
        }
        while True:
            answer = self._call("query", **request)
            yield from (board_entry(item) for item in answer["Items"])
            if "LastEvaluatedKey" not in answer:
                return
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def update_settings(self, board: str, changes: Mapping[str, str | tuple[str, ...]], now_s: int) -> BoardEntry:
        """Sets the given settings (registering the board if new; a settings change is not a write of scores, so a
        known board keeps its lastWrite) and answers the board as it is after."""
        assignments = ["lastWrite = if_not_exists(lastWrite, :now)", "createdAt = if_not_exists(createdAt, :now)"]
        assignments += [f"#{name} = :{name}" for name in changes]
        if WRITE_SETTINGS & set(changes):
            assignments.append("epoch = if_not_exists(epoch, :zero) + :one")
        names = {"ExpressionAttributeNames": {f"#{name}": name for name in changes}} if changes else {}
        values = {
            f":{name}": {"S": value if isinstance(value, str) else ",".join(value)} for name, value in changes.items()
        }
        answer = self._call(
            "update_item",
            TableName=self._table,
            Key=registry_key(Scope(board)),
            UpdateExpression="SET " + ", ".join(assignments),
            ExpressionAttributeValues={":now": number(now_s)}
            | values
            | ({":zero": number(0), ":one": number(1)} if WRITE_SETTINGS & set(changes) else {}),
            ReturnValues="ALL_NEW",
            **names,
        )
        return board_entry(answer["Attributes"])

    def count_past_rebuild(self, board: str, now_s: int, limit: int) -> int | None:
        """Counts a past period's restore in the board's registry item, per minute: the minute's first starts the
        count at 1, the others add 1 while under `limit`; one conditional update each (two at a minute's first)."""
        minute = now_s // 60
        key = registry_key(Scope(board))
        try:
            self._call(
                "update_item",
                TableName=self._table,
                Key=key,
                UpdateExpression="ADD pastRebuilds :one",
                ConditionExpression="pastRebuildMinute = :minute AND pastRebuilds < :limit",
                ExpressionAttributeValues={":one": number(1), ":minute": number(minute), ":limit": number(limit)},
            )
            return None
        except _ConditionFailedError:
            pass
        try:
            self._call(
                "update_item",
                TableName=self._table,
                Key=key,
                UpdateExpression="SET pastRebuildMinute = :minute, pastRebuilds = :one",
                ConditionExpression="attribute_exists(sk) AND "
                "(attribute_not_exists(pastRebuildMinute) OR pastRebuildMinute < :minute)",
                ExpressionAttributeValues={":one": number(1), ":minute": number(minute)},
            )
            return None
        except _ConditionFailedError:
            return (minute + 1) * 60 - now_s  # this minute's count is full (or the board is gone)

    def remove_board(self, board: str, now_s: int) -> BoardEntry | None:
        """Starts the board afresh: the next generation with the default settings, no rebuild in progress, and the
        removed generation's score items queued for purging. The board's entry as it was just before (the removed
        generation, and whether a rebuild held the lease), or None if the registry does not know the board.
        Conditional on the generation read, so two removals at once each take their own."""
        while True:
            entry = self.entry(Scope(board))
            if entry is None:
                return None
            try:
                answer = self._call(
                    "update_item",
                    TableName=self._table,
                    Key=registry_key(Scope(board)),
                    UpdateExpression="SET generation = :next, removedAt = :now ADD purging :removed REMOVE "
                    + ", ".join(_SETTING_NAMES)
                    + ", rebuildOwner, rebuildUntil, rebuildProgress",
                    ConditionExpression="attribute_exists(sk) AND "
                    + ("generation = :current" if entry.generation else "attribute_not_exists(generation)"),
                    ExpressionAttributeNames=_SETTING_NAMES,
                    ExpressionAttributeValues={
                        ":next": number(entry.generation + 1),
                        ":removed": {"NS": [str(entry.generation)]},
                        ":now": number(now_s),
                    }
                    | ({":current": number(entry.generation)} if entry.generation else {}),
                    ReturnValues="ALL_OLD",
                )
            except _ConditionFailedError:
                continue  # removed (or written into being) meanwhile: read it again
            return board_entry(answer["Attributes"])

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
            entries += [board_entry(item) for item in answer["Items"]]
            if "LastEvaluatedKey" not in answer:
                return entries
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def purge(
        self,
        removed: Scope,
        deadline: float,
        periods: Sequence[Scope] = (),
        clock: Callable[[], float] = time.time,
        *,
        finish: bool = True,
    ) -> bool:
        """Deletes a removed generation's score items (`removed`: the board's all-time scope in that generation)
        until none is left (then, with `finish`, forgets the generation) or `deadline` (by `clock`) passes; whether
        none is left. `periods`: that generation's periods, whose scores and registry items go first."""
        for period in periods:
            if not self._purge_partition(period, deadline, clock):
                return False
            self._call("delete_item", TableName=self._table, Key=registry_key(period))
        if not self._purge_partition(removed, deadline, clock):
            return False
        if not finish:
            return True
        generation = removed.generation
        self._call(
            "update_item",
            TableName=self._table,
            Key=registry_key(removed),
            UpdateExpression="DELETE purging :done",
            ExpressionAttributeValues={":done": {"NS": [str(generation)]}},
        )
        return True

    def _purge_partition(self, scope: Scope, deadline: float, clock: Callable[[], float]) -> bool:
        while clock() < deadline:
            keys = self._call(
                "query",
                **self._scope_query(scope, ProjectionExpression="pk, sk", Limit=PURGE_PAGE),
            )["Items"]
            if not keys:
                return True
            self._batch_write([{"DeleteRequest": {"Key": key}} for key in keys])
        return False

    # --- the rebuild lease: one rebuild per board at a time, across all function instances -----------------------

    def claim_rebuild(self, scope: Scope, owner: str, now_ms: int, lease_ms: int) -> BoardEntry | None:
        """Takes the board's rebuild lease if nobody holds an unexpired one; None when somebody does.

        The answer carries how far an interrupted rebuild got (restore), so this one resumes there.
        """
        try:
            answer = self._call(
                "update_item",
                TableName=self._table,
                Key=registry_key(scope),
                UpdateExpression="SET rebuildOwner = :owner, rebuildUntil = :until",
                ConditionExpression="attribute_exists(sk) AND "
                "(attribute_not_exists(rebuildUntil) OR rebuildUntil < :now)",
                ExpressionAttributeValues={
                    ":owner": {"S": owner},
                    ":until": number(now_ms + lease_ms),
                    ":now": number(now_ms),
                },
                ReturnValues="ALL_NEW",
            )
        except _ConditionFailedError:
            return None
        return board_entry(answer["Attributes"])

    def save_rebuild_progress(self, scope: Scope, owner: str, progress: Restore, until_ms: int) -> bool:
        """Notes how far the rebuild got and extends the lease; False when the lease was lost (it expired)."""
        return self._owned_update(
            scope,
            "SET rebuildUntil = :until, rebuildProgress = :restore",
            {":owner": {"S": owner}, ":until": number(until_ms), ":restore": restore_value(progress)},
        )

    def end_rebuild(self, scope: Scope, owner: str, now_s: int) -> bool:
        """Forgets the rebuild's progress and lease: the index is whole (or about to be marked so) from `now_s`."""
        return self._owned_update(
            scope,
            "SET indexedAt = :now REMOVE rebuildOwner, rebuildUntil, rebuildProgress",
            {":owner": {"S": owner}, ":now": number(now_s)},
        )

    def pause_rebuild(self, scope: Scope, owner: str) -> bool:
        """Gives the lease up but keeps the progress, so the next request or the schedule resumes at once."""
        return self._owned_update(scope, "SET rebuildUntil = :zero", {":owner": {"S": owner}, ":zero": {"N": "0"}})

    def _owned_update(self, scope: Scope, expression: str, values: dict[str, Any]) -> bool:
        try:
            self._call(
                "update_item",
                TableName=self._table,
                Key=registry_key(scope),
                UpdateExpression=expression,
                ConditionExpression="rebuildOwner = :owner",
                ExpressionAttributeValues=values,
            )
        except _ConditionFailedError:
            return False
        return True

    # --- the client ---------------------------------------------------------------------------------------------

    def _scope_query(self, scope: Scope, **extra: Any) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :board AND begins_with(sk, :player)",
            "ExpressionAttributeValues": {":board": {"S": partition(scope)}, ":player": {"S": PLAYER}},
            **extra,
        }

    def _call(self, operation: str, **request: Any) -> Any:
        from botocore.exceptions import (  # noqa: PLC0415 - botocore with the client, which may be made late
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
                raise _ConditionFailedError(cast("dict[str, Any]", error.response.get("Item") or {})) from None
            if code == "TransactionCanceledException":
                cancellations = cast("list[dict[str, Any]]", error.response.get("CancellationReasons") or [])
                raise _CanceledError(
                    [r.get("Code", "") for r in cancellations], [r.get("Item") or {} for r in cancellations]
                ) from None
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

    def client(self) -> DynamoDBClient:
        """The record's boto3 client (made now if not yet), for what keeps its own items in the record's table."""
        return self._dynamodb()

    def _dynamodb(self) -> DynamoDBClient:
        with self._lock:
            if self._client is None:
                self._client = create_client()
            return self._client


def create_client() -> DynamoDBClient:
    """boto3's low-level DynamoDB client, with short timeouts and few attempts: an unreachable table ends in a 503
    well inside the function's timeout; throttling (after boto3's own retries) ends in a 429."""
    import boto3  # noqa: PLC0415 - boto3 only where a record client is made
    from botocore.config import Config  # noqa: PLC0415

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
    """A transaction was canceled; `reasons`: each item's reason code ("None" for the items that were fine), and
    `items`: each one's attributes where DynamoDB returned them (a failed condition's, ALL_OLD)."""

    def __init__(self, reasons: list[str], items: list[dict[str, Any]]) -> None:
        super().__init__("transaction canceled")
        self.reasons = reasons
        self.items = items


def _key_of(item: dict[str, Any]) -> tuple[str, str]:
    return item["pk"]["S"], item["sk"]["S"]


# Who wrote a score item last, as one map (fewer attributes to write): `r` its request token, `p` when its put into
# the index lands (ms), `e` the board's settings epoch it was made with, `t` when (ms); `prev` is the write before's.
_WRITER = "prev = if_not_exists(cur, :noWriter), cur = :writer"
# A score item written under a later epoch of the board's settings refuses a write made with earlier ones.
_NOT_LATER_EPOCH = "(attribute_not_exists(cur.e) OR cur.e <= :epoch)"


def _writer_values(request: str | None, put_by_ms: int, epoch: int, now_ms: int) -> dict[str, Any]:
    writer = {"p": number(put_by_ms), "e": number(epoch), "t": number(now_ms)}
    if request is not None:
        writer["r"] = {"S": request}
    return {":writer": {"M": writer}, ":noWriter": {"M": {}}, ":epoch": number(epoch)}


def _check_epoch(item: dict[str, Any], scope: Scope, epoch: int) -> None:
    """Raises SettingsMoved when a refused write's item holds a later epoch than the write's."""
    if int(item.get("cur", {}).get("M", {}).get("e", {}).get("N", "0")) > epoch:
        raise SettingsMoved(scope.board)


def _transaction_token(request: str | None, restarts: list[bool]) -> dict[str, str]:
    """The ClientRequestToken of an increment's transaction: DynamoDB answers a copy of it (within 10 minutes)
    without applying it again. A transaction that replaces an old window's set of tokens is another request, with
    another token (the same token with other parameters is refused)."""
    if request is None:
        return {}
    mask = sum(1 << index for index, restart in enumerate(restarts) if restart)
    return {"ClientRequestToken": f"{request}{mask:x}" if mask else request}


def _past_limit(amount: float | Decimal) -> InvalidInput:
    """An increment that would take a total past 2^53: nothing was written."""
    return InvalidInput(
        f"Adding {decimal(amount)} would take the total past {MAX_ABS_SCORE} (2^53) in magnitude; nothing changed."
    )
