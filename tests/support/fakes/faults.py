"""What a test can make a fake's port call do besides its work: fail before it (nothing changed), fail after it
(it took effect, then the caller saw an error: a timeout whose request had landed), or wait at a gate the test opens,
so two threads' calls interleave in the order the test means. Every call is counted, so a test can assert how many
round trips a route made.

    record.faults.fail_next("write_score", StoreUnavailable("down"))
    record.faults.after_effect("add_to_totals", StoreTimeout("late"))
    gate = index.faults.pause("put_score")             # the next put_score waits here...
    ... start a thread that puts ...
    gate.wait_reached()                                # ...once it is waiting, do what must come first...
    gate.release()                                     # ...then let it go on
    assert index.calls["put_score"] == 1
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Concatenate, Literal, Protocol

# How long a paused call waits for its release before failing the test that forgot it (never a hang).
GATE_TIMEOUT_S = 30.0

Phase = Literal["before", "after"]


@dataclass(frozen=True)
class Call:
    """One port call as made: the method's name and its arguments as given."""

    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


Matcher = Callable[[Call], bool]


class Gate:
    """Where paused calls wait: `reached` is set when the first one arrives, `release()` lets every one go on."""

    def __init__(self, method: str, timeout_s: float = GATE_TIMEOUT_S) -> None:
        self.method = method
        self.reached = threading.Event()
        self.caught: list[Call] = []  # the calls that waited here, in arrival order
        self._released = threading.Event()
        self._timeout_s = timeout_s
        self._lock = threading.Lock()

    def wait_reached(self, timeout: float = 5.0) -> Call:
        """Waits until a call is held here; that call. Fails the test if none arrives within `timeout`."""
        if not self.reached.wait(timeout):
            raise AssertionError(f"no {self.method} call reached its gate within {timeout} s")
        with self._lock:
            return self.caught[0]

    def release(self) -> None:
        self._released.set()

    @property
    def released(self) -> bool:
        return self._released.is_set()

    def hold(self, call: Call) -> None:
        with self._lock:
            self.caught.append(call)
        self.reached.set()
        if not self._released.wait(self._timeout_s):
            raise TimeoutError(f"a paused {call.method} call was never released (waited {self._timeout_s} s)")


class _Resend:
    def __repr__(self) -> str:
        return "resend"


RESEND = _Resend()


@dataclass
class _Rule:
    method: str
    phase: Phase
    action: BaseException | Gate | _Resend
    times: int | None  # None: every matching call until cleared
    when: Matcher | None
    fired: int = 0

    def takes(self, call: Call, phase: Phase) -> bool:
        """Whether this rule acts on the call now (and if so, counts it against its times)."""
        if self.method != call.method or self.phase != phase:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        if self.when is not None and not self.when(call):
            return False
        self.fired += 1
        return True


