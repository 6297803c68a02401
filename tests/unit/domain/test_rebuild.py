"""A set the index lost (a flush, an eviction, an expiry) is restored from the record best first, and a read answers
only from the part restored so far: the top of the board at once, a read past the restored part once the restore
reaches it; when it does not within the wait (3 s), the read answers BoardRebuilding (503) with the progress, and the
next one resumes where it stopped. The Rebuilder's own guarantees (a concurrent
write never overwritten by an older value, a lease another took over left alone) are held here too."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from shared.domain.errors import BoardRebuilding, StoreThrottled, StoreUnavailable
from shared.domain.leaderboards import POLL_S, WAIT_S, Answer, Leaderboards
from shared.domain.ports import BoardView
from shared.domain.rebuild import BACKOFF_S, LEASE_MS, Outcome, Rebuilder
from shared.domain.rules import BoardSettings, PageRequest, Submission
from tests.support.fakes import Call
from tests.unit.domain.support import KEY, TTL_S, Background, Interleaved, World, scope

WEEKLY = scope("weekly")
LOOKED_AT = ["player-000", "player-031", "player-059"]


def snapshot(world: World, board: str = "weekly") -> list[Any]:
    """What a client sees of the board: a page, a few standings, the players around one, the named ones."""
    return [
        world.page(board).value,
        [world.standing(board, p) for p in LOOKED_AT],
        world.around(board, "player-031", 3),
        world.friends(board, *LOOKED_AT),
    ]


def nth_call(n: int) -> Callable[[Call], bool]:
    """Matches the n-th call (1-based) of the method it is armed for."""
    made = [0]

    def matches(_: Call) -> bool:
        made[0] += 1
        return made[0] == n

    return matches


def on_call(n: int, then: Callable[[], None]) -> Callable[[Call], bool]:
    """Matches no call, but does `then` just before the n-th (1-based) call of the method does its work."""
    is_nth = nth_call(n)

    def matches(call: Call) -> bool:
        if is_nth(call):
            then()
        return False

    return matches


# --- a read after a loss answers as before ----------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [{}, {"order": "asc", "ties": "shared"}], ids=["default", "asc-shared"])
@pytest.mark.parametrize("loss", ["lose", "flush", "expire"])
def test_a_lost_set_is_rebuilt_before_a_read_answers_exactly_as_before(
    world: World, settings: dict[str, str], loss: str
) -> None:
    if settings:
        world.configure("weekly", **settings)
    world.fill("weekly", 60)
    before = snapshot(world)
    if loss == "lose":
        world.index.lose(WEEKLY)
    elif loss == "flush":
        world.index.flush_all()
    else:
        world.clock.advance(TTL_S)  # idle past the index's TTL
    assert world.index.members(WEEKLY) is None
    world.reset_calls()
    assert snapshot(world) == before
    assert world.record.calls["claim_rebuild"] == 1  # the first read rebuilt it; the rest read a whole set
    assert world.agree(WEEKLY)
    assert world.index.is_whole(WEEKLY, KEY)


def test_a_write_after_a_loss_brings_the_whole_board_back(world: World) -> None:
    world.fill("weekly", 30)
    world.index.flush_all()
    world.submit("weekly", "newcomer", 1000)
    assert world.agree(WEEKLY)
    assert world.index.is_whole(WEEKLY, KEY)
    world.reset_calls()
    page = world.page("weekly").value
    assert (page.total, page.entries[0].player) == (31, "newcomer")
    assert world.record.calls == {}  # whole already: the read needed no rebuild


def test_a_removed_player_stays_removed_after_the_index_loses_the_board(world: World) -> None:
    for name, score in {"ada": 3.0, "cheat": 999.0, "bob": 1.0}.items():
        world.submit("weekly", name, score)
    world.remove_player("weekly", "cheat")
    world.index.flush_all()
    assert [e.player for e in world.ranking("weekly")] == ["ada", "bob"]
    assert world.agree(WEEKLY)


# --- a rebuild that cannot finish in time -----------------------------------------------------------------------------


def test_a_read_of_the_top_answers_from_the_restored_part_while_a_read_past_it_waits_then_answers_503() -> None:
    world = World(rate=40)  # batches of 80 players at first, put 40 a second and faster: far from 400 in 3 s
    world.fill("weekly", 400)
    top, deep = world.page("weekly", end=10).value, world.page("weekly", start=380, end=390).value
    world.index.flush_all()
    started = world.clock.now()
    assert world.page("weekly", end=10).value == BoardView(top.entries, 400)  # exact, and the record's total
    assert world.clock.now() - started < WAIT_S  # its first batch, not the whole board
    assert not world.index.is_whole(WEEKLY, KEY)
    started = world.clock.now()
    with pytest.raises(BoardRebuilding, match=r"'weekly' is being restored: [0-9]+ of 400 players so far") as raised:
        world.page("weekly", start=380, end=390)
    assert WAIT_S - POLL_S <= world.clock.now() - started <= WAIT_S
    assert raised.value.total == 400
    assert raised.value.restored is not None
    assert 80 <= raised.value.restored < 400
    assert raised.value.eta_s is not None
    assert raised.value.eta_s > 0
    assert 0 < len(world.index.members(WEEKLY) or {}) < 400  # partly restored, and not served past that
    answers: list[BoardView | None] = []
    for _ in range(3):
        try:
            answers.append(world.page("weekly", start=380, end=390).value)
        except BoardRebuilding:
            answers.append(None)
    assert answers[-1] == deep, "the restore resumes where it stopped and finishes"
    assert world.agree(WEEKLY)


def test_the_restored_part_answers_standings_around_and_friends_within_it_and_only_those() -> None:
    world = World(rate=40)
    world.fill("weekly", 400)
    best = world.page("weekly", end=3).value.entries
    worst = world.page("weekly", start=397, end=400).value.entries
    expected = (
        world.standing("weekly", best[1].player),
        world.around("weekly", best[1].player, 1),
        world.friends("weekly", best[0].player, best[2].player),
    )
    world.index.flush_all()
    world.page("weekly", end=10)  # the top is restored
    assert (
        world.standing("weekly", best[1].player),
        world.around("weekly", best[1].player, 1),
        world.friends("weekly", best[0].player, best[2].player),
    ) == expected
    for read in (
        lambda: world.standing("weekly", worst[0].player),
        lambda: world.around("weekly", worst[0].player, 1),
        lambda: world.friends("weekly", best[0].player, worst[0].player),
    ):
        world.index.flush_all()  # each read past the top drives the restore for 3 s: from the start again
        world.page("weekly", end=10)
        with pytest.raises(BoardRebuilding):
            read()


def test_a_restore_part_done_when_the_boards_order_changes_starts_over_in_the_new_order() -> None:
    """Found by the board model: a restore resumed after the order changed went on from where it was in the old
    order, skipped players, and marked the set whole without them."""
    world = World(rate=40)
    world.fill("weekly", 400)
    world.index.flush_all()
    world.page("weekly", end=10)  # the highest first are restored
    world.configure("weekly", order="asc")
    lowest = sorted(world.record.players(WEEKLY).items(), key=lambda item: (item[1], item[0].encode("utf-8")))[:10]
    assert [(e.player, e.score) for e in world.page("weekly", end=10).value.entries] == lowest
    for _ in range(10):
        if world.index.is_whole(WEEKLY, KEY):
            break
        world.keep_alive()
    assert world.agree(WEEKLY)


def test_a_partial_rebuild_whose_set_is_lost_again_starts_over_from_the_first_player() -> None:
    world = World(rate=40)
    world.fill("weekly", 400)
    expected = world.page("weekly", start=300, end=400).value
    world.index.flush_all()
    with pytest.raises(BoardRebuilding):
        world.page("weekly", start=300, end=400)
    entry = world.record.entry(WEEKLY)
    assert entry is not None
    assert entry.restore is not None  # where it would resume...
    assert entry.restore.restored > 0
    world.index.flush_all()  # ...but what it had put is gone
    for _ in range(10):
        try:
            assert world.page("weekly", start=300, end=400).value == expected
            break
        except BoardRebuilding:
            continue
    assert world.agree(WEEKLY)


def test_a_read_waits_for_another_instances_rebuild_then_answers_503_and_takes_over_once_its_lease_ends(
    world: World,
) -> None:
    world.fill("weekly", 40)
    expected = world.page("weekly").value
    world.index.flush_all()
    # Another instance took the lease and then crashed (its lease lasts LEASE_MS).
    assert world.record.claim_rebuild(WEEKLY, "crashed", world.clock.now_ms(), LEASE_MS) is not None
    started = world.clock.now()
    with pytest.raises(BoardRebuilding):
        world.page("weekly")
    assert world.clock.slept[-1] == POLL_S  # it polled for the other's mark
    assert world.clock.now() - started == pytest.approx(WAIT_S - POLL_S, abs=POLL_S)
    world.clock.advance(LEASE_MS / 1000)
    assert world.page("weekly").value == expected
    entry = world.record.entry(WEEKLY)
    assert entry is not None
    assert entry.rebuild_owner is None  # the lease is given up once the set is whole


def test_a_read_that_sees_another_instance_finish_answers_from_its_set(world: World) -> None:
    world.fill("weekly", 10)
    expected = world.page("weekly").value
    world.index.flush_all()
    other = Rebuilder(world.index, world.record, world.config, world.clock)
    assert world.record.claim_rebuild(WEEKLY, "other", world.clock.now_ms(), LEASE_MS) is not None

    def the_other_finishes(seconds: float) -> None:
        """While this instance waits for its poll, the other's lease ends and it rebuilds the set."""
        world.record.pause_rebuild(WEEKLY, "other")
        assert other.run(WEEKLY, KEY, world.clock.now() + 10) is Outcome.WHOLE
        world.clock.advance(seconds)

    waiting = Leaderboards(world.index, world.record, world.config, world.clock.sleeping_with(the_other_finishes))
    world.reset_calls()
    assert world.page("weekly", via=waiting).value == expected
    assert world.record.calls["claim_rebuild"] == 2  # its own try (busy), the other's; none after the mark


