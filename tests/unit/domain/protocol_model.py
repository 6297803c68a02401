"""The write/remove/rebuild protocol, explored: several function instances run the real domain code against the
fakes, one store call at a time in an order Hypothesis draws (tests/support/fakes/interleave.py), with faults at any
call; invariants are checked after every step where they must hold, and at quiescence.

Actors (each a request on one of INSTANCES instances; an instance serves one request at a time):
    writers (under the board's update rule, with periods), player and board removals, settings changes, readers,
    the keep-alive (which also rebuilds), and the backfill of a board that lived only in Momento.
Faults at any call: it fails (nothing happened), it lands and then times out (the caller sees an error), the SDK
resends it after its first copy landed, the instance dies there (its lease ends only by expiry). Besides: a set is
lost (evicted, flushed), time passes (across a period's end, past a TTL, past a lease).

Invariants:
- always: a read that answers gives no player whose removal (of the player or the board) answered before the read
  began, unless a write of that player overlapped or followed that removal; a read made alone (no other request in
  flight, no fault, no loss) answers exactly the record, ranked;
- at quiescence (every request run to its end, leases expired, one keep-alive, one read of every scope):
  every whole set equals its record as (player, score) pairs; no set of a removed generation is whole;
  every write answered 202 is in the record (and so, the set being whole, in the index), by the board's rule: an
  increment counted exactly once whatever was resent below it; a removed player is in no record item and no set of
  the board; a removed board's old record items are purged; a Momento-only board's players survive adoption and
  backfill (they count as writes made before everything else).

`make test` runs a bounded profile (no shrinking: a failure is reported as found); `make soak` runs rounds until at
least SOAK_STEPS steps (a step: a request started, one store call let through, a loss or a jump of time, a
quiescence), shrinks any failure to its smallest run, and prints the examples, steps and faults per kind.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from shared.domain.errors import BoardRebuilding, ServiceError, StoreTimeout, StoreUnavailable
from shared.domain.leaderboards import CALL_DEADLINE_S, STALE_WRITE_S, Answer, Leaderboards
from shared.domain.periods import PeriodChoice
from shared.domain.ports import BoardView
from shared.domain.rebuild import LEASE_MS
from shared.domain.rules import BoardRef, BoardSettings, Entry, PageRequest, PlayerRef, SettingsChange, Submission
from shared.domain.scope import Scope
from tests.support.fakes import Clock, FakeIndex, FakeRecord
from tests.support.fakes.index import set_name
from tests.support.fakes.interleave import SLEEP, Actor, InstanceDied, Scheduler, Turn
from tests.unit.domain.support import KEY, TTL_S, Inline, config

BOARD = "cup"
INSTANCES = 3
PLAYERS = ("ada", "bob", "cyd")
SCORES = st.integers(-4, 9).map(float)  # small: ties are common, every total exact
DAY_S = 86_400.0
REQUEST_TIMEOUT_S = 10.0
KEEP_ALIVE_TIMEOUT_S = 300.0


@dataclass
class Op:
    """A request: what it was, and (once ended) how."""

    kind: str
    args: tuple[Any, ...]
    actor: Actor
    started_at: float  # the clock's time
    quiet: bool = True  # no other request, fault, loss or time jump while it ran

    @property
    def timeout_s(self) -> float:
        """The function's timeout (template.yaml): past it, Lambda ends the request wherever it is."""
        return KEEP_ALIVE_TIMEOUT_S if self.kind == "keep_alive" else REQUEST_TIMEOUT_S

    @property
    def ok(self) -> bool:
        return self.actor.done and self.actor.error is None

    @property
    def start(self) -> int:
        return self.actor.started_step

    @property
    def end(self) -> int:
        return self.actor.ended_step if self.actor.ended_step is not None else 1 << 60

    def overlaps(self, other: Op) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass
class Stats:
    examples: int = 0
    steps: int = 0
    faults: Counter[str] = field(default_factory=Counter)


