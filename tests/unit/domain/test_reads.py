"""Reading a board: a page by rank, one player's standing, the named players (friends), the players around one; by
the board's order and ties; in the period asked for; ranked by the settings the board has now, even when another
instance changed them since this one last read."""

from __future__ import annotations

import pytest

from shared.domain.errors import InvalidInput, PlayerNotFound
from shared.domain.rules import BoardSettings, Entry, Standing
from tests.unit.domain.support import KEY, World, scope

SCORES = {"ada": 5.0, "bob": 5.0, "cyd": 7.0, "dee": 1.0, "eve": 5.0}


@pytest.fixture
def laps(world: World) -> World:
    for player, score in SCORES.items():
        world.submit("laps", player, score)
    return world


# --- order and ties -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "ties", "expected"),
    [
        # Higher first: ties run by the name's bytes descending, as the set orders them.
        ("desc", "distinct", [(0, "cyd"), (1, "eve"), (2, "bob"), (3, "ada"), (4, "dee")]),
        ("desc", "shared", [(0, "cyd"), (1, "eve"), (1, "bob"), (1, "ada"), (4, "dee")]),
        ("asc", "distinct", [(0, "dee"), (1, "ada"), (2, "bob"), (3, "eve"), (4, "cyd")]),
        ("asc", "shared", [(0, "dee"), (1, "ada"), (1, "bob"), (1, "eve"), (4, "cyd")]),
    ],
)
def test_a_page_ranks_by_the_boards_order_and_ties(
    laps: World, order: str, ties: str, expected: list[tuple[int, str]]
) -> None:
    laps.configure("laps", order=order, ties=ties)
    answer = laps.page("laps")
    assert [(e.rank, e.player) for e in answer.value.entries] == expected
    assert answer.value.total == 5
    assert (answer.settings.order, answer.settings.ties) == (order, ties)
    assert answer.period is None  # all time
    # Every read agrees with the page.
    for entry in answer.value.entries:
        assert laps.standing("laps", entry.player) == Standing(entry.score, entry.rank)
    friends = laps.friends("laps", "dee", "nobody", "cyd")
    assert [(e.rank, e.player) for e in friends.entries] == sorted(
        (rank, player) for rank, player in expected if player in ("dee", "cyd")
    )
    assert friends.total == 5


def test_a_page_is_the_ranks_asked_for(laps: World) -> None:
    answer = laps.page("laps", start=1, end=3)
    assert answer.value.entries == [Entry(1, "eve", 5.0), Entry(2, "bob", 5.0)]
    assert answer.value.total == 5
    assert laps.page("laps", start=5, end=10).value.entries == []


@pytest.mark.parametrize(
    ("player", "window"),
    [("cyd", ["cyd", "eve", "bob"]), ("bob", ["eve", "bob", "ada"]), ("dee", ["bob", "ada", "dee"])],
    ids=["first: shifted down", "middle: centred", "last: shifted up"],
)
def test_around_is_centred_on_the_player_and_shifted_inwards_at_either_end(
    laps: World, player: str, window: list[str]
) -> None:
    entries = laps.around("laps", player, 1)
    assert [e.player for e in entries] == window
    assert [e.rank for e in entries] == [laps.standing("laps", p).rank for p in window]


def test_around_with_shared_ties_gives_competition_ranks(laps: World) -> None:
    laps.configure("laps", ties="shared")
    assert laps.around("laps", "ada", 1) == [Entry(1, "bob", 5.0), Entry(1, "ada", 5.0), Entry(4, "dee", 1.0)]
    assert laps.around("laps", "cyd", 10) == laps.page("laps").value.entries  # the whole board, no more


def test_a_player_not_on_the_board_is_not_found(laps: World) -> None:
    with pytest.raises(PlayerNotFound, match="'zed' is not on leaderboard 'laps'"):
        laps.standing("laps", "zed")
    with pytest.raises(PlayerNotFound):
        laps.around("laps", "zed", 2)
    assert laps.friends("laps", "zed").entries == []


def test_a_board_nobody_wrote_to_is_empty_and_holds_no_one(world: World) -> None:
    answer = world.page("nothing")
    assert (answer.value.entries, answer.value.total, answer.settings) == ([], 0, BoardSettings())
    with pytest.raises(PlayerNotFound):
        world.standing("nothing", "ada")
    assert world.record.calls["claim_rebuild"] == 0  # nothing to rebuild from


def test_a_board_the_registry_does_not_know_is_answered_as_the_index_has_it(world: World) -> None:
    """A board from before durable boards (not yet backfilled) is not hidden, nor rebuilt from nothing."""
    world.index.put_score(scope("legacy"), "old-timer", 7.0, KEY)
    assert world.ranking("legacy") == [Entry(0, "old-timer", 7.0)]
    assert world.standing("legacy", "old-timer") == (7.0, 0)
    assert world.record.calls["claim_rebuild"] == 0


