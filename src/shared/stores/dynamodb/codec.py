"""The record's one codec: how a Scope, a score and a registry entry are laid out in the DynamoDB table, and read
back. Nothing else in the service builds or parses these keys.

Layout (one table, keys pk/sk, no secondary index):
- a score:      pk = "board#<board>" (or "board#<board>#<generation>" once the board was removed and written
                again), sk = "player#<player>"; the value (below), version (N, +1 per write); cur (M: the last
                write: r its request token, p when its put into the index lands or never will (ms), e the board's
                settings epoch it was made with, t when (ms)) and prev (M: the write before's); copied (BOOL: a
                copy from a set that predates the record, until a write sets cur); seen0..seen12 (SS: increments'
                request tokens, kept while a copy may arrive: see resends)
- the registry: pk = "boards", sk = "<board>"; lastWrite (N, s), createdAt (N, s), the settings (order, update,
  ties, timeZone, and periods as one comma-separated text; absent = the default), epoch (N, absent = 0: +1 at each
  change of a setting that decides how a write applies), generation (N, absent = 0),
  purging (NS: removed generations whose score items are still being deleted), pastRebuildMinute and pastRebuilds
  (N: how many past periods were restored in that minute, counted against a limit), and while the board's index is being
  rebuilt: rebuildOwner, rebuildUntil (N, ms), rebuildProgress (M: how far it got: k the set's token, n players
  restored, t the record's total, s and p the last player restored, r the pace, o the order it ranks by, v its speed).
- a period's registry item: pk = "periods#<board>", sk = "<kind>:<id>[@<generation>]", written before its first
  score, so a period with no item has no scores; lastWrite, createdAt, indexedAt (N, s: its last rebuild) and the
  rebuild lease. A period's scores are in partition "board#<board>@<kind>:<id>[@<generation>]".

A score's value is written by one DynamoDB request per submission, never read, computed and written back:
- latest and best: `score` (S), the shortest text that reads back as the same double (a DynamoDB number cannot hold
  every double, such as 1e-300, which the API accepts); `rankKey` (S), the double's bits as 16 hex digits in numeric
  order, so "keep the better" is a ConditionExpression on text; and `total` (N), the score rounded to 12 decimal
  places (within +-2^53: a copy of an old set may hold more), from which an increment continues if the board's
  rule changes to increment.
- increment: `ADD total`, exact decimal arithmetic (the increment rule keeps every total within 28 digits), under a
  condition that keeps |total| <= 2^53; `score` and `rankKey` are removed, so the value is the total.
"""

from __future__ import annotations

import struct
from decimal import Context, Decimal
from typing import Any

from shared.domain.ports import BoardEntry, PutLease, Recorded, Restore
from shared.domain.rules import MAX_ABS_SCORE, MAX_INCREMENT_DECIMALS, SETTING_VALUES, BoardSettings
from shared.domain.scope import PeriodKey, Scope

REGISTRY = "boards"
PERIODS = "periods#"  # + board: the partition of the board's periods' registry items
SCORES = "board#"  # + the scope: a scope's partition of score items
PLAYER = "player#"  # + the player: a score item's sort key
# The item a connection's first request reads: none has it (no partition starts with '~').
CONNECT_PROBE = {"pk": {"S": "~connect"}, "sk": {"S": "~connect"}}
_DECIMALS = Decimal(1).scaleb(-MAX_INCREMENT_DECIMALS)
_WIDE = Context(prec=60)  # room for any double's digits before rounding to _DECIMALS


def partition(scope: Scope) -> str:
    """The scope's partition of score items. Board names hold no '#', '@' or ':', so no scope's partition can be
    another's."""
    if scope.period is None:
        return f"{SCORES}{scope.board}" + (f"#{scope.generation}" if scope.generation else "")
    return f"{SCORES}{scope.board}@{_period_sk(scope)}"


def score_key(scope: Scope, player: str) -> dict[str, Any]:
    return {"pk": {"S": partition(scope)}, "sk": {"S": PLAYER + player}}


def score_of_key(pk: str, sk: str) -> tuple[Scope, str] | None:
    """The scope and player a score item's key names (score_key read back); None for any other item (a registry
    item, the connection probe). Board names hold no '#', '@' or ':', so the first '@' ends the board's name and a
    '#' after it starts all time's generation."""
    if not pk.startswith(SCORES) or not sk.startswith(PLAYER):
        return None
    board, at, period = pk.removeprefix(SCORES).partition("@")
    if at:
        key, _, generation = period.partition("@")
        return Scope(board, PeriodKey.parse(key), int(generation or 0)), sk.removeprefix(PLAYER)
    board, _, generation = board.partition("#")
    return Scope(board, None, int(generation or 0)), sk.removeprefix(PLAYER)


def registry_key(scope: Scope) -> dict[str, Any]:
    """A board's item in the registry (one per board, whatever its generation), or a period's in its board's
    periods."""
    if scope.period is None:
        return {"pk": {"S": REGISTRY}, "sk": {"S": scope.board}}
    return {"pk": {"S": PERIODS + scope.board}, "sk": {"S": _period_sk(scope)}}


def _period_sk(scope: Scope) -> str:
    return f"{scope.period}" + (f"@{scope.generation}" if scope.generation else "")


