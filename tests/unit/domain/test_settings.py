"""Changing a board's settings: kept in the record, then put into every set a read may take (all time and the current
periods, by the old settings and the new), so every read after the answer ranks by them; two changes at once both
end in what the record holds."""

from __future__ import annotations

import threading

import pytest

from shared.domain.errors import StoreUnavailable
from shared.domain.ports import IndexedSettings
from shared.domain.rules import BoardSettings
from shared.domain.scope import Scope
from tests.support.fakes import Call
from tests.unit.domain.support import KEY, World, scope


def held_by(world: World, ranking: Scope) -> IndexedSettings | None:
    """The settings the ranking's set holds (None: none, or no set)."""
    return world.index.page_by_rank(ranking, 0, 1, BoardSettings(), KEY).rules


def test_a_change_answers_the_boards_settings_and_every_read_after_it_ranks_by_them(world: World) -> None:
    for player, score in {"ada": 1.0, "bob": 2.0, "cyd": 2.0}.items():
        world.submit("cup", player, score)
    assert [e.player for e in world.ranking("cup")] == ["cyd", "bob", "ada"]
    settings = world.configure("cup", order="asc", ties="shared")
    assert settings == BoardSettings(order="asc", ties="shared")
    assert [(e.rank, e.player) for e in world.ranking("cup")] == [(0, "ada"), (1, "bob"), (1, "cyd")]
    assert world.page("cup").settings == settings
    assert world.configure("cup", update="best") == settings._replace(update="best")  # the rest kept


def test_a_change_reaches_every_current_set(world: World) -> None:
    world.configure("cup", periods=["daily", "weekly", "monthly", "all"])
    world.submit("cup", "ada", 1)
    current = [scope("cup", p) for p in ("daily:2026-05-28", "weekly:2026-W22", "monthly:2026-05", None)]
    settings = world.configure("cup", order="asc")
    for ranking in current:
        assert held_by(world, ranking) == IndexedSettings.of_rules(settings), ranking


def test_a_new_time_zone_reaches_the_periods_current_by_the_old_zone_and_by_the_new(world: World) -> None:
    world.configure("cup", periods=["daily"])
    world.set_time("2026-05-28T20:00:00Z")  # the 28th in UTC, already the 29th in Tokyo
    world.reset_calls()
    settings = world.configure("cup", time_zone="Asia/Tokyo")
    put = {c.args[0] for c in world.index.history if c.method == "put_settings"}
    assert put == {scope("cup"), scope("cup", "daily:2026-05-28"), scope("cup", "daily:2026-05-29")}
    assert held_by(world, scope("cup", "daily:2026-05-29")) == IndexedSettings.of_rules(settings)


def test_a_kind_added_starts_empty_and_a_kind_removed_stops_but_stays_readable(world: World) -> None:
    world.set_time("2026-11-27T10:00:00Z")
    world.submit("cup", "ada", 1)
    world.configure("cup", periods=["all", "daily"])
    assert world.players("cup", "daily") == {}
    assert world.players("cup") == {"ada": 1}  # all time is still the first listed
    world.submit("cup", "bob", 2)
    assert world.players("cup", "daily") == {"bob": 2}
    world.configure("cup", periods=["all"])
    world.submit("cup", "cyd", 3)
    assert world.players("cup", "daily") == {"bob": 2}
    world.set_time("2026-11-29T10:00:00Z")
    assert world.players("cup", "daily:2026-11-27") == {"bob": 2}


def test_two_changes_at_once_both_end_in_what_the_record_holds(world: World) -> None:
    # A's change lands in the record, then B's, whole; A's put of its settings (older) lands last: its read-back
    # of the record finds B's too, and puts them.
    world.submit("cup", "ada", 1)

    def a_puts(call: Call) -> bool:
        settings: BoardSettings = call.args[1]
        return (settings.order, settings.ties) == ("asc", "distinct")

    gate = world.index.faults.pause("put_settings", when=a_puts)
    a = threading.Thread(target=lambda: world.configure("cup", order="asc"))
    a.start()
    gate.wait_reached()
    assert world.configure("cup", ties="shared") == BoardSettings(order="asc", ties="shared")
    gate.release()
    a.join(timeout=10)
    expected = BoardSettings(order="asc", ties="shared")
    entry = world.record.entry(scope("cup"))
    assert entry is not None
    assert entry.settings == expected
    assert held_by(world, scope("cup")) == IndexedSettings.of_rules(expected)
    assert world.page("cup", via=world.instance()).settings == expected


def test_a_change_that_never_settles_answers_503_with_the_record_changed(world: World) -> None:
    orders = iter(["asc", "desc"] * 20)

    def another_change_lands(_: Call) -> bool:
        world.record.update_settings("cup", {"order": next(orders)}, int(world.clock.now()))
        world.clock.advance(0.5)
        return False

    world.index.faults.fail_next("put_settings", StoreUnavailable("unused"), times=None, when=another_change_lands)
    with pytest.raises(StoreUnavailable, match="did not settle"):
        world.configure("cup", ties="shared")
    entry = world.record.entry(scope("cup"))
    assert entry is not None
    assert entry.settings.ties == "shared"


def test_a_change_registers_a_new_board(world: World) -> None:
    world.configure("fresh", order="asc")
    entry = world.record.entry(scope("fresh"))
    assert entry is not None
    assert entry.settings == BoardSettings(order="asc")
    assert [b.board for b in world.record.boards()] == ["fresh"]