def test_the_index_failing_during_a_rebuild_answers_its_error_and_the_next_read_resumes() -> None:
    world = World(rate=0)  # unpaced: batches of 100, then 200
    world.fill("weekly", 250)
    expected = world.page("weekly", start=240, end=250).value
    world.index.flush_all()
    world.index.faults.fail_next("put_scores", StoreUnavailable("down"), when=nth_call(2))  # the second batch's
    with pytest.raises(StoreUnavailable):
        world.page("weekly", start=240, end=250)
    assert len(world.index.members(WEEKLY) or {}) == 100  # the first batch, and not served past it
    entry = world.record.entry(WEEKLY)
    assert entry is not None
    assert entry.restore is not None
    assert (entry.restore.restored, entry.rebuild_until_ms) == (100, 0)  # progress kept, lease given up
    world.reset_calls()
    assert world.page("weekly", start=240, end=250).value == expected
    assert world.index.calls["forget"] == 0  # resumed, not started over
    assert world.agree(WEEKLY)


def test_a_set_lost_again_right_after_its_rebuild_is_restored_again_within_the_wait(world: World) -> None:
    world.fill("weekly", 5)
    expected = world.page("weekly").value
    world.index.flush_all()
    world.reset_calls()
    # The read's first two looks find no whole set, so it rebuilds; just before its third, the set is lost again.
    world.index.faults.fail_next(
        "page_by_rank", StoreUnavailable("never raised"), when=on_call(3, lambda: world.index.lose(WEEKLY))
    )
    assert world.page("weekly").value == expected
    assert world.record.calls["end_rebuild"] == 2


