"""Board settings and what they change, over both transports: update rules (latest, best, increment), order, shared
ranks, around-me, friends, removal. Admin calls are signed (or carry the admin key) as the stage requires."""

from __future__ import annotations

import pytest

from tests.support.api_client import JOSE, ApiClient, ApiResponse, assert_error

DEFAULTS = {"order": "desc", "update": "latest", "ties": "distinct", "periods": ["all"], "timeZone": "UTC"}
MAX = 2**53


def ranked(response: ApiResponse) -> list[tuple[int, str, float]]:
    assert response.status == 200, response.text
    return [(e["rank"], e["name"], e["score"]) for e in response.json()["leaderboard"]]


def fill(api: ApiClient, board: str, scores: dict[str, float]) -> None:
    for name, score in scores.items():
        assert api.submit(board, name, {"score": score}).status == 202


def configure(api: ApiClient, board: str, **settings: str) -> dict[str, str]:
    response = api.settings(board, settings)
    assert response.status == 200, response.text
    body = response.json()
    assert body["leaderboard"] == board
    return dict(body["settings"])


def test_settings_start_as_v1s_and_a_change_keeps_the_fields_left_out(api: ApiClient, board: str) -> None:
    assert api.page(board).json()["settings"] == DEFAULTS
    assert configure(api, board, order="asc") == {**DEFAULTS, "order": "asc"}
    assert configure(api, board, ties="shared") == {**DEFAULTS, "order": "asc", "ties": "shared"}
    assert configure(api, board) == {**DEFAULTS, "order": "asc", "ties": "shared"}  # {}: read them
    assert api.page(board).json()["settings"] == {**DEFAULTS, "order": "asc", "ties": "shared"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"colour": "red"}, ["Unknown setting", "colour"]),
        ({"order": "sideways"}, ['"order"', "desc, asc", "sideways"]),
        ({"update": "max"}, ['"update"', "latest, best, increment"]),
        ({"ties": 1}, ['"ties"', "distinct, shared"]),
        ([1, 2], ["JSON object"]),
    ],
)
def test_a_setting_that_does_not_exist_is_refused_by_name(
    api: ApiClient, board: str, body: object, words: list[str]
) -> None:
    assert_error(api.settings(board, body), 400, *words)
    assert api.page(board).json()["settings"] == DEFAULTS


def test_best_keeps_the_higher_score_and_says_which_is_kept(api: ApiClient, board: str) -> None:
    configure(api, board, update="best")
    kept = [api.submit(board, "ada", {"score": s}).json()["scoreOnBoard"] for s in (10, 5, 20, 19.5)]
    assert kept == [10, 10, 20, 20]
    assert api.standing(board, "ada").json() == {"score": 20, "rank": 0}


def test_best_on_a_lower_is_better_board_keeps_the_lowest(api: ApiClient, board: str) -> None:
    configure(api, board, update="best", order="asc")
    kept = [api.submit(board, "lap", {"score": s}).json()["scoreOnBoard"] for s in (61.5, 63, 59.25, -1e-300)]
    assert kept == [61.5, 61.5, 59.25, -1e-300]


def test_increment_adds_to_the_total_and_refuses_to_pass_two_to_the_53(api: ApiClient, board: str) -> None:
    configure(api, board, update="increment")
    totals = [api.submit(board, "ada", {"score": s}).json()["scoreOnBoard"] for s in (5, -2, 10.5, 0.1, 0.2)]
    assert totals == [5, 3, 13.5, 13.6, 13.8]  # exact decimal sums, not 13.600000000000001
    assert api.submit(board, "big", {"score": MAX}).json()["scoreOnBoard"] == MAX
    assert_error(api.submit(board, "big", {"score": 1}), 400, "2^53", "nothing changed")
    assert api.submit(board, "big", {"score": -MAX}).json()["scoreOnBoard"] == 0
    assert_error(api.submit(board, "ada", {"score": 1e-13}), 400, "12 digits after the decimal point")
    assert api.standing(board, "ada").json()["score"] == 13.8


def test_an_increment_is_added_exactly_as_its_body_writes_it(api: ApiClient, board: str) -> None:
    """More significant digits than a double holds (19 here): read from the body's text, not rounded first."""
    configure(api, board, update="increment")
    assert api.submit(board, "ada", '{"score": 1000000.000000000001}', raw=True).status == 202
    assert api.submit(board, "ada", {"score": -1_000_000}).json()["scoreOnBoard"] == 1e-12  # was 0
    assert api.standing(board, "ada").json()["score"] == 1e-12


def test_a_body_that_gives_a_key_twice_is_refused(api: ApiClient, board: str) -> None:
    assert_error(api.submit(board, "ada", '{"score": 1, "score": 2}', raw=True), 400, "'score' more than once")


def test_a_change_to_increment_continues_from_the_current_score(api: ApiClient, board: str) -> None:
    fill(api, board, {"ada": 40})
    configure(api, board, update="increment")
    assert api.submit(board, "ada", {"score": 2}).json()["scoreOnBoard"] == 42


def test_a_lower_is_better_board_reads_lowest_first_and_a_switch_flips_the_ranks(api: ApiClient, board: str) -> None:
    fill(api, board, {"slow": 90.5, "fast": 58.2, "mid": 61})
    configure(api, board, order="asc")
    assert ranked(api.page(board)) == [(0, "fast", 58.2), (1, "mid", 61), (2, "slow", 90.5)]
    assert ranked(api.page(board, {"startRank": "1", "endRank": "2"})) == [(1, "mid", 61)]
    assert api.standing(board, "slow").json() == {"score": 90.5, "rank": 2}
    configure(api, board, order="desc")
    assert ranked(api.page(board)) == [(0, "slow", 90.5), (1, "mid", 61), (2, "fast", 58.2)]
    assert api.standing(board, "slow").json() == {"score": 90.5, "rank": 0}


