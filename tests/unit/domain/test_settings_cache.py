"""A write takes the board's settings and generation from the registry entry its instance read within
SETTINGS_CACHE_S, not from a read of its own: a change that decides how writes apply, and a board removal, answer
no sooner than that after the registry changed, and a score's item refuses a write made with older settings than its
last one (the epoch), which is then made again with the board's settings as they are."""

from __future__ import annotations

import pytest

from shared.domain.leaderboards import SETTINGS_CACHE_S
from shared.domain.rules import SettingsChange, Submission
from tests.unit.domain.support import KEY, Interleaved, World, scope


def test_a_write_of_a_warm_instance_reads_no_registry(world: World) -> None:
    world.submit("cup", "ada", 1)
    world.reset_calls()
    world.submit("cup", "ada", 2)
    assert "entry" not in world.calls()[0]


def test_a_write_after_the_entry_is_older_than_the_cache_reads_the_registry_again(world: World) -> None:
    world.submit("cup", "ada", 1)
    world.clock.advance(SETTINGS_CACHE_S)
    world.reset_calls()
    world.submit("cup", "ada", 2)
    assert world.calls()[0]["entry"] == 1


@pytest.mark.parametrize(
    ("change", "waits"),
    [
        ({"update": "best"}, True),
        ({"order": "asc"}, True),
        ({"periods": ("daily", "all")}, True),
        ({"ties": "shared"}, False),
    ],
)
def test_a_change_of_how_writes_apply_answers_once_no_instance_can_use_the_entry_before_it(
    world: World, change: dict[str, str | tuple[str, ...]], waits: bool
) -> None:
    world.submit("cup", "ada", 1)
    started = world.clock.now()
    world.boards.update_settings(SettingsChange("cup", change), KEY)
    assert world.clock.now() - started == (SETTINGS_CACHE_S if waits else 0)


def test_a_new_boards_first_settings_wait_only_when_they_decide_how_writes_apply(world: World) -> None:
    started = world.clock.now()
    world.configure("new", ties="shared")
    assert world.clock.now() == started
    world.configure("newer", update="best")
    assert world.clock.now() - started == SETTINGS_CACHE_S


def test_a_write_another_instance_starts_after_a_change_answered_applies_the_new_rule(world: World) -> None:
    writer = world.instance()
    world.submit("cup", "ada", 10, via=writer)  # the writer's instance now holds the board's entry: latest
    world.configure("cup", update="best")  # on another instance: answered after the writer's entry aged out
    world.submit("cup", "ada", 4, via=writer)
    assert world.record.players(scope("cup")) == {"ada": 10.0}
    assert world.players("cup") == {"ada": 10.0}


def test_a_removal_answers_once_no_instance_can_write_into_the_removed_generation(world: World) -> None:
    writer = world.instance()
    world.submit("cup", "ada", 10, via=writer)
    world.remove_board("cup")
    world.submit("cup", "bob", 4, via=writer)
    assert world.players("cup") == {"bob": 4.0}
    assert world.record.players(scope("cup", generation=1)) == {"bob": 4.0}


def test_a_write_made_with_old_settings_landing_after_one_made_with_new_is_made_again_by_the_new() -> None:
    """A writer that read `latest` is held before its write; the board becomes `best`, another writer lands 10 under
    it; the held write of 4 then lands: under the old rule it would replace 10. Its item refuses it (a later
    epoch), and it is made again as the board's rule is now: 10 is kept."""
    world = World()
    interleaved = Interleaved(world)
    held_instance = interleaved.instance()
    world.submit("cup", "ada", 1, via=held_instance)
    held = interleaved.start("held", lambda: held_instance.submit(Submission("cup", "ada", 4.0), KEY))
    interleaved.run_until(held, "write_score")
    world.configure("cup", update="best")
    world.submit("cup", "ada", 10)
    assert interleaved.finish(held) == 10.0  # its answer: the score the board kept
    assert world.record.players(scope("cup")) == {"ada": 10.0}
    assert world.players("cup") == {"ada": 10.0}