# --- the Rebuilder's own guarantees ---------------------------------------------------------------------------------


@pytest.fixture
def rebuilder(world: World) -> Rebuilder:
    return Rebuilder(world.index, world.record, world.config, world.clock)


def run_held(
    world: World, rebuilder: Rebuilder, method: str, meanwhile: Callable[[], object], *, after_effect: bool = True
) -> Outcome:
    """Runs a rebuild of the weekly board on its own thread, holding its first `method` call while `meanwhile`
    happens; the outcome."""
    gate = world.index.faults.pause(method, after_effect=after_effect)
    outcome: list[Outcome] = []
    thread = threading.Thread(target=lambda: outcome.append(rebuilder.run(WEEKLY, KEY, world.clock.now() + 60)))
    thread.start()
    gate.wait_reached()
    meanwhile()
    gate.release()
    thread.join(timeout=10)
    assert outcome, "the rebuild did not finish"
    return outcome[0]


def lost_set(world: World, players: int = 10) -> None:
    world.fill("weekly", players)
    world.index.flush_all()


def test_a_write_landing_during_a_rebuild_is_never_overwritten_by_its_older_value(
    world: World, rebuilder: Rebuilder
) -> None:
    lost_set(world)

    def a_write_lands() -> None:  # its record write, after the rebuild read the page and put it
        world.record.write_score(WEEKLY, "player-004", 500.0, rules=BoardSettings(), now_ms=world.clock.now_ms())
        world.record.write_score(WEEKLY, "player-004b", 1.0, rules=BoardSettings(), now_ms=world.clock.now_ms())

    assert run_held(world, rebuilder, "put_scores", a_write_lands) is Outcome.WHOLE
    assert (world.index.members(WEEKLY) or {})["player-004"] == 500.0
    assert world.agree(WEEKLY)


