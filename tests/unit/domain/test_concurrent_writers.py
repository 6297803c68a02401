"""Writers of one player at once: whatever order their record writes and index puts land in, the index ends with
the record's value. A writer puts only once the put of the write before its own has landed or never will (its
deadline, in the score's item); a put that cannot land before its own deadline is followed by a read-back. Pause
gates on the fakes' calls make each interleaving happen exactly, on two threads (a call a gate holds past Momento's
deadline never lands, as in Momento); free-running threads check the sums."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import pytest

from shared.domain.errors import StoreTimeout
from shared.domain.leaderboards import PUT_LEASE_S
from shared.domain.ports import Recorded
from tests.support.fakes import Call
from tests.unit.domain.support import Background, World, scope

CUP = scope("cup")


def of_score(score: float) -> Callable[[Call], bool]:
    """A fake call that carries this score (a write or a put of that writer's)."""
    return lambda call: score in call.args


@pytest.fixture
def race(world: World) -> World:
    """A board with ada on it (so the races below are of one player's updates on a whole set)."""
    world.submit("cup", "ada", 0)
    return world


def test_a_writer_held_after_its_record_write_puts_the_later_writers_value_in_the_end(race: World) -> None:
    # A's record write lands first; B writes record and index while A is held; A then puts its own (older) value,
    # reads the record back, finds B's, and puts that.
    gate = race.record.faults.pause("write_score", after_effect=True, when=of_score(1.0))
    a = Background(lambda: race.submit("cup", "ada", 1))
    gate.wait_reached()
    assert race.submit("cup", "ada", 2) == 2
    assert race.index.members(CUP) == {"ada": 2}
    gate.release()
    a.join()
    assert race.record.get_score(CUP, "ada") == Recorded("ada", 2.0, 3)
    assert race.index.members(CUP) == {"ada": 2}
    assert [c.args[2] for c in race.index.history if c.method == "put_score"][-2:] == [1.0, 2.0]  # stale, then fixed


def test_a_later_writer_puts_only_once_the_earlier_put_can_no_longer_land(race: World) -> None:
    # A's record write, then A's put held; B's write finds A's put still due, waits out its deadline, then puts. A's
    # put, let go after its deadline, never lands (A answers that the store timed out; its score is superseded).
    gate = race.index.faults.pause("put_score", when=of_score(1.0))
    a = Background(lambda: race.submit("cup", "ada", 1))
    gate.wait_reached()
    started = race.clock.now()
    assert race.submit("cup", "ada", 2) == 2
    assert race.clock.now() - started >= PUT_LEASE_S - 0.5  # it waited for A's put deadline
    gate.release()
    with pytest.raises(StoreTimeout):
        a.join()
    assert race.record.players(CUP) == race.index.members(CUP) == {"ada": 2}


def test_a_later_writer_on_the_same_instance_does_not_wait_for_a_put_it_saw_land(race: World) -> None:
    race.submit("cup", "ada", 1)
    started = race.clock.now()
    race.submit("cup", "ada", 2)
    assert race.clock.now() == started
    assert race.record.players(CUP) == race.index.members(CUP) == {"ada": 2}


def test_a_later_writer_on_another_instance_waits_for_the_earlier_puts_deadline(race: World) -> None:
    race.submit("cup", "ada", 1)
    started = race.clock.now()
    race.submit("cup", "ada", 2, via=race.instance())
    assert race.clock.now() - started >= PUT_LEASE_S - 0.5
    assert race.record.players(CUP) == race.index.members(CUP) == {"ada": 2}


def test_two_writers_both_held_before_their_puts_end_with_the_later_record_write(race: World) -> None:
    # A's and then B's record writes land; B waits out A's put deadline before its own put, which is held too. A's,
    # let go past its deadline, never lands; B's, let go at once, does.
    held_a = race.index.faults.pause("put_score", when=of_score(1.0))
    a = Background(lambda: race.submit("cup", "ada", 1))
    held_a.wait_reached()
    held_b = race.index.faults.pause("put_score", when=of_score(2.0))
    b = Background(lambda: race.submit("cup", "ada", 2))
    held_b.wait_reached()
    held_a.release()
    with pytest.raises(StoreTimeout):
        a.join()
    assert race.index.members(CUP) == {"ada": 0}
    held_b.release()
    b.join()
    assert race.record.players(CUP) == race.index.members(CUP) == {"ada": 2}


def test_a_removal_while_a_writer_is_held_before_its_put_leaves_the_player_out_of_both(race: World) -> None:
    race.submit("cup", "bob", 5)
    gate = race.index.faults.pause("put_score", when=of_score(1.0))
    a = Background(lambda: race.submit("cup", "ada", 1))
    gate.wait_reached()
    race.remove_player("cup", "ada")  # waits out the held put's deadline before taking ada out of the index
    assert race.index.members(CUP) == {"bob": 5}
    gate.release()
    with pytest.raises(StoreTimeout):
        a.join()  # its put, past its deadline, never landed
    assert race.record.players(CUP) == race.index.members(CUP) == {"bob": 5}


def test_a_writer_landing_while_a_removal_is_held_before_the_index_is_put_back_by_the_removals_read_back(
    race: World,
) -> None:
    gate = race.index.faults.pause("remove_players")
    remover = Background(lambda: race.remove_player("cup", "ada"))
    gate.wait_reached()  # ada is out of the record, not yet out of the index
    assert race.submit("cup", "ada", 4) == 4  # a new first score: the record has her again
    gate.release()
    remover.join()  # it takes her out of the index, reads the record back, and puts her back
    assert race.record.players(CUP) == race.index.members(CUP) == {"ada": 4}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [({"update": "latest"}, None), ({"update": "best"}, max), ({"update": "increment"}, sum)],
    ids=["latest", "best", "increment"],
)
def test_free_running_writers_of_one_player_leave_index_and_record_equal(
    world: World, settings: dict[str, str], expected: Callable[[list[int]], int] | None
) -> None:
    world.configure("race", periods=["daily", "all"], **settings)
    world.submit("race", "ada", 0)  # the sets made whole first: the race is of the writes alone
    scores = [-7, 13, 2, 40, -1, 9, 25, 3]
    barrier = threading.Barrier(len(scores))

    def submit(score: int) -> None:
        barrier.wait()
        world.submit("race", "ada", score)

    writers = [Background(functools.partial(submit, s)) for s in scores]
    for writer in writers:
        writer.join()
    for ranking in (scope("race"), scope("race", "daily:2026-05-28")):
        assert world.agree(ranking), ranking
        if expected is not None:
            assert world.record.players(ranking) == {"ada": expected([0, *scores])}
