"""Store calls per route, in the common case: each store call is a round trip (a DynamoDB request, a Momento call),
the largest part of a request's time. The counts below are today's, measured on the fakes and written down as the
truth: a change that adds a round trip to a route fails here, and must change the number on purpose.

The common case is a warm instance (it read or wrote the board within SETTINGS_CACHE_S, so it knows its settings) on
a board whose sets are whole, its registry noted within the hour.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.unit.domain.support import World

Counts = dict[str, int]


def warm(world: World, board: str = "cup", **settings: str | list[str]) -> World:
    """A board of three players, written and read by this instance (so it knows the board's settings)."""
    if settings:
        world.configure(board, **settings)
    for player, score in {"ada": 3.0, "bob": 2.0, "cyd": 1.0}.items():
        world.submit(board, player, score)
    world.page(board)
    if settings.get("periods"):
        world.page(board, "all")
    return world


def yesterday(world: World) -> World:
    """A board of days scored yesterday evening, read this morning (yesterday's set still in the index)."""
    world.set_time("2026-05-28T20:00:00Z")
    warm(world, periods=["daily", "all"])
    world.set_time("2026-05-29T02:00:00Z")
    return world


ROUTES: dict[str, tuple[Callable[[World], object], Callable[[World], object], Counts, Counts]] = {
    # route: (the board before, the request, record calls, index calls)
    "submit, all time": (
        warm,
        lambda w: w.submit("cup", "ada", 4),
        # the score's write (the board's settings and generation: as this instance last read them); no read-back:
        # the put waits for the previous write's put, known landed here, and lands by its own deadline
        {"write_score": 1},
        # the put; whether the set is whole (beside the put, on its own thread)
        {"put_score": 1, "is_whole": 1},
    ),
    "submit, a new player": (
        warm,
        lambda w: w.submit("cup", "dee", 4),
        {"write_score": 1},
        {"put_score": 1, "is_whole": 1},
    ),
    "submit, a new board's first score": (
        lambda w: w,
        lambda w: w.submit("new", "ada", 1),
        # ...and its registration, and the rebuild of its set (one player) that makes it whole (which looks at the
        # set once more after its claim: another may have made it whole meanwhile), adopting first what the set
        # holds (a board from before the record would hold players the record lacks; this one, its first player)
        {
            "entry": 4,
            "write_score": 1,
            "touch": 1,
            "claim_rebuild": 1,
            # adoption's look at what the record holds already (its one player: nothing to copy), the read of the
            # record the rebuild ranks, its check of the batch it put, and its last look for what changed meanwhile
            "scores": 3,
            "scores_of": 1,
            # at its start (a request that comes next resumes it), after its one batch, and just before the mark
            "save_rebuild_progress": 3,
            "end_rebuild": 1,
        },
        {
            "put_score": 1,
            "is_whole": 3,  # the write's, the rebuild's at its claim, and its check after the mark
            "page_by_rank": 1,
            "forget": 1,
            "begin_rebuild": 1,
            "put_scores": 1,
            "put_settings": 1,
            "mark_whole": 1,
        },
    ),
    "submit, daily and all time": (
        lambda w: warm(w, periods=["daily", "all"]),
        lambda w: w.submit("cup", "ada", 4),
        # one write per period
        {"write_score": 2},
        {"put_score": 2, "is_whole": 2},
    ),
    "submit, increment in daily and all time": (
        lambda w: warm(w, periods=["daily", "all"], update="increment"),
        lambda w: w.submit("cup", "ada", 4),
        # one transaction for both periods; no value comes back, so the totals are read back and put
        {"add_to_totals": 1, "read_back": 1},
        {"put_score": 2, "is_whole": 2},
    ),
    "standing": (warm, lambda w: w.standing("cup", "bob"), {}, {"get_standing": 1}),
    "page": (warm, lambda w: w.page("cup"), {}, {"page_by_rank": 1}),
    "friends": (warm, lambda w: w.friends("cup", "ada", "cyd"), {}, {"friends": 1}),
    "around": (warm, lambda w: w.around("cup", "bob", 1), {}, {"around": 1}),
    "page, a cold instance on a default board": (
        warm,
        lambda w: w.page("cup", via=w.instance()),
        {},
        {"page_by_rank": 1},
    ),
    "page, a cold instance on a board ranked lowest first": (
        lambda w: warm(w, order="asc"),
        lambda w: w.page("cup", via=w.instance()),
        {},
        # read with the defaults; the set's settings say otherwise: read again with them
        {"page_by_rank": 2},
    ),
    "page, yesterday": (
        yesterday,
        lambda w: w.page("cup", "daily:previous"),
        # the board's settings (a past period's set may hold older ones), and the period's registry item (none:
        # nothing was scored in it, and there is nothing to rebuild)
        {"entry": 2},
        {"page_by_rank": 1},
    ),
    "settings change": (
        warm,
        lambda w: w.configure("cup", order="asc"),
        # the settings before (which sets they reached), the change, its read-back
        {"entry": 2, "update_settings": 1},
        {"put_settings": 1},
    ),
    "remove a player": (
        warm,
        lambda w: w.remove_player("cup", "bob"),
        # the generation, the periods, the deletes (each answers the deleted write's put deadline); the read-back
        {"entry": 1, "periods_of": 1, "remove_score": 1, "get_score": 1},
        {"remove_players": 1},
    ),
    "remove a board": (
        warm,
        lambda w: w.remove_board("cup"),
        {"remove_board": 1, "periods_of": 1, "purge": 1},
        {"forget": 1},
    ),
    "keep-alive, one board": (
        warm,
        lambda w: w.keep_alive(),
        {"boards": 1},
        {"keep_alive": 1, "is_whole": 1},
    ),
}


@pytest.mark.parametrize("route", ROUTES)
def test_the_store_calls_of_a_route_in_the_common_case(world: World, route: str) -> None:
    before, request, record_calls, index_calls = ROUTES[route]
    before(world)
    world.reset_calls()
    request(world)
    assert world.calls() == (record_calls, index_calls)
