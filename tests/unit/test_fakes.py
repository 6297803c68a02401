"""The fakes' own controls: the movable clock, the faults a test arms per call, the call counts, and that each fake
has every method of its port with the port's parameters (what they do is the shared suite's, tests/stores)."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable

import pytest

from shared.domain.errors import BoardFull, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.domain.ports import Index, Record, Recorded
from shared.domain.rules import BoardSettings, Standing
from shared.domain.scope import PeriodKey, Scope
from shared.platform.secret import Secret
from tests.support.fakes import Call, Clock, FakeIndex, FakeRecord
from tests.support.fakes.faults import port_methods

BOARD = Scope("weekly")
DAY = Scope("weekly", PeriodKey("daily", "2026-05-28"))
KEY = Secret("momento-api-key", "key", lambda: "key")
LATEST = BoardSettings()


def write(record: FakeRecord, player: str, score: float, scope: Scope = BOARD) -> Recorded:
    return record.write_score(scope, player, score, rules=LATEST, now_ms=0)


# --- the clock ------------------------------------------------------------------------------------------------------


def test_the_clock_stands_still_until_moved() -> None:
    clock = Clock(1000.0)
    assert clock() == clock.now() == 1000.0
    assert clock.advance(2.5) == 1002.5
    clock.sleep(0.5)
    assert clock.now() == 1003.0
    assert clock.now_ms() == 1_003_000
    assert clock.slept == [0.5]


def test_the_clock_never_goes_back() -> None:
    clock = Clock()
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="non-negative"):
        clock.sleep(-1)


# --- the ports ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fake", "port"), [(FakeRecord, Record), (FakeIndex, Index)])
def test_each_fake_has_its_ports_methods_with_their_parameters(fake: type, port: type) -> None:
    def shape(method: Callable[..., object]) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(method).parameters.values()]

    for name in port_methods(port):
        assert shape(getattr(fake, name)) == shape(getattr(port, name)), name


def test_the_fakes_are_the_ports() -> None:
    record: Record = FakeRecord()
    index: Index = FakeIndex()
    assert record.get_score(BOARD, "ada") is None
    assert not index.is_whole(BOARD, KEY)


# --- counting calls -------------------------------------------------------------------------------------------------


def test_each_call_is_counted_by_method_and_kept_in_order() -> None:
    record = FakeRecord()
    write(record, "ada", 1)
    record.get_score(BOARD, "ada")
    record.get_score(BOARD, "bob")
    assert record.calls == {"write_score": 1, "get_score": 2}
    assert record.history[1] == Call("get_score", (BOARD, "ada"), {})
    assert record.history[0].kwargs == {"rules": LATEST, "now_ms": 0}
    record.reset_calls()
    assert (record.calls["get_score"], record.history) == (0, [])


def test_a_call_made_inside_another_is_not_counted_as_a_port_call() -> None:
    index = FakeIndex()
    index.put_settings(BOARD, LATEST, KEY)  # a put of an element, as the real one does, but one port call
    index.mark_whole(BOARD, -1.0, KEY)
    assert index.calls == {"put_settings": 1, "mark_whole": 1}


# --- faults ---------------------------------------------------------------------------------------------------------


def test_a_failed_call_changed_nothing_and_is_counted() -> None:
    record = FakeRecord()
    record.faults.fail_next("write_score", StoreUnavailable("down"))
    with pytest.raises(StoreUnavailable, match="down"):
        write(record, "ada", 1)
    assert record.get_score(BOARD, "ada") is None
    assert write(record, "ada", 2) == Recorded("ada", 2.0, 1)  # only the next one failed
    assert record.calls["write_score"] == 2


def test_a_fault_fails_as_many_calls_as_asked_or_all_until_cleared() -> None:
    index = FakeIndex()
    index.faults.fail_next("is_whole", StoreThrottled("slow down"), times=2)
    for _ in range(2):
        with pytest.raises(StoreThrottled):
            index.is_whole(BOARD, KEY)
    assert index.is_whole(BOARD, KEY) is False
    index.faults.fail_always("rebuild_token", StoreTimeout("late"))
    for _ in range(5):
        with pytest.raises(StoreTimeout):
            index.rebuild_token(BOARD, KEY)
    assert index.faults.armed() == ["rebuild_token (before): StoreTimeout('late')"]
    index.faults.clear()
    assert index.rebuild_token(BOARD, KEY) is None
    assert index.faults.armed() == []


def test_a_fault_can_pick_its_calls() -> None:
    index = FakeIndex()
    index.faults.fail_next("put_score", StoreUnavailable("down"), when=lambda call: call.args[0] == DAY)
    index.put_score(BOARD, "ada", 1.0, KEY)
    with pytest.raises(StoreUnavailable):
        index.put_score(DAY, "ada", 1.0, KEY)
    assert index.members(BOARD) == {"ada": 1.0}
    assert index.members(DAY) is None


def test_a_fault_after_the_effect_lands_the_write_and_then_fails() -> None:
    record = FakeRecord()
    record.faults.after_effect("add_to_totals", StoreTimeout("no answer"))
    with pytest.raises(StoreTimeout):
        record.add_to_totals([BOARD, DAY], "ada", 2.5, now_ms=0)
    assert record.get_scores([BOARD, DAY], "ada") == [Recorded("ada", 2.5, 1)] * 2  # it had landed everywhere


def test_a_fault_for_a_method_the_port_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="no port method 'put'"):
        FakeIndex().faults.fail_next("put", StoreUnavailable("down"))
    with pytest.raises(ValueError, match="times"):
        FakeRecord().faults.fail_next("get_score", StoreUnavailable("down"), times=0)


def test_a_paused_call_waits_for_its_release_and_lets_a_test_order_two_writers() -> None:
    # Two writers of one player: the first's put is held until the second's has landed, so the index ends with the
    # first's (older) value, the interleaving the write path's read-back exists to repair.
    index = FakeIndex()
    gate = index.faults.pause("put_score", when=lambda call: call.args[2] == 1.0)
    first = threading.Thread(target=index.put_score, args=(BOARD, "ada", 1.0, KEY))
    first.start()
    held = gate.wait_reached()
    assert held.args[:3] == (BOARD, "ada", 1.0)
    assert index.members(BOARD) is None  # held before its effect
    index.put_score(BOARD, "ada", 2.0, KEY)
    gate.release()
    first.join(timeout=5)
    assert not first.is_alive()
    assert index.members(BOARD) == {"ada": 1.0}
    assert index.calls["put_score"] == 2


def test_a_call_paused_after_its_effect_has_landed_but_not_returned() -> None:
    record = FakeRecord()
    gate = record.faults.pause("write_score", after_effect=True)
    returned: list[Recorded] = []
    writer = threading.Thread(target=lambda: returned.append(write(record, "ada", 5)))
    writer.start()
    gate.wait_reached()
    assert record.get_score(BOARD, "ada") == Recorded("ada", 5.0, 1)
    assert returned == []
    gate.release()
    writer.join(timeout=5)
    assert returned == [Recorded("ada", 5.0, 1)]


def test_clearing_the_faults_releases_a_paused_call() -> None:
    index = FakeIndex()
    gate = index.faults.pause("forget")
    forgetting = threading.Thread(target=index.forget, args=(BOARD, KEY))
    forgetting.start()
    gate.wait_reached()
    index.faults.clear()
    forgetting.join(timeout=5)
    assert gate.released
    assert not forgetting.is_alive()


def test_a_gate_nobody_reaches_fails_the_wait() -> None:
    gate = FakeIndex().faults.pause("forget")
    with pytest.raises(AssertionError, match="no forget call reached its gate"):
        gate.wait_reached(timeout=0.01)


# --- the fake index's TTLs and losses -------------------------------------------------------------------------------


def test_the_fake_index_expires_a_set_by_its_clock() -> None:
    clock = Clock()
    index = FakeIndex(clock, ttl_s=60)
    index.put_score(BOARD, "ada", 1.0, KEY)
    assert index.expires_at(BOARD) == clock() + 60
    clock.advance(59)
    assert index.keep_alive(BOARD, KEY) is True
    clock.advance(60)
    assert index.members(BOARD) is None
    assert index.keep_alive(BOARD, KEY) is False


def test_a_lost_set_and_a_flushed_index() -> None:
    index = FakeIndex()
    for scope in (BOARD, DAY):
        index.put_score(scope, "ada", 1.0, KEY)
        index.mark_whole(scope, index.begin_rebuild(scope, KEY), KEY)
    index.lose(DAY)
    assert (index.is_whole(BOARD, KEY), index.is_whole(DAY, KEY)) == (True, False)
    index.flush_all()
    assert index.get_standing(BOARD, "ada", LATEST, KEY).value is None
    index.put_score(BOARD, "ada", 1.0, KEY)
    assert index.get_standing(BOARD, "ada", LATEST, KEY).value == Standing(1.0, 0)
    assert index.is_whole(BOARD, KEY) is False


def test_the_fake_index_refuses_an_int_score_as_the_momento_sdk_does() -> None:
    index = FakeIndex()
    with pytest.raises(TypeError, match="float"):
        index.put_score(BOARD, "ada", 1, KEY)
    assert index.members(BOARD) is None


def test_a_full_fake_set_is_a_full_board() -> None:
    index = FakeIndex(max_set_bytes=20)
    index.put_score(BOARD, "ada", 1.0, KEY)  # 3 bytes and 8 for the score
    with pytest.raises(BoardFull):
        index.put_score(BOARD, "bob", 1.0, KEY)


def test_the_fake_records_conditional_writes_are_atomic_across_threads() -> None:
    record = FakeRecord()
    increment = BoardSettings(update="increment")

    def add_ten() -> None:
        for _ in range(10):
            record.write_score(BOARD, "ada", 0.1, rules=increment, now_ms=0)

    writers = [threading.Thread(target=add_ten) for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=5)
    assert record.get_score(BOARD, "ada") == Recorded("ada", 8.0, 80)