def test_shared_ranks_are_competition_ranks_on_every_read(api: ApiClient, board: str) -> None:
    fill(api, board, {"a": 100, "b": 90, "c": 90, "d": 90, "e": 80})
    configure(api, board, ties="shared")
    assert [r for r, _, _ in ranked(api.page(board))] == [0, 1, 1, 1, 4]
    # A tie that spans two pages has the same rank on both.
    assert ranked(api.page(board, {"startRank": "0", "endRank": "2"})) == [(0, "a", 100), (1, "d", 90)]
    assert [r for r, _, _ in ranked(api.page(board, {"startRank": "2", "endRank": "5"}))] == [1, 1, 4]
    assert api.standing(board, "b").json() == {"score": 90, "rank": 1}
    assert [r for r, _, _ in ranked(api.around(board, "e", {"count": "1"}))] == [1, 1, 4]
    friends = api.page(board, [("name", "e"), ("name", "b"), ("name", "c")])
    assert ranked(friends) == [(1, "c", 90), (1, "b", 90), (4, "e", 80)]


def test_a_tie_longer_than_a_page_shares_its_rank_far_down(api: ApiClient, board: str) -> None:
    fill(api, board, {"top": 100, **{f"tied-{i:02d}": 50 for i in range(30)}, "last": 10})
    configure(api, board, ties="shared")
    assert [r for r, _, _ in ranked(api.page(board, {"startRank": "25", "endRank": "32"}))] == [1] * 6 + [31]
    assert [r for r, _, _ in ranked(api.around(board, "last", {"count": "2"}))] == [1, 1, 1, 1, 31]
    assert api.standing(board, "tied-00").json() == {"score": 50, "rank": 1}


def test_shared_ranks_on_a_lower_is_better_board(api: ApiClient, board: str) -> None:
    fill(api, board, {"a": 1, "b": 2, "c": 2, "d": 3})
    configure(api, board, ties="shared", order="asc")
    assert [r for r, _, _ in ranked(api.page(board))] == [0, 1, 1, 3]
    assert [r for r, _, _ in ranked(api.page(board, {"startRank": "2"}))] == [1, 3]
    assert api.standing(board, "d").json() == {"score": 3, "rank": 3}


def test_around_me_holds_the_player_and_n_each_side_shifted_at_the_ends(api: ApiClient, board: str) -> None:
    fill(api, board, {f"p{i:02d}": 100 - i for i in range(12)})  # p00 ranks 0 ... p11 ranks 11
    assert ranked(api.around(board, "p05", {"count": "2"})) == [(r, f"p{r:02d}", 100 - r) for r in range(3, 8)]
    assert [r for r, _, _ in ranked(api.around(board, "p00", {"count": "2"}))] == [0, 1, 2, 3, 4]
    assert [r for r, _, _ in ranked(api.around(board, "p11", {"count": "2"}))] == [7, 8, 9, 10, 11]
    assert [r for r, _, _ in ranked(api.around(board, "p06"))] == list(range(1, 12))  # count defaults to 5
    assert len(ranked(api.around(board, "p06", {"count": "50"}))) == 12
    assert_error(api.around(board, "nobody"), 404, "nobody")


@pytest.mark.parametrize("count", ["0", "51", "-1", "two", "1.5"])
def test_around_me_refuses_a_count_outside_one_to_fifty(api: ApiClient, board: str, count: str) -> None:
    fill(api, board, {"ada": 1})
    assert_error(api.around(board, "ada", {"count": count}), 400, "count", "1 to 50")


def test_friends_are_the_named_players_on_the_board_by_rank(api: ApiClient, board: str) -> None:
    fill(api, board, {"ada": 30, JOSE: 20, "bob": 10, "eve": 5})
    names = [("name", "bob"), ("name", "nobody"), ("name", JOSE), ("name", "bob")]
    response = api.page(board, names)
    assert ranked(response) == [(1, JOSE, 20), (2, "bob", 10)]
    assert response.json()["total"] == 4


def test_friends_refuse_ranks_and_more_than_fifty_names(api: ApiClient, board: str) -> None:
    assert_error(api.page(board, [("name", "ada"), ("startRank", "0")]), 400, "startRank")
    assert_error(api.page(board, [("name", f"p{i}") for i in range(51)]), 400, "1-50")
    assert_error(api.page(board, [("name", " ada")]), 400, "space")


def test_a_removed_player_is_gone_from_every_read(api: ApiClient, board: str) -> None:
    fill(api, board, {"ada": 30, "cheat": 999, "bob": 10})
    assert api.remove_player(board, "cheat").status == 204
    assert_error(api.standing(board, "cheat"), 404, "cheat")
    page = api.page(board).json()
    assert (page["total"], [e["name"] for e in page["leaderboard"]]) == (2, ["ada", "bob"])
    assert ranked(api.page(board, [("name", "cheat"), ("name", "bob")])) == [(1, "bob", 10)]
    assert_error(api.around(board, "cheat"), 404)
    assert api.remove_player(board, "cheat").status == 204  # already gone


def test_a_removed_board_starts_again_from_nothing_with_the_default_settings(api: ApiClient, board: str) -> None:
    configure(api, board, order="asc", update="best")
    fill(api, board, {"ada": 30, "bob": 10})
    assert api.remove_board(board).status == 204
    assert api.page(board).json() == {"leaderboard": [], "total": 0, "settings": DEFAULTS}
    assert api.submit(board, "ada", {"score": 5}).json()["scoreOnBoard"] == 5
    assert ranked(api.page(board)) == [(0, "ada", 5)]
    assert api.remove_board(board).status == 204
    assert api.remove_board(board).status == 204  # already gone
