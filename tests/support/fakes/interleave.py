"""A scheduler that runs requests one store call at a time, in the order a test (or Hypothesis) chooses.

Each request runs on its own thread as an actor. Every port call of the fakes, and every sleep of the domain's clock,
is a turn: the actor stops there until the scheduler lets it make that one call, then runs on to its next turn. Only
one actor runs at a time, so a run is decided entirely by the sequence of `step` choices: Hypothesis can draw it,
shrink it and replay it. A step may also inject a fault into the call it lets go (fail it, resend it, fail it after
it took effect) or end the actor's instance there (every later call of that actor fails without effect).

Threads other than actors (a test's own checks) call the fakes without waiting for a turn.

Why not plain threads with pauses: the interleavings that break a protocol sit between two particular calls of two
particular requests; drawing the order call by call reaches every one of them, and a failure replays exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fakes.clock import Clock
from tests.support.fakes.faults import Call, Faulty

TURN_TIMEOUT_S = 20.0  # how long the scheduler waits for an actor to reach its next turn (never a hang)


class InstanceDied(BaseException):
    """The function instance running this request stopped (a crash, a timeout): nothing after this point happens.
    A BaseException, so the domain's `except Exception` cannot swallow it (`except BaseException` cleanup still
    runs, and its calls fail the same way)."""


@dataclass
class Turn:
    """What the scheduler tells a call: see faults.Turn."""

    fail_before: BaseException | None = None
    resend: bool = False
    fail_after: BaseException | None = None


@dataclass
class Actor:
    """One request in flight."""

    name: str
    started_step: int
    state: str = "starting"  # starting, waiting (at a turn), running, done
    pending: Call | None = None  # the call it waits to make
    waiting_since: float = 0.0  # the clock's time when it reached that call
    turn: Turn = field(default_factory=Turn)
    dead: bool = False
    result: Any = None
    error: BaseException | None = None
    ended_step: int | None = None
    thread: threading.Thread | None = None

    @property
    def done(self) -> bool:
        return self.state == "done"


SLEEP = "sleep"  # the pending "call" of an actor waiting in the clock's sleep


class Scheduler:
    """Runs actors one turn at a time (see the module's docstring), on the test's clock. `attach` the fakes first;
    `sleep` is the domain's clock's sleep (it moves the clock, then waits for a turn)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._local = threading.local()
        self.actors: list[Actor] = []
        self.steps = 0

    def attach(self, *fakes: Faulty) -> None:
        for fake in fakes:
            fake.turns = self._turn

    def detach(self, *fakes: Faulty) -> None:
        for fake in fakes:
            fake.turns = None

    # --- what the test does ----------------------------------------------------------------------------------------

    def spawn(self, name: str, work: Callable[[], Any]) -> Actor:
        """Starts a request; it runs until its first turn (or its end) before this returns."""
        actor = Actor(name, self.steps)

        def run() -> None:
            self._local.actor = actor
            try:
                actor.result = work()
            except BaseException as error:  # the request's outcome, kept for the test
                actor.error = error
            with self._cond:
                actor.state, actor.ended_step = "done", self.steps
                self._cond.notify_all()

        actor.thread = threading.Thread(target=run, name=f"actor-{name}", daemon=True)
        self.actors.append(actor)
        actor.thread.start()
        self._wait_settled(actor)
        return actor

    def waiting(self) -> list[Actor]:
        """The actors in flight, in the order they started."""
        return [actor for actor in self.actors if not actor.done]

    def step(self, actor: Actor, turn: Turn | None = None, *, die: bool = False) -> None:
        """Lets the actor make its pending call (with `turn`'s faults), and run on to its next turn or its end;
        `die`: its instance stops instead, before that call."""
        with self._cond:
            if actor.state != "waiting":
                raise RuntimeError(f"actor {actor.name} is {actor.state}, not waiting for a turn")
            self.steps += 1
            actor.turn = turn or Turn()
            actor.dead = actor.dead or die
            actor.state = "running"
            self._cond.notify_all()
        self._wait_settled(actor)

    def finish(self, actor: Actor, limit: int = 10_000) -> None:
        """Steps the actor without faults until it ends."""
        for _ in range(limit):
            if actor.done:
                return
            self.step(actor)
        raise AssertionError(f"actor {actor.name} did not end within {limit} turns")

    def kill(self, actor: Actor) -> None:
        """Its instance stops at the turn it waits at (the cleanup it still tries fails the same way)."""
        self.step(actor, die=True)
        self.finish(actor)

    # --- what the actors' calls do ---------------------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """The domain's clock's sleep: time passes, then the actor waits for its next turn (others act meanwhile)."""
        self._clock.advance(seconds)
        if getattr(self._local, "actor", None) is not None:
            self._turn(Call(SLEEP, (seconds,), {}))

    def _turn(self, call: Call) -> Turn | None:
        actor: Actor | None = getattr(self._local, "actor", None)
        if actor is None:
            return None
        since = self._clock.now()
        with self._cond:
            actor.pending, actor.state, actor.waiting_since = call, "waiting", since
            self._cond.notify_all()
            while actor.state != "running":
                if not self._cond.wait(TURN_TIMEOUT_S):
                    raise InstanceDied(f"actor {actor.name} waited {TURN_TIMEOUT_S} s for a turn")
            actor.pending = None
            if actor.dead:
                raise InstanceDied(actor.name)
            return actor.turn

    def _wait_settled(self, actor: Actor) -> None:
        with self._cond:
            while actor.state not in ("waiting", "done"):
                if not self._cond.wait(TURN_TIMEOUT_S):
                    raise AssertionError(f"actor {actor.name} reached no turn within {TURN_TIMEOUT_S} s")