def _scope_of(item: dict[str, Any]) -> Scope:
    """A registry item's scope: a board's in its current generation, or a period's (generation in its key)."""
    pk, sk = item["pk"]["S"], item["sk"]["S"]
    if pk == REGISTRY:
        return Scope(sk, None, int(item.get("generation", {}).get("N", "0")))
    key, _, generation = sk.partition("@")
    return Scope(pk.removeprefix(PERIODS), PeriodKey.parse(key), int(generation or 0))


def first_version(score: float, now_ms: int) -> dict[str, Any]:
    value = score_value(score)
    return {
        "score": value[":score"],
        "rankKey": value[":key"],
        "total": value[":total"],
        "version": {"N": "1"},
        "updatedAt": number(now_ms),
    }


def score_value(score: float) -> dict[str, dict[str, str]]:
    """A latest or best score's three attributes (see the module's docstring), as expression values."""
    return {
        ":score": {"S": repr(float(score))},
        ":key": {"S": rank_key(score)},
        ":total": decimal_number(_WIDE.quantize(decimal(max(-MAX_ABS_SCORE, min(MAX_ABS_SCORE, score))), _DECIMALS)),
    }


def rank_key(score: float) -> str:
    """16 hex digits whose text order is the numeric order of doubles (sign bit flipped for positives, every bit
    for negatives); -0.0 is 0.0."""
    (bits,) = struct.unpack(">Q", struct.pack(">d", float(score) + 0.0))
    return f"{bits ^ 0xFFFF_FFFF_FFFF_FFFF if bits >> 63 else bits | 1 << 63:016x}"


def decimal(value: float | Decimal) -> Decimal:
    """A number as DynamoDB adds it: a Decimal as it is (exactly as the request wrote it), a float by its
    shortest repr."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def decimal_number(value: Decimal) -> dict[str, str]:
    """DynamoDB's number text, never in exponent notation (which its local stand-in cannot add)."""
    text = format(value.normalize(_WIDE), "f")
    return {"N": "0" if text in ("-0", "0") else text}


def number(value: int) -> dict[str, str]:
    return {"N": str(value)}


def recorded(item: dict[str, Any]) -> Recorded:
    # An increment leaves only the total; the other rules keep the exact double in `score`.
    value = item["score"]["S"] if "score" in item else item["total"]["N"]
    last, previous = item.get("cur", {}).get("M", {}), item.get("prev", {}).get("M", {})
    return Recorded(
        player=item["sk"]["S"].removeprefix(PLAYER),
        score=float(value),
        version=int(item["version"]["N"]),
        copied="copied" in item and "cur" not in item,  # a copy, not written since (a write sets `cur`)
        lease=PutLease(
            request=last.get("r", {}).get("S"),
            put_by_ms=int(last.get("p", {}).get("N", "0")),
            previous_request=previous.get("r", {}).get("S"),
            previous_put_by_ms=int(previous.get("p", {}).get("N", "0")),
        ),
    )


def board_entry(item: dict[str, Any]) -> BoardEntry:
    """A registry item, of a board or of a period."""
    return BoardEntry(
        scope=_scope_of(item),
        last_write_s=int(item.get("lastWrite", {}).get("N", "0")),
        rebuild_owner=item.get("rebuildOwner", {}).get("S"),
        rebuild_until_ms=int(item.get("rebuildUntil", {}).get("N", "0")),
        restore=restore_of(item["rebuildProgress"]["M"]) if "rebuildProgress" in item else None,
        settings=_settings(item),
        purging=tuple(sorted(int(g) for g in item.get("purging", {}).get("NS", []))),
        indexed_at_s=int(item.get("indexedAt", {}).get("N", "0")),
        removed_at_s=int(item.get("removedAt", {}).get("N", "0")),
        epoch=int(item.get("epoch", {}).get("N", "0")),
    )


def restore_value(progress: Restore) -> dict[str, Any]:
    """A rebuild's progress as one map: the token and the last player's score as their exact text (the token is
    past DynamoDB's numbers' range), the counts and the rate as numbers."""
    value: dict[str, Any] = {
        "k": {"S": repr(progress.token)},
        "n": number(progress.restored),
        "t": number(progress.total),
        "r": {"S": repr(progress.rate)},
        "o": {"S": progress.order},
        "v": {"S": repr(progress.speed)},
    }
    if progress.last is not None:
        value |= {"s": {"S": repr(progress.last[0])}, "p": {"S": progress.last[1]}}
    return {"M": value}


def restore_of(value: dict[str, Any]) -> Restore:
    last = (float(value["s"]["S"]), value["p"]["S"]) if "p" in value else None
    return Restore(
        token=float(value["k"]["S"]),
        restored=int(value["n"]["N"]),
        total=int(value["t"]["N"]),
        last=last,
        rate=float(value["r"]["S"]),
        order="asc" if value.get("o", {}).get("S") == "asc" else "desc",
        speed=float(value.get("v", {}).get("S", "0.0")),
    )


def _settings(item: dict[str, Any]) -> BoardSettings:
    defaults = BoardSettings()
    ranking = {name: item.get(name, {}).get("S", getattr(defaults, name)) for name in SETTING_VALUES}
    periods = tuple(item["periods"]["S"].split(",")) if "periods" in item else defaults.periods
    return BoardSettings(**ranking, periods=periods, time_zone=item.get("timeZone", {}).get("S", defaults.time_zone))