def test_a_removal_during_a_rebuild_takes_the_player_out_of_the_set(world: World, rebuilder: Rebuilder) -> None:
    lost_set(world)
    assert run_held(
        world, rebuilder, "put_scores", lambda: world.record.remove_player_from([WEEKLY], "player-003")
    ) is (Outcome.WHOLE)
    assert "player-003" not in (world.index.members(WEEKLY) or {})
    assert world.agree(WEEKLY)


def test_a_set_lost_during_its_rebuild_is_rebuilt_again_from_the_first_player(
    world: World, rebuilder: Rebuilder
) -> None:
    lost_set(world)
    assert run_held(world, rebuilder, "put_scores", lambda: world.index.lose(WEEKLY)) is Outcome.WHOLE
    assert world.agree(WEEKLY)
    assert world.index.is_whole(WEEKLY, KEY)


def test_a_rebuild_whose_lease_another_took_over_leaves_the_mark_to_it(world: World, rebuilder: Rebuilder) -> None:
    """A rebuild stalled past its lease may find another rebuilding from an empty set when it resumes: it must
    not mark a set whole that the other is still filling (it renews its lease just before its mark)."""
    lost_set(world)
    world.index.deadline = None  # the instance stalls before it sends the call (frozen), not on the way
    gate = world.index.faults.pause("put_settings")
    outcome: list[Outcome] = []
    thread = threading.Thread(target=lambda: outcome.append(rebuilder.run(WEEKLY, KEY, world.clock.now() + 60)))
    thread.start()
    gate.wait_reached()
    world.clock.advance(LEASE_MS / 1000 + 1)
    assert world.record.claim_rebuild(WEEKLY, "another", world.clock.now_ms(), LEASE_MS) is not None
    gate.release()
    thread.join(timeout=10)
    assert outcome == [Outcome.BUSY]
    assert not world.index.is_whole(WEEKLY, KEY)


def test_a_rebuild_whose_lease_expired_between_pages_stops() -> None:
    world = World(rate=1)  # pages of 2 players: the lease is extended after each
    world.fill("weekly", 6)
    world.index.flush_all()
    rebuilder = Rebuilder(world.index, world.record, world.config, world.clock.sleeping_with(lambda _: None))

    def another_takes_over() -> None:  # this one stalled past its lease
        world.clock.advance(LEASE_MS / 1000 + 1)
        assert world.record.claim_rebuild(WEEKLY, "another", world.clock.now_ms(), LEASE_MS) is not None

    assert run_held(world, rebuilder, "put_scores", another_takes_over) is Outcome.BUSY
    entry = world.record.entry(WEEKLY)
    assert entry is not None
    assert entry.rebuild_owner == "another"  # left to it


def test_the_index_rate_limit_is_backed_off_and_the_rebuild_finishes(world: World, rebuilder: Rebuilder) -> None:
    lost_set(world)
    world.index.faults.fail_next("put_scores", StoreThrottled("slow down"), times=2)
    assert rebuilder.run(WEEKLY, KEY, world.clock.now() + 60) is Outcome.WHOLE
    assert world.clock.slept == list(BACKOFF_S[:2])
    assert world.agree(WEEKLY)


def test_a_rate_limit_that_outlasts_the_deadline_pauses_the_rebuild_with_its_progress(
    world: World, rebuilder: Rebuilder
) -> None:
    lost_set(world)
    world.index.faults.fail_always("put_scores", StoreThrottled("slow down"))
    assert rebuilder.run(WEEKLY, KEY, world.clock.now() + 1) is Outcome.PAUSED
    assert world.clock.slept == [BACKOFF_S[0], BACKOFF_S[1]]  # the next backoff would pass the deadline
    world.index.faults.clear()
    assert rebuilder.run(WEEKLY, KEY, world.clock.now() + 60) is Outcome.WHOLE


def test_a_rate_limit_through_every_backoff_pauses_the_rebuild(world: World, rebuilder: Rebuilder) -> None:
    lost_set(world)
    world.index.faults.fail_always("put_scores", StoreThrottled("slow down"))
    assert rebuilder.run(WEEKLY, KEY, world.clock.now() + 600) is Outcome.PAUSED
    assert world.clock.slept == list(BACKOFF_S)


def test_a_player_written_through_every_check_leaves_the_set_unmarked_for_the_next_run(
    world: World, rebuilder: Rebuilder
) -> None:
    lost_set(world)
    scores = iter(range(1000, 2000))

    def written_again(_: Call) -> bool:
        world.record.write_score(WEEKLY, "player-001", float(next(scores)), rules=BoardSettings(), now_ms=0)
        return False

    world.index.faults.fail_next("put_scores", StoreUnavailable("unused"), times=None, when=written_again)
    assert rebuilder.run(WEEKLY, KEY, world.clock.now() + 60) is Outcome.PAUSED
    assert not world.index.is_whole(WEEKLY, KEY)
    world.index.faults.clear()
    assert rebuilder.run(WEEKLY, KEY, world.clock.now() + 60) is Outcome.WHOLE
    assert world.agree(WEEKLY)


