"""The record's change feed (Leaderboards.reindex): what it costs when every request finished its own work."""

from __future__ import annotations

from tests.unit.domain.support import KEY, World


def test_changes_their_own_requests_indexed_cost_one_look_per_set_and_no_write(world: World) -> None:
    for player, score in [("ada", 1), ("bob", 2), ("cyd", 3), ("ada", 4)]:
        world.submit("cup", player, score)
    changes = world.record.take_changes()
    world.reset_calls()
    assert world.boards.reindex(changes, KEY) == 0
    records, index = world.calls()
    assert index == {"is_whole": 1, "scores_of": 1}
    assert records == {"entry": 1, "get_score": 3}  # one read per changed player, however often it changed


def test_a_removed_generations_changes_cost_nothing_in_the_index(world: World) -> None:
    world.submit("cup", "ada", 1)
    world.remove_board("cup")
    changes = world.record.take_changes()
    world.reset_calls()
    assert world.boards.reindex(changes, KEY) == 0
    assert world.calls()[1] == {}