@dataclass
class Faults:
    """The faults armed on one fake, by method name (a name the port does not have is refused at once)."""

    methods: frozenset[str]
    _rules: list[_Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(
        self, method: str, error: BaseException, *, times: int | None = 1, when: Matcher | None = None
    ) -> None:
        """The next `times` matching calls raise `error` before doing anything (None: every one until cleared)."""
        self._arm(method, "before", error, times, when)

    def fail_always(self, method: str, error: BaseException, *, when: Matcher | None = None) -> None:
        """Every matching call raises `error` before doing anything, until `clear()`: an outage."""
        self._arm(method, "before", error, None, when)

    def after_effect(
        self, method: str, error: BaseException, *, times: int | None = 1, when: Matcher | None = None
    ) -> None:
        """The next `times` matching calls do their work, then raise `error`: the caller cannot tell it landed."""
        self._arm(method, "after", error, times, when)

    def resend(self, method: str, *, times: int | None = 1, when: Matcher | None = None) -> None:
        """The next `times` matching calls do their work twice and answer the second: an SDK that timed out waiting
        for the first copy's answer sent the request again, and both landed."""
        self._arm(method, "after", RESEND, times, when)

    def pause(
        self, method: str, *, after_effect: bool = False, times: int | None = 1, when: Matcher | None = None
    ) -> Gate:
        """The next `times` matching calls wait at the returned gate until it is released: before their work, or
        (after_effect) once it is done but before they return."""
        gate = Gate(method)
        self._arm(method, "after" if after_effect else "before", gate, times, when)
        return gate

    def clear(self) -> None:
        """Disarms every fault; calls waiting at a gate are let go."""
        with self._lock:
            rules, self._rules = self._rules, []
        for rule in rules:
            if isinstance(rule.action, Gate):
                rule.action.release()

    def armed(self) -> list[str]:
        """The faults still waiting for a call (one armed for every call counts while it is armed)."""
        with self._lock:
            return [
                f"{rule.method} ({rule.phase}): {rule.action!r}"
                for rule in self._rules
                if rule.times is None or rule.fired < rule.times
            ]

    def before(self, call: Call) -> None:
        self._act(call, "before")

    def after(self, call: Call) -> bool:
        """Acts after the call's work; whether the work is to be done again (a resend)."""
        return self._act(call, "after")

    def _arm(
        self,
        method: str,
        phase: Phase,
        action: BaseException | Gate | _Resend,
        times: int | None,
        when: Matcher | None,
    ) -> None:
        if method not in self.methods:
            raise ValueError(f"no port method {method!r}; the methods are {', '.join(sorted(self.methods))}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 or None (every call), got {times}")
        with self._lock:
            self._rules.append(_Rule(method, phase, action, times, when))

    def _act(self, call: Call, phase: Phase) -> bool:
        """Gates first (a paused call may still be made to fail once released), then the first error armed;
        whether a resend was armed."""
        with self._lock:
            taken = [rule.action for rule in self._rules if rule.takes(call, phase)]
        for gate in (action for action in taken if isinstance(action, Gate)):
            gate.hold(call)
        error = next((action for action in taken if isinstance(action, BaseException)), None)
        if error is not None:
            raise error
        return RESEND in taken


class Turn(Protocol):
    """What a call learns when its turn comes (tests/support/fakes/interleave.py): whether to fail before its work,
    do it twice (an SDK resent a request whose first copy had landed: the copy takes a turn of its own, so others
    may act between the two), or fail after it."""

    fail_before: BaseException | None
    resend: bool
    fail_after: BaseException | None


class Faulty:
    """A fake's bookkeeping: `faults` to arm, `calls` counted per method, `history` of every call in order, and an
    optional `turns`: called before every port call, it may hold the calling thread until a scheduler lets it go.
    With a `deadline` (a clock, seconds, the error), a call a gate held past it fails without its work, as a call
    whose client deadline passed before it reached the store never lands."""

    def __init__(self, methods: Iterable[str]) -> None:
        self.faults = Faults(frozenset(methods))
        self.turns: Callable[[Call], Turn | None] | None = None
        self.deadline: tuple[Callable[[], float], float, Callable[[], BaseException]] | None = None
        self.calls: Counter[str] = Counter()
        self.history: list[Call] = []
        self._history_lock = threading.Lock()

    def reset_calls(self) -> None:
        with self._history_lock:
            self.calls.clear()
            self.history.clear()

    def note(self, call: Call) -> None:
        with self._history_lock:
            self.calls[call.method] += 1
            self.history.append(call)


def port_call[S: Faulty, **P, R](method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Makes a fake's method a port call: counted, then the faults armed for it act around its work."""
    name = method.__name__

    @functools.wraps(method)
    def call(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        made = Call(name, tuple(args), dict(kwargs))
        turn = self.turns(made) if self.turns is not None else None
        self.note(made)
        sent = self.deadline[0]() if self.deadline is not None else 0.0
        self.faults.before(made)
        if self.deadline is not None and self.deadline[0]() - sent > self.deadline[1]:
            raise self.deadline[2]()
        if turn is not None and turn.fail_before is not None:
            raise turn.fail_before
        result = method(self, *args, **kwargs)
        while turn is not None and turn.resend:
            # The copy is a turn of its own: other requests may act before it lands, or it may fail on the way.
            turn = self.turns(Call(f"{name} (copy)", made.args, made.kwargs)) if self.turns is not None else None
            if turn is not None and turn.fail_before is not None:
                raise turn.fail_before
            result = method(self, *args, **kwargs)
        if turn is not None and turn.fail_after is not None:
            raise turn.fail_after
        if self.faults.after(made):
            result = method(self, *args, **kwargs)
        return result

    return call


def port_methods(port: type) -> frozenset[str]:
    """The public methods a port (a typing.Protocol) declares."""
    return frozenset(name for name, value in vars(port).items() if not name.startswith("_") and callable(value))