def test_a_deadline_already_past_pauses_before_any_put(world: World, rebuilder: Rebuilder) -> None:
    lost_set(world)
    world.reset_calls()
    assert rebuilder.run(WEEKLY, KEY, world.clock.now()) is Outcome.PAUSED
    assert world.index.calls["put_scores"] == 0


def test_a_settings_change_made_while_the_set_was_marked_is_put_after_the_mark(
    world: World, rebuilder: Rebuilder
) -> None:
    lost_set(world)

    def the_order_changes() -> None:
        world.record.update_settings("weekly", {"order": "asc"}, int(world.clock.now()))

    assert run_held(world, rebuilder, "mark_whole", the_order_changes, after_effect=False) is Outcome.WHOLE
    held = world.index.page_by_rank(WEEKLY, 0, 1, BoardSettings(order="asc"), KEY)
    assert held.whole
    assert held.rules is not None
    assert held.rules.of(BoardSettings(order="asc"))  # the set holds the settings the record has now


def test_a_write_to_a_board_whose_rebuild_outlasts_the_wait_is_still_accepted() -> None:
    world = World(rate=40)
    world.fill("weekly", 400)
    world.index.flush_all()
    assert world.submit("weekly", "newcomer", 1000) == 1000  # durable and indexed, whatever the rebuild did
    assert world.record.players(WEEKLY)["newcomer"] == (world.index.members(WEEKLY) or {})["newcomer"] == 1000
    assert not world.index.is_whole(WEEKLY, KEY)  # the rest follows on the next requests
    assert world.page("weekly", end=1).value.entries[0].player == "newcomer"  # the top: restored first
    with pytest.raises(BoardRebuilding):
        world.page("weekly", start=390, end=400)
    for _ in range(3):
        try:
            world.page("weekly", start=390, end=400)
            break
        except BoardRebuilding:
            continue
    assert world.agree(WEEKLY)


def test_a_set_lost_during_its_rebuild_and_refilled_by_a_removed_players_put_is_not_marked_whole(world: World) -> None:
    """Whole means both marks of one rebuild: a set lost after the rebuild's start mark, and brought back by a put
    of a player removed meanwhile, never looks whole, whatever its size."""
    world.submit("weekly", "ada", 1)
    interleaved = Interleaved(world)
    writer, reader = interleaved.instance(), interleaved.instance()
    write = interleaved.start("write x", lambda: writer.submit(Submission("weekly", "x", 5.0), KEY))
    interleaved.run_until(write, "put_score")  # x is in the record; its put is on its way
    world.remove_player("weekly", "x")  # x leaves the record (and the index, where x is not yet)
    world.index.flush_all()
    read = interleaved.start("read", lambda: reader.view(PageRequest("weekly", 0, 10), KEY))
    interleaved.run_until(read, "scores", nth=2)  # the rebuild put ada and reads the page again...
    world.index.flush_all()  # ...when the set is lost again
    interleaved.scheduler.step(write)  # and the put of x brings it back, with x alone
    answer = interleaved.finish(read)
    interleaved.finish(write)
    assert world.record.players(WEEKLY) == {"ada": 1.0}
    assert isinstance(answer, Answer)
    assert [e.player for e in answer.value.entries] == ["ada"]
    assert [e.player for e in world.page("weekly").value.entries] == ["ada"]


def test_a_rebuild_that_claims_the_lease_before_the_last_ones_mark_leaves_no_partial_set_marked_whole(
    world: World,
) -> None:
    world.fill("weekly", 10)
    world.index.flush_all()
    # A read on this instance rebuilds the set: held after giving its lease up, before its settings and mark.
    world.index.deadline = None  # the instance stalls before it sends the call (frozen), not on the way
    before_mark = world.index.faults.pause("put_settings")
    answers: list[BoardView] = []
    first = Background(lambda: answers.append(world.page("weekly").value))
    before_mark.wait_reached()
    # A read on another instance cannot take the lease (it is held through the mark): it waits, then answers 503.
    with pytest.raises(BoardRebuilding):
        world.page("weekly", via=world.instance())
    before_mark.release()
    first.join()
    world.keep_alive()
    assert world.record.count(WEEKLY) == 10
    assert answers[0].total == 10  # answered 0
    assert world.page("weekly").value.total == 10  # answers 0, from the set marked whole, kept alive