# --- which period -----------------------------------------------------------------------------------------------------


@pytest.fixture
def seasons(world: World) -> World:
    """A board of days and all time in Tokyo, scored on three days."""
    world.configure("cup", periods=["daily", "all"], time_zone="Asia/Tokyo")
    for day, player in [("2026-11-25", "ada"), ("2026-11-26", "bob"), ("2026-11-27", "cyd")]:
        world.set_time(f"{day}T12:00:00+09:00")
        world.submit("cup", player, 1)
    return world


@pytest.mark.parametrize(
    ("period", "players", "day"),
    [
        (None, ["cyd"], "2026-11-27"),  # the first listed kind's current period
        ("daily", ["cyd"], "2026-11-27"),
        ("daily:previous", ["bob"], "2026-11-26"),
        ("daily:2026-11-25", ["ada"], "2026-11-25"),
        ("all", ["cyd", "bob", "ada"], None),
    ],
)
def test_a_read_answers_the_period_asked_for_and_says_which(
    seasons: World, period: str | None, players: list[str], day: str | None
) -> None:
    answer = seasons.page("cup", period)
    assert [e.player for e in answer.value.entries] == players
    if day is None:
        assert answer.period is None
    else:
        assert answer.period is not None
        assert answer.period.as_json() == {
            "kind": "daily",
            "id": day,
            "start": f"{day}T00:00:00+09:00",
            "end": answer.period.end.isoformat(),
        }
        assert answer.period.end.isoformat().endswith("T00:00:00+09:00")


def test_a_period_nothing_was_scored_in_is_empty_without_a_rebuild(seasons: World) -> None:
    seasons.reset_calls()
    assert seasons.page("cup", "daily:2026-11-20").value.entries == []
    assert seasons.page("cup", "weekly").value.entries == []  # a kind the board does not even list
    assert seasons.record.calls["claim_rebuild"] == 0


def test_a_period_that_has_not_begun_is_refused(seasons: World) -> None:
    with pytest.raises(InvalidInput, match="has not begun"):
        seasons.page("cup", "daily:2026-11-28")


def test_a_period_id_that_names_no_period_is_refused(seasons: World) -> None:
    with pytest.raises(InvalidInput, match="names no daily period"):
        seasons.page("cup", "daily:2026-02-30")


# --- settings another instance changed ------------------------------------------------------------------------------


def test_a_read_learns_a_new_order_from_the_set_without_asking_the_record(laps: World) -> None:
    other = laps.instance()
    assert laps.ranking("laps", via=other)[0].player == "cyd"  # it saw the board higher first
    laps.configure("laps", order="asc")  # on this instance
    laps.reset_calls()
    assert laps.ranking("laps", via=other)[0].player == "dee"
    assert laps.record.calls == {}  # the set told it, in the read it made anyway...
    assert laps.index.calls == {"page_by_rank": 2}  # ...which it made again with the right order
    laps.reset_calls()
    laps.ranking("laps", via=other)
    assert laps.index.calls == {"page_by_rank": 1}  # and it remembers


def test_a_read_that_finds_other_periods_reads_the_boards_settings_and_the_period_they_mean(laps: World) -> None:
    other = laps.instance()
    laps.ranking("laps", via=other)
    laps.configure("laps", periods=["daily", "all"])
    laps.submit("laps", "fay", 3)
    answer = laps.page("laps", via=other)
    assert answer.period is not None
    assert answer.period.kind == "daily"
    assert [e.player for e in answer.value.entries] == ["fay"]


def test_a_past_periods_set_indexed_before_a_settings_change_is_read_by_the_new_settings(seasons: World) -> None:
    seasons.submit("cup", "dan", 5)  # today (the 27th): cyd 1, dan 5
    seasons.set_time("2026-11-28T01:00:00+09:00")  # the 27th's set is still in the index (its TTL: a day)
    seasons.configure("cup", order="asc")  # puts the new settings into the current sets only
    seasons.reset_calls()
    # The 27th's set is whole but holds the old settings: given the record's, and read again; not rebuilt.
    assert [e.player for e in seasons.ranking("cup", "daily:previous")] == ["cyd", "dan"]
    assert seasons.record.calls["claim_rebuild"] == 0
    assert seasons.index.calls["put_settings"] == 1
    seasons.reset_calls()
    assert [e.player for e in seasons.ranking("cup", "daily:2026-11-27")] == ["cyd", "dan"]
    assert seasons.index.calls["put_settings"] == 0