STATS = Stats()
FAULTS = ("none",) * 6 + ("fail", "late", "resend", "die")
OPERATIONS = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(PLAYERS), SCORES),
    st.tuples(st.just("submit"), st.sampled_from(PLAYERS), SCORES),
    st.tuples(st.just("remove_player"), st.sampled_from(PLAYERS)),
    st.tuples(st.just("remove_board")),
    st.tuples(st.just("configure"), st.sampled_from(["ties", "order"])),
    st.tuples(st.just("read"), st.sampled_from([None, "all", "daily", "daily:previous"]), st.sampled_from([100, 1, 2])),
    st.tuples(st.just("keep_alive")),
    st.tuples(st.just("backfill")),
    st.tuples(st.just("stream")),
)


def ranked(scores: dict[str, float], rules: BoardSettings) -> list[Entry]:
    """The board as the API ranks it: by score in the board's order, ties by the name's UTF-8 bytes."""
    ascending = sorted(scores.items(), key=lambda item: (item[1], item[0].encode("utf-8")))
    order = ascending if rules.order == "asc" else ascending[::-1]
    return [
        Entry(
            sum(1 for s in scores.values() if (s < score if rules.order == "asc" else s > score))
            if rules.ties == "shared"
            else position,
            player,
            score,
        )
        for position, (player, score) in enumerate(order)
    ]


class ProtocolModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        STATS.examples += 1
        self.clock = Clock()
        self.record = FakeRecord(self.clock)
        self.index = FakeIndex(self.clock, ttl_s=TTL_S)
        self.scheduler = Scheduler(self.clock)
        self.scheduler.attach(self.record, self.index)
        self.instances = [self.instance() for _ in range(INSTANCES)]
        self.busy: dict[int, Op] = {}
        self.ops: list[Op] = []
        self.legacy: dict[str, float] = {}
        self.initial = BoardSettings()

    def instance(self) -> Leaderboards:
        # Paced at one player a second: a restore takes several requests, and the top answers before the rest.
        boards = Leaderboards(self.index, self.record, config(rate=1), self.clock.sleeping_with(self.scheduler.sleep))
        boards._writers = boards._parallel = Inline()  # type: ignore[assignment]  # every call a turn of its actor
        return boards

    # --- the board at the start ------------------------------------------------------------------------------------

    @initialize(
        update=st.sampled_from(["latest", "best", "increment"]),
        order=st.sampled_from(["desc", "asc"]),
        daily=st.booleans(),
        legacy=st.dictionaries(st.sampled_from(PLAYERS), SCORES, max_size=3),
    )
    def board(self, update: str, order: str, daily: bool, legacy: dict[str, float]) -> None:
        """A board configured (settings before any score), or one that lived only in Momento before the record
        (its set has players and no marks; the record knows nothing of it)."""
        if legacy:
            self.legacy = legacy
            self.index.sets.put(set_name(Scope(BOARD)), legacy, TTL_S)
            return
        periods: tuple[str, ...] = ("daily", "all") if daily else ("all",)
        change: dict[str, str | tuple[str, ...]] = {"update": update, "order": order, "periods": periods}
        self.initial = Leaderboards(self.index, self.record, config(), self.clock).update_settings(
            SettingsChange(BOARD, change), KEY
        )

    # --- requests ----------------------------------------------------------------------------------------------------

    @rule(instance=st.integers(0, INSTANCES - 1), operation=OPERATIONS)
    def start(self, instance: int, operation: tuple[Any, ...]) -> None:
        STATS.steps += 1
        if instance in self.busy:
            return
        kind, *args = operation
        boards = self.instances[instance]
        work = {
            "submit": lambda: boards.submit(Submission(BOARD, args[0], args[1]), KEY),
            "remove_player": lambda: boards.remove_player(PlayerRef(BOARD, args[0]), KEY),
            "remove_board": lambda: boards.remove_board(BoardRef(BOARD), KEY),
            "configure": lambda: self.configure(boards, args[0]),
            "read": lambda: boards.view(PageRequest(BOARD, 0, args[1], _choice(args[0])), KEY),
            "keep_alive": lambda: boards.keep_alive(KEY, deadline=self.clock.now() + 60),
            "backfill": self.backfill,
            "stream": lambda: self.stream(boards),
        }[kind]
        alone = not self.busy
        self.quieten()
        op = Op(kind, tuple(args), self.scheduler.spawn(f"{kind}@{instance}", work), self.clock.now(), quiet=alone)
        self.busy[instance] = op
        self.ops.append(op)
        self.ended(instance)

    def configure(self, boards: Leaderboards, setting: str) -> BoardSettings:
        current = self.record.entry(Scope(BOARD))
        rules = current.settings if current else BoardSettings()
        if setting == "order" and rules.update == "best":
            setting = "ties"  # a best board's order decides what it kept: the model keeps it fixed
        flipped = {"ties": {"distinct": "shared", "shared": "distinct"}, "order": {"desc": "asc", "asc": "desc"}}
        value = flipped[setting][getattr(rules, setting)]
        return boards.update_settings(SettingsChange(BOARD, {setting: value}), KEY)

    def backfill(self) -> None:
        """What `make backfill` does for the board (scripts/board_copy.py): copy each player of its Momento set the
        record lacks, taking back a copy of a player the set no longer holds (removed meanwhile); then register the
        board."""
        for player, score in sorted((self.index.members(Scope(BOARD)) or {}).items()):
            if self.record.add_score(Scope(BOARD), player, score, self.clock.now_ms()) and not self.index.scores_of(
                Scope(BOARD), [player], KEY
            ):
                self.record.take_back_new_player(Scope(BOARD), player)
        self.record.register_board(BOARD, int(self.clock.now()))

    def stream(self, boards: Leaderboards) -> int:
        """The record's change feed, as DynamoDB Streams runs the reindexing function: a batch taken off the feed,
        put back when the function fails (the stream retries it)."""
        changes = self.record.take_changes()
        try:
            return boards.reindex(changes, KEY)
        except BaseException:
            self.record.put_back(changes)
            raise

    @precondition(lambda self: bool(self.busy))
    @rule(which=st.integers(0, INSTANCES - 1), fault=st.sampled_from(FAULTS))
    def step(self, which: int, fault: str) -> None:
        STATS.steps += 1
        self.step_instance(sorted(self.busy)[which % len(self.busy)], fault)

    def step_instance(self, instance: int, fault: str) -> None:
        """Lets the instance's request make its pending call with the fault, unless its function timed out (then
        it dies there) or the call waited past its deadline (then it never lands)."""
        op = self.busy[instance]
        actor = op.actor
        if actor.pending is not None and actor.pending.method == SLEEP and fault != "die":
            fault = "none"  # a sleep cannot fail
        if self.clock.now() > op.started_at + op.timeout_s:
            fault = "timeout"  # Lambda ended the request: its instance is gone
        elif self.late(actor) and fault == "none":
            fault = "deadline"  # sent, but not answered in time: it never lands
        if fault != "none":
            STATS.faults[fault] += 1
            self.quieten()
        if fault in ("none", "late", "resend"):
            self.check_forget(op)
        if fault in ("die", "timeout"):
            self.scheduler.kill(actor)
            self.instances[instance] = self.instance()  # the next request starts a new instance
        else:
            self.scheduler.step(actor, _turn(fault))
        self.ended(instance)

    def late(self, actor: Actor) -> bool:
        """Whether the call the actor waits to make was sent longer ago than a call's deadline."""
        pending = actor.pending
        return (
            pending is not None and pending.method != SLEEP and self.clock.now() > actor.waiting_since + CALL_DEADLINE_S
        )

    def ended(self, instance: int) -> None:
        op = self.busy[instance]
        if not op.actor.done:
            return
        del self.busy[instance]
        error = op.actor.error
        if error is not None and not isinstance(error, ServiceError | InstanceDied):
            raise error  # a request that crashed: a bug whatever the faults were
        if op.kind == "read" and op.ok:
            self.check_read(op)
        if op.kind == "read" and isinstance(error, BoardRebuilding) and error.total is not None:
            # Past the part restored so far: the answer says how far the restore got.
            assert error.restored is not None
            assert 0 <= error.restored <= error.total, error.message

    # --- the world around the requests ---------------------------------------------------------------------------

    @precondition(lambda self: bool(self.busy))
    @rule(which=st.integers(0, INSTANCES - 1), fault=st.sampled_from(FAULTS))
    def step_more(self, which: int, fault: str) -> None:
        """Steps are most of what happens: a second rule for them, so Hypothesis draws them twice as often."""
        self.step(which, fault)

    @rule(
        event=st.sampled_from(
            [("lose", "all"), ("lose", "today"), ("lose", "every")]
            + [("time", seconds) for seconds in (1.0, 20.0, 3600.0, "midnight", DAY_S + 60)]
        )
    )
    def around(self, event: tuple[str, Any]) -> None:
        """Something outside the requests: Momento loses a set, or time passes."""
        STATS.steps += 1
        kind, what = event
        if kind == "lose":
            self.lose(what)
        else:
            self.time_passes(what)

    def lose(self, scope: str) -> None:
        """Momento loses a set (an eviction) or everything (a flush)."""
        self.quieten()
        STATS.faults["lose"] += 1
        if scope == "every":
            self.index.flush_all()
        else:
            entry = self.record.entry(Scope(BOARD))
            generation = entry.generation if entry else 0
            period = PeriodChoice("daily", "current").resolve("UTC", self.clock.now()) if scope == "today" else None
            self.index.lose(Scope.of(BOARD, period, generation))

    def time_passes(self, seconds: float | str) -> None:
        """Time moves on: past a lease, past a period's end, past the sets' TTL."""
        self.quieten()
        if seconds == "midnight":
            now = self.clock.now()
            seconds = DAY_S - now % DAY_S + 1  # just past the next UTC midnight: a new day
        STATS.faults["time"] += 1
        self.clock.advance(float(seconds))

    def check_forget(self, op: Op) -> None:
        """Adoption never loses a player of a board that lived only in Momento: the set is never dropped while it
        holds such a player the record lacks (a board removal means to drop it)."""
        call = op.actor.pending
        if call is None or call.method != "forget" or call.args[0] != Scope(BOARD) or op.kind == "remove_board":
            return
        entry = self.record.entry(Scope(BOARD))
        if entry is not None and entry.generation > 0:
            return  # the set of a removed generation: a removal (or the schedule finishing one) drops it
        held, recorded = self.index.members(Scope(BOARD)) or {}, self.record.players(Scope(BOARD))
        for player, score in self.legacy.items():
            if held.get(player) == score and player not in recorded and not self.gone(player, before=op.start):
                raise AssertionError(f"{op.actor.name} drops the set holding {player}, whom the record lacks")

    def quieten(self) -> None:
        """Something happened: no request in flight now ran alone."""
        for op in self.busy.values():
            op.quiet = False

    # --- always ------------------------------------------------------------------------------------------------------

    def check_read(self, op: Op) -> None:
        answer: Answer[BoardView] = op.actor.result
        for entry in answer.value.entries:
            assert not self.gone(entry.player, before=op.start), f"{entry.player} came back: {answer.value}"
        board = self.record.entry(Scope(BOARD))
        # A board the record does not know yet is answered as Momento has it; a request that stopped between the
        # record and the index is finished by the feed: until it ran, reads may not show that change.
        if op.quiet and board is not None and self.fed_before(op.start):
            scope = Scope.of(BOARD, answer.period, board.generation)
            # The top 1 or 2 may come from a set still being restored (the part restored so far): exact all the same.
            expected = ranked(self.record.players(scope), answer.settings)[: op.args[1]]
            assert answer.value.entries == expected, f"{scope}: {answer.value.entries} != the record's {expected}"

    def fed_before(self, step: int) -> bool:
        """Whether every request that failed or stopped ended before a run of the feed that ended before `step`."""
        fed = [op for op in self.ops if op.kind == "stream" and op.ok and op.end < step]
        return all(
            any(stream.start > failed.end for stream in fed)
            for failed in self.ops
            if failed.kind not in ("read", "stream") and failed.actor.done and not failed.ok
        )

    def removals_of(self, player: str) -> list[Op]:
        return [
            op for op in self.ops if op.kind == "remove_board" or (op.kind == "remove_player" and op.args[0] == player)
        ]

    def writes_of(self, player: str) -> list[Op]:
        return [op for op in self.ops if op.kind == "submit" and op.args[0] == player]

    def gone(self, player: str, *, before: int) -> bool:
        """Whether a removal that answered before `before` took the player off, with no write of the player
        overlapping or following it (a legacy score counts as a write before everything)."""
        done = [op for op in self.removals_of(player) if op.ok and op.end < before]
        if not done:
            return False
        last = max(done, key=lambda op: op.end)
        return all(write.end < last.start for write in self.writes_of(player))

    @invariant()
    def no_whole_set_of_a_removed_generation(self) -> None:
        """Once a board removal answered (and while none is in flight), no set of an older generation is whole: no
        read can take it. A removal that failed part way leaves this to the schedule (checked at quiescence)."""
        removals = [op for op in self.ops if op.kind == "remove_board"]
        if any(not op.actor.done for op in removals) or any(not op.ok for op in removals):
            return
        self.check_no_whole_old_set()

    def check_no_whole_old_set(self) -> None:
        entry = self.record.entry(Scope(BOARD))
        if entry is None or entry.generation == 0:
            return
        for scope in self.index.all_members(BOARD):
            if scope.generation < entry.generation:
                assert not self.index.is_whole(scope, KEY), f"{scope} is whole after its removal"

    # --- at quiescence -----------------------------------------------------------------------------------------------

    @rule()
    def quiesce(self) -> None:
        """Every request runs to its end; leases expire; one keep-alive; one read of every scope; then the
        invariants that hold only when nothing is in flight."""
        STATS.steps += 1
        for instance in sorted(self.busy):
            while instance in self.busy:  # as a step without a fault: a timed-out request dies, a late call fails
                self.step_instance(instance, "none")
        self.scheduler.detach(self.record, self.index)
        try:
            # Past every lease, and past the time a write in flight at a removal could still land.
            self.clock.advance(max(LEASE_MS / 1000, STALE_WRITE_S) + 1)
            calm = Leaderboards(self.index, self.record, config(), self.clock)
            while changes := self.record.take_changes():
                calm.reindex(changes, KEY)
            calm.keep_alive(KEY, deadline=self.clock.now() + 600)
            entry = self.record.entry(Scope(BOARD))
            if entry is not None:
                for period in [None, *(f"{kind}:current" for kind in entry.settings.periods if kind != "all")]:
                    calm.view(PageRequest(BOARD, 0, 100, _choice(period)), KEY)
            self.check_quiescent()
        finally:
            self.scheduler.attach(self.record, self.index)

    def check_quiescent(self) -> None:
        entry = self.record.entry(Scope(BOARD))
        generation = entry.generation if entry else 0
        scopes = [Scope(BOARD, None, generation)] + [
            e.scope for e in self.record.periods_of(BOARD) if e.generation == generation
        ]
        for scope in scopes:
            if self.index.is_whole(scope, KEY):
                members = self.index.members(scope)
                assert members == self.record.players(scope), f"{scope}: set {members} != record"
        if entry is not None:
            assert not entry.purging, f"generations {entry.purging} not purged"
        self.check_no_whole_old_set()
        for scope in self.record.partitions(BOARD):
            assert scope.generation == generation, f"{scope}: a removed generation's scores are left"
        now = self.scheduler.steps + 1
        for player in PLAYERS:
            if self.gone(player, before=now):
                for scope in self.record.partitions(BOARD):
                    assert player not in self.record.players(scope), f"{player} removed, still in {scope}"
                for name, members in self.index.all_members(BOARD).items():
                    assert player not in members, f"{player} removed, still in the set {name}"
            else:
                self.check_kept(player, self.record.players(Scope(BOARD, None, generation)).get(player))

    def check_kept(self, player: str, recorded: float | None) -> None:
        """The player's all-time score is what the writes since the last removal make it, by the board's rule."""
        removals = self.removals_of(player)
        if any(not op.ok for op in removals if op.kind == "remove_board") or any(
            not op.ok for op in removals if op.kind == "remove_player"
        ):
            return  # a removal that failed may have taken effect or not
        writes = self.writes_of(player)
        last = max((op for op in removals if op.ok), key=lambda op: op.end, default=None)
        if last is not None and any(write.overlaps(last) for write in writes):
            return  # a write racing the removal may come before it or after
        live = [write for write in writes if last is None or write.start > last.end]
        # The Momento-only board's score may be there (adopted, backfilled) or not (Momento lost the set first);
        # that adoption never drops it is check_forget's.
        legacy = self.legacy.get(player) if last is None else None
        base: list[tuple[float, Op | None]] = []
        unsure = [] if legacy is None else [legacy]
        update = self.initial.update if not any(op.kind == "remove_board" for op in removals) else "latest"
        acked = [(w.args[1], w) for w in live if w.ok]
        unknown = [w.args[1] for w in live if not w.ok] + unsure
        if update == "increment":
            sure = sum(score for score, _ in base) + sum(score for score, _ in acked)
            if recorded is None:
                assert not base, f"{player}: the Momento-only board's total is lost"
                assert not acked, f"{player}: acknowledged increments lost"
                return
            possible = {
                sure + sum(chosen) for n in range(len(unknown) + 1) for chosen in itertools.combinations(unknown, n)
            }
            assert recorded in possible, f"{player}: total {recorded}, expected {sure} plus some of {unknown}"
            return
        candidates = [score for score, _ in base] + [w.args[1] for w in live] + unsure
        if recorded is None:
            assert not base, f"{player}: the Momento-only board's score is lost"
            assert not acked, f"{player}: an acknowledged write is lost"
            return
        assert recorded in candidates, f"{player}: {recorded} was never written ({candidates})"
        if update == "best" and (acked or base):
            sure = [score for score, _ in base] + [score for score, _ in acked]
            best = min(sure) if self.initial.order == "asc" else max(sure)
            assert (recorded <= best) if self.initial.order == "asc" else (recorded >= best), (
                f"{player}: kept {recorded}, worse than the acknowledged {best}"
            )

    def teardown(self) -> None:
        try:
            if self.ops:
                self.quiesce()
        finally:
            for op in self.busy.values():
                if not op.actor.done:
                    self.scheduler.kill(op.actor)


def _turn(fault: str) -> Turn:
    return {
        "none": Turn(),
        "fail": Turn(fail_before=StoreUnavailable("injected: the call failed")),
        "late": Turn(fail_after=StoreTimeout("injected: the call landed, then timed out")),
        "resend": Turn(resend=True),
        "die": Turn(),
        "timeout": Turn(),
        "deadline": Turn(fail_before=StoreTimeout("the call's deadline passed before it landed")),
    }[fault]


def _choice(period: str | None) -> PeriodChoice | None:
    if period is None:
        return None
    kind, _, which = period.partition(":")
    return PeriodChoice(kind, which or "current")


SOAK_STEPS = 100_000  # make soak runs examples until at least this many steps
SOAK = settings(
    max_examples=2_000,  # a round; make soak runs rounds until SOAK_STEPS
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
BOUNDED = settings(
    max_examples=int(os.environ.get("MODEL_EXAMPLES", "100")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # No shrinking in make test: a failure is reported as found (make soak shrinks it to its smallest run).
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
