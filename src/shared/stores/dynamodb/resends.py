"""The request tokens a score item keeps, so that a copy of an increment the SDK sends again counts once.

A write that timed out may have landed; boto3 sends it again, and both copies can land, with any number of other
writes of the same player between them. So an item keeps the token of every increment for as long as a copy of it
can still arrive, and no longer (a list of the last few tokens would let a copy through once more writes than it
keeps landed before it).

The tokens sit in string sets, one per window of SEEN_WINDOW_MS of the writes' start times, in SEEN_SLOTS attributes
used in turn. Every copy of a request carries its first copy's start, so it looks in the set its first copy joined.
A window's copies have all landed RESEND_WITHIN_S after it ends; a write begun SEEN_EMPTIED windows later (read on an
instance whose clock may be a second behind) lands after them, and empties that window's set, as it empties every
slot but the four windows before its own and the one after (where an instance whose clock runs ahead may write).

A slot can still hold the set of a window SEEN_SLOTS earlier when no write came between to empty it (a player who
writes once a while). Each set therefore holds its window's tag: a write whose slot holds another window's tag
replaces the set instead of adding to it. An update expression cannot choose between the two, so the write first
adds, and when the refused item shows an old window's set, replaces it in a second request (needed only then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# No copy of a request arrives later than this after the write began: the functions' timeout (the SDK's three
# attempts of a 1 s connect and a 2 s read, with their backoff, end before it).
RESEND_WITHIN_S = 10
SEEN_WINDOW_MS = 5_000
SKEW_S = 1  # how far two instances' clocks may differ
SEEN_EMPTIED = 1 + -(-(RESEND_WITHIN_S + SKEW_S) * 1000 // SEEN_WINDOW_MS)  # 1 + ceil((resend + skew) / window)
# Prime: a player who writes on a timer of whole seconds rarely finds its slot holding an old window's set.
SEEN_SLOTS = 13


@dataclass(frozen=True)
class Seen:
    """Where a write begun at some time keeps its token: its `slot`, the window's `tag`, the `emptied` slots."""

    slot: str
    tag: str
    emptied: tuple[str, ...]


def seen_at(now_ms: int) -> Seen:
    window = now_ms // SEEN_WINDOW_MS
    live = {(window + back) % SEEN_SLOTS for back in range(-SEEN_EMPTIED + 1, 2)}
    emptied = tuple(f"seen{slot}" for slot in range(SEEN_SLOTS) if slot not in live)
    return Seen(f"seen{window % SEEN_SLOTS}", f"w{window}", emptied)


@dataclass(frozen=True)
class TokenTerms:
    """The parts of an increment's update that keep its token (none without one): actions for its SET, REMOVE
    and ADD clauses, a condition, and the names and values they use."""

    set: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    add: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


def token_terms(token: str, now_ms: int, *, restart: bool) -> TokenTerms:
    """The token joins its window's set, on the condition that no copy of it is there yet and that the slot holds
    this window's set; with `restart`, it replaces the slot's set, on the condition that it holds another window's.
    Either way the slots of old windows are emptied."""
    seen = seen_at(now_ms)
    names = {"#seen": seen.slot} | {f"#emptied{i}": slot for i, slot in enumerate(seen.emptied)}
    values = {":window": {"S": seen.tag}, ":requests": {"SS": [seen.tag, token]}}
    emptied = tuple(f"#emptied{i}" for i in range(len(seen.emptied)))
    if restart:
        condition = "(attribute_not_exists(#seen) OR NOT contains(#seen, :window))"
        return TokenTerms(("#seen = :requests",), emptied, (), (condition,), names, values)
    condition = "(attribute_not_exists(#seen) OR (contains(#seen, :window) AND NOT contains(#seen, :request)))"
    return TokenTerms((), emptied, ("#seen :requests",), (condition,), names, values | {":request": {"S": token}})


Refusal = Literal["counted", "restart", "add", "other"]


def why_refused(item: dict[str, Any], token: str | None, now_ms: int, *, restart: bool) -> Refusal:
    """Which of the token's conditions refused an increment, from the item as it was: a copy of it `counted`
    already; its slot holds another window's set (`restart`), or, refused as a restart, its own window's (`add`);
    or none of them (`other`: another condition of the write)."""
    if token is None:
        return "other"
    seen = seen_at(now_ms)
    tokens = item.get(seen.slot, {}).get("SS")
    if tokens is None:
        return "other"  # either way of writing takes a slot that is not there
    if token in tokens:
        return "counted"
    if seen.tag in tokens:
        return "add" if restart else "other"
    return "other" if restart else "restart"
