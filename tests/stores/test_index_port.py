"""The Index port's behaviour, held alike by FakeIndex and MomentoIndex on momento-local (see conftest.py)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

import pytest

from shared.domain.errors import BoardFull
from shared.domain.ports import BoardView, Indexed, IndexedSettings
from shared.domain.rules import BoardSettings, Entry, Standing
from shared.domain.scope import PeriodKey, Scope
from tests.stores.subjects import TTL_S, IndexUnderTest

BOARD = Scope("weekly")
DAY = Scope("weekly", PeriodKey("daily", "2026-05-28"))
HIGHER = BoardSettings()
LOWER = BoardSettings(order="asc")
SHARED = BoardSettings(ties="shared")
SHARED_LOWER = BoardSettings(order="asc", ties="shared")
SEASONAL = BoardSettings(periods=("daily", "all"), time_zone="Europe/Berlin")
WIDE_TILDE = "\uff5e"
# Names whose order is their UTF-8 bytes' (Momento orders ties by the value's bytes): not case-folded ("Z" < "a"),
# not a locale's ("z" < "é"), and not UTF-16's, which puts an emoji (a surrogate pair, 0xD83D...) before U+FF5E.
NAMES_IN_BYTE_ORDER = ["Z", "a", "z", "é", WIDE_TILDE, "😀"]


def put(ix: IndexUnderTest, scores: Mapping[str, float], scope: Scope = BOARD) -> None:
    """Puts the scores as doubles (the Momento SDK refuses an int score)."""
    ix.index.put_scores(scope, {player: float(score) for player, score in scores.items()}, ix.key)


def whole(ix: IndexUnderTest, scope: Scope = BOARD, rules: BoardSettings | None = None) -> None:
    """What a rebuild ends with: the settings (when given), then the mark."""
    if rules is not None:
        ix.index.put_settings(scope, rules, ix.key)
    ix.index.mark_whole(scope, ix.index.begin_rebuild(scope, ix.key), ix.key)


def size(ix: IndexUnderTest, scope: Scope = BOARD) -> int:
    """The set's players, as a page's total counts them (marks left out; 0 with no set)."""
    return page(ix, 0, 1, scope=scope).value.total


def page(
    ix: IndexUnderTest, start: int, end: int, rules: BoardSettings = HIGHER, scope: Scope = BOARD
) -> Indexed[BoardView]:
    return ix.index.page_by_rank(scope, start, end, rules, ix.key)


def ranked(ix: IndexUnderTest, start: int, end: int, rules: BoardSettings = HIGHER) -> list[tuple[int, str]]:
    return [(e.rank, e.player) for e in page(ix, start, end, rules).value.entries]


def standing(ix: IndexUnderTest, player: str, rules: BoardSettings = HIGHER, scope: Scope = BOARD) -> Standing | None:
    return ix.index.get_standing(scope, player, rules, ix.key).value


def around(ix: IndexUnderTest, player: str, each_side: int, rules: BoardSettings = HIGHER) -> list[tuple[int, str]]:
    found = ix.index.around(BOARD, player, each_side, rules, ix.key).value
    assert found is not None
    return [(e.rank, e.player) for e in found]


# --- writing and reading players ------------------------------------------------------------------------------------


def test_a_put_player_is_ranked_from_0_higher_first(ix: IndexUnderTest) -> None:
    ix.index.put_score(BOARD, "ada", 10.0, ix.key)
    ix.index.put_score(BOARD, "bob", 30.0, ix.key)
    ix.index.put_score(BOARD, "cy", 20.0, ix.key)
    assert standing(ix, "bob") == Standing(30.0, 0)
    assert standing(ix, "ada") == Standing(10.0, 2)
    assert standing(ix, "ada", LOWER) == Standing(10.0, 0)
    assert standing(ix, "nobody") is None
    ix.index.put_score(BOARD, "ada", 40.0, ix.key)  # replaces the earlier score
    assert standing(ix, "ada") == Standing(40.0, 0)
    assert size(ix, BOARD) == 3


@pytest.mark.parametrize("score", [1e-300, 0.1, -(2.0**53), 2.0**53, 123456789.12345679, 5e-324])
def test_a_score_reads_back_as_the_same_double(ix: IndexUnderTest, score: float) -> None:
    ix.index.put_score(BOARD, "ada", score, ix.key)
    assert standing(ix, "ada") == Standing(score, 0)
    assert page(ix, 0, 1).value.entries == [Entry(0, "ada", score)]


def test_a_page_is_the_players_ranked_start_to_end(ix: IndexUnderTest) -> None:
    put(ix, {f"p{i:02d}": i for i in range(30)})
    view = page(ix, 5, 8).value
    assert view == BoardView([Entry(5, "p24", 24), Entry(6, "p23", 23), Entry(7, "p22", 22)], 30)
    assert ranked(ix, 27, 40) == [(27, "p02"), (28, "p01"), (29, "p00")]
    assert ranked(ix, 0, 2, LOWER) == [(0, "p00"), (1, "p01")]
    assert page(ix, 30, 40).value == BoardView([], 30)


def test_ties_run_by_the_names_bytes_ascending_and_exactly_reversed_when_higher_ranks_first(ix: IndexUnderTest) -> None:
    put(ix, dict.fromkeys(NAMES_IN_BYTE_ORDER, 5.0) | {"top": 9, "bottom": 1})
    assert [p for _, p in ranked(ix, 0, 10, LOWER)] == ["bottom", *NAMES_IN_BYTE_ORDER, "top"]
    assert [p for _, p in ranked(ix, 0, 10)] == ["top", *reversed(NAMES_IN_BYTE_ORDER), "bottom"]
    assert standing(ix, "Z") == Standing(5.0, 6)
    assert standing(ix, "Z", LOWER) == Standing(5.0, 1)
    assert standing(ix, "😀") == Standing(5.0, 1)


def test_an_empty_batch_makes_no_set(ix: IndexUnderTest) -> None:
    put(ix, {})
    assert ix.index.keep_alive(BOARD, ix.key) is False


def test_put_scores_writes_a_batch_and_remove_players_takes_some_out(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1, "bob": 2, "cy": 3})
    ix.index.remove_players(BOARD, ["bob", "nobody"], ix.key)
    assert ranked(ix, 0, 10) == [(0, "cy"), (1, "ada")]
    assert size(ix, BOARD) == 2


# --- shared ranks ---------------------------------------------------------------------------------------------------


def test_shared_ranks_are_competition_ranks(ix: IndexUnderTest) -> None:
    put(ix, {"a": 10, "b": 8, "c": 8, "d": 8, "e": 5, "f": 5, "g": 1})
    assert [(e.rank, e.player) for e in page(ix, 0, 10, SHARED).value.entries] == [
        (0, "a"),
        (1, "d"),
        (1, "c"),
        (1, "b"),
        (4, "f"),
        (4, "e"),
        (6, "g"),
    ]
    assert standing(ix, "b", SHARED) == Standing(8.0, 1)
    assert standing(ix, "e", SHARED) == Standing(5.0, 4)
    assert standing(ix, "g", SHARED_LOWER) == Standing(1.0, 0)
    assert standing(ix, "b", SHARED_LOWER) == Standing(8.0, 3)
    assert ranked(ix, 0, 10, SHARED_LOWER) == [(0, "g"), (1, "e"), (1, "f"), (3, "b"), (3, "c"), (3, "d"), (6, "a")]


@pytest.mark.parametrize("marked", [False, True], ids=["unmarked", "whole"])
def test_a_tie_reaching_into_a_page_from_above_gives_the_page_its_rank(ix: IndexUnderTest, marked: bool) -> None:
    # A tie that starts a few places above the page, and one that starts more places above it than a page fetches
    # for context: both take the rank where the tie starts (with the marks first on a lower-first board, or not).
    put(ix, {"top1": 100, "top2": 99} | {f"t{i:02d}": 50 for i in range(40)} | {"low": 1})
    if marked:
        whole(ix, rules=SHARED)
    assert ranked(ix, 5, 8, SHARED) == [(2, "t36"), (2, "t35"), (2, "t34")]
    assert ranked(ix, 40, 43, SHARED) == [(2, "t01"), (2, "t00"), (42, "low")]
    assert ranked(ix, 1, 4, SHARED) == [(1, "top2"), (2, "t39"), (2, "t38")]
    if marked:
        whole(ix, rules=SHARED_LOWER)
    assert ranked(ix, 0, 3, SHARED_LOWER) == [(0, "low"), (1, "t00"), (1, "t01")]
    assert ranked(ix, 21, 24, SHARED_LOWER) == [(1, "t20"), (1, "t21"), (1, "t22")]
    assert ranked(ix, 40, 43, SHARED_LOWER) == [(1, "t39"), (41, "top2"), (42, "top1")]


def test_shared_ranks_around_a_player_and_among_friends(ix: IndexUnderTest) -> None:
    put(ix, {"a": 10} | {f"t{i:02d}": 8 for i in range(25)} | {"z": 1})
    assert around(ix, "t00", 1, SHARED) == [(1, "t01"), (1, "t00"), (26, "z")]
    friends = ix.index.friends(BOARD, ["z", "t05", "t04", "a", "nobody"], SHARED, ix.key).value
    assert [(e.rank, e.player) for e in friends.entries] == [(0, "a"), (1, "t05"), (1, "t04"), (26, "z")]
    assert friends.total == 27


# --- the marks ------------------------------------------------------------------------------------------------------


def test_a_set_is_whole_once_marked_and_its_marks_are_no_players(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1, "bob": 2})
    assert ix.index.is_whole(BOARD, ix.key) is False
    whole(ix, rules=HIGHER)
    assert ix.index.is_whole(BOARD, ix.key) is True
    assert size(ix, BOARD) == 2
    read = page(ix, 0, 10)
    assert (read.value, read.whole, read.rules) == (
        BoardView([Entry(0, "bob", 2), Entry(1, "ada", 1)], 2),
        True,
        IndexedSettings.of_rules(HIGHER),
    )


@pytest.mark.parametrize("rules", [HIGHER, LOWER, SHARED_LOWER], ids=["higher", "lower", "lower-shared"])
@pytest.mark.parametrize("marks", ["none", "settings", "both"])
def test_the_marks_move_no_players_rank_in_either_order(ix: IndexUnderTest, rules: BoardSettings, marks: str) -> None:
    # On a lower-first board the marks (scored below every player) take the set's first positions.
    scores = {f"p{i}": i for i in range(-2, 6)}
    put(ix, scores)
    if marks != "none":
        ix.index.put_settings(BOARD, rules, ix.key)
    if marks == "both":
        whole(ix)
    in_order = sorted(scores, key=scores.__getitem__, reverse=rules.order == "desc")
    expected = [(rank, player) for rank, player in enumerate(in_order)]
    assert ranked(ix, 0, 8, rules) == expected
    assert ranked(ix, 0, 1, rules) == expected[:1]
    assert ranked(ix, 6, 20, rules) == expected[6:]
    assert [standing(ix, p, rules) for p in in_order] == [Standing(scores[p], r) for r, p in enumerate(in_order)]
    assert around(ix, in_order[0], 1, rules) == expected[:3]
    assert around(ix, in_order[-1], 1, rules) == expected[-3:]
    assert around(ix, in_order[3], 2, rules) == expected[1:6]
    friends = ix.index.friends(BOARD, [in_order[-1], in_order[0]], rules, ix.key).value
    assert [(e.rank, e.player) for e in friends.entries] == [expected[0], expected[-1]]
    assert friends.total == page(ix, 0, 1, rules).value.total == size(ix, BOARD) == 8


def test_the_settings_a_set_holds_come_with_every_read(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1})
    for rules in (HIGHER, SHARED_LOWER, BoardSettings(update="increment"), SEASONAL):
        ix.index.put_settings(BOARD, rules, ix.key)
        expected = IndexedSettings.of_rules(rules)
        assert ix.index.get_standing(BOARD, "ada", rules, ix.key).rules == expected
        assert page(ix, 0, 1, rules).rules == expected
        assert ix.index.around(BOARD, "ada", 1, rules, ix.key).rules == expected
        assert ix.index.friends(BOARD, ["ada"], rules, ix.key).rules == expected
    assert ix.index.is_whole(BOARD, ix.key) is False  # the settings never make a set look whole


def test_a_read_with_other_settings_than_the_sets_answers_nothing_ranked(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1, "bob": 2})
    whole(ix, rules=LOWER)
    held = IndexedSettings.of_rules(LOWER)
    assert ix.index.get_standing(BOARD, "ada", HIGHER, ix.key) == Indexed(None, True, held)
    assert page(ix, 0, 10, HIGHER) == Indexed(BoardView([], 2), True, held)
    assert ix.index.around(BOARD, "ada", 1, HIGHER, ix.key) == Indexed(None, True, held)
    # Friends come with their scores in the same call: other ranking settings are applied at once...
    friends = ix.index.friends(BOARD, ["bob", "ada"], HIGHER, ix.key)
    assert friends == Indexed(BoardView([Entry(0, "ada", 1), Entry(1, "bob", 2)], 2), True, held)
    # ...other periods or time zone are not.
    assert ix.index.friends(BOARD, ["ada"], SEASONAL, ix.key) == Indexed(BoardView([], 2), True, held)


def test_a_set_without_settings_is_read_by_the_settings_given(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1, "bob": 2})
    assert page(ix, 0, 10, LOWER) == Indexed(BoardView([Entry(0, "ada", 1), Entry(1, "bob", 2)], 2), False, None)
    assert ix.index.get_standing(BOARD, "bob", SEASONAL, ix.key) == Indexed(Standing(2.0, 0), False, None)


def test_removing_every_player_leaves_a_marked_set(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1})
    whole(ix, rules=HIGHER)
    ix.index.remove_players(BOARD, ["ada"], ix.key)
    assert (ix.index.is_whole(BOARD, ix.key), size(ix, BOARD)) == (True, 0)
    assert page(ix, 0, 10) == Indexed(BoardView([], 0), True, IndexedSettings.of_rules(HIGHER))
    assert ix.index.keep_alive(BOARD, ix.key) is True


def test_removing_every_element_deletes_the_set(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1})
    ix.index.remove_players(BOARD, ["ada"], ix.key)
    assert ix.index.keep_alive(BOARD, ix.key) is False


# --- around and friends ---------------------------------------------------------------------------------------------


def test_around_centres_the_player_and_shifts_the_window_near_either_end(ix: IndexUnderTest) -> None:
    put(ix, {f"p{i}": i for i in range(10)})  # p9 ranks 0 ... p0 ranks 9
    assert around(ix, "p5", 2) == [(2, "p7"), (3, "p6"), (4, "p5"), (5, "p4"), (6, "p3")]
    assert around(ix, "p9", 2) == [(0, "p9"), (1, "p8"), (2, "p7"), (3, "p6"), (4, "p5")]
    assert around(ix, "p1", 2) == [(5, "p4"), (6, "p3"), (7, "p2"), (8, "p1"), (9, "p0")]
    assert around(ix, "p1", 0) == [(8, "p1")]
    assert len(around(ix, "p5", 50)) == 10
    assert around(ix, "p0", 1, LOWER) == [(0, "p0"), (1, "p1"), (2, "p2")]
    assert ix.index.around(BOARD, "nobody", 2, HIGHER, ix.key) == Indexed(None, False, None)


def test_friends_come_by_rank_without_those_not_on_the_board(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 5, "bob": 9, "cy": 5, "dee": 1})
    friends = ix.index.friends(BOARD, ["dee", "nobody", "cy", "bob", "ada"], HIGHER, ix.key).value
    assert friends == BoardView([Entry(0, "bob", 9), Entry(1, "cy", 5), Entry(2, "ada", 5), Entry(3, "dee", 1)], 4)
    assert ix.index.friends(BOARD, ["nobody"], HIGHER, ix.key).value == BoardView([], 4)


# --- missing, lost and forgotten sets -------------------------------------------------------------------------------


def test_every_read_of_a_set_that_does_not_exist(ix: IndexUnderTest) -> None:
    rules = SHARED
    assert ix.index.get_standing(BOARD, "ada", rules, ix.key) == Indexed(None, False, None)
    assert page(ix, 0, 10, rules) == Indexed(BoardView([], 0), False, None)
    assert ix.index.around(BOARD, "ada", 3, rules, ix.key) == Indexed(None, False, None)
    assert ix.index.friends(BOARD, ["ada"], rules, ix.key) == Indexed(BoardView([], 0), False, None)
    assert size(ix, BOARD) == 0
    assert ix.index.is_whole(BOARD, ix.key) is False
    assert ix.index.keep_alive(BOARD, ix.key) is False
    ix.index.remove_players(BOARD, ["ada"], ix.key)  # nothing to remove is no error
    ix.index.forget(BOARD, ix.key)
    assert size(ix, BOARD) == 0  # and neither made a set


def test_a_lost_set_written_again_holds_only_the_new_writes_and_no_marks(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1, "bob": 2})
    whole(ix, rules=LOWER)
    ix.lose(BOARD)
    ix.index.put_score(BOARD, "cy", 3.0, ix.key)
    assert page(ix, 0, 10, LOWER) == Indexed(BoardView([Entry(0, "cy", 3)], 1), False, None)


def test_forget_drops_the_set(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1})
    whole(ix, rules=HIGHER)
    ix.index.forget(BOARD, ix.key)
    assert page(ix, 0, 10) == Indexed(BoardView([], 0), False, None)
    assert ix.index.is_whole(BOARD, ix.key) is False


def test_every_scope_has_its_own_set_per_generation(ix: IndexUnderTest) -> None:
    """A write or a rebuild still in flight for a removed generation can reach only that generation's sets."""
    put(ix, {"ada": 1}, DAY)
    put(ix, {"bob": 2}, Scope("weekly", DAY.period, 1))
    put(ix, {"cy": 3}, Scope("weekly", None, 1))
    put(ix, {"dee": 4}, Scope("weekly", PeriodKey("weekly", "2026-W22")))
    put(ix, {"eve": 5}, BOARD)
    assert [e.player for e in page(ix, 0, 10, scope=DAY).value.entries] == ["ada"]
    assert [e.player for e in page(ix, 0, 10, scope=Scope("weekly", DAY.period, 1)).value.entries] == ["bob"]
    assert [e.player for e in page(ix, 0, 10, scope=Scope("weekly", None, 1)).value.entries] == ["cy"]
    assert [e.player for e in page(ix, 0, 10, scope=BOARD).value.entries] == ["eve"]
    ix.index.forget(Scope("weekly", None, 1), ix.key)
    assert size(ix, Scope("weekly", None, 1)) == 0
    assert size(ix, BOARD) == 1
    assert size(ix, DAY) == 1


def test_every_read_answers_the_token_of_the_rebuild_that_fills_the_set(ix: IndexUnderTest) -> None:
    """A read of a set being rebuilt learns, in the same calls, which rebuild's progress it may go by."""
    put(ix, {"ada": 1})
    assert page(ix, 0, 10).token is None  # no rebuild started this set
    token = ix.index.begin_rebuild(BOARD, ix.key)
    put(ix, {"bob": 2})
    rules = BoardSettings()
    reads = [
        page(ix, 0, 10),
        ix.index.get_standing(BOARD, "bob", rules, ix.key),
        ix.index.get_standing(BOARD, "nobody", rules, ix.key),
        ix.index.around(BOARD, "bob", 1, rules, ix.key),
        ix.index.friends(BOARD, ["bob"], rules, ix.key),
    ]
    assert [read.token for read in reads] == [token] * len(reads)
    assert not any(read.whole for read in reads)


def test_a_set_is_whole_only_with_both_marks_of_one_rebuild(ix: IndexUnderTest) -> None:
    """A set lost during its rebuild lost the start mark: the end mark alone, put into the set a write brought
    back, does not make it whole."""
    token = ix.index.begin_rebuild(BOARD, ix.key)
    assert ix.index.rebuild_token(BOARD, ix.key) == token
    put(ix, {"ada": 1})
    assert not ix.index.is_whole(BOARD, ix.key)
    ix.lose(BOARD)
    assert ix.index.rebuild_token(BOARD, ix.key) is None
    put(ix, {"bob": 2})  # a write brings the set back, with one player
    ix.index.mark_whole(BOARD, token, ix.key)
    assert not ix.index.is_whole(BOARD, ix.key)
    assert not page(ix, 0, 10).whole
    again = ix.index.begin_rebuild(BOARD, ix.key)
    assert again != token
    ix.index.mark_whole(BOARD, again, ix.key)
    assert ix.index.is_whole(BOARD, ix.key)
    assert page(ix, 0, 10).whole
    assert size(ix, BOARD) == 1  # the marks are not players


def test_a_set_an_earlier_version_marked_whole_stays_whole(ix: IndexUnderTest) -> None:
    """That version marked with one element, scored lowest of all: whole until the set's next rebuild."""
    put(ix, {"ada": 1, "\x00whole": -sys.float_info.max})
    assert ix.index.is_whole(BOARD, ix.key)
    assert [e.player for e in page(ix, 0, 10, BoardSettings(order="asc")).value.entries] == ["ada"]


# --- limits and TTLs ------------------------------------------------------------------------------------------------


def test_a_full_set_refuses_new_players_and_still_takes_the_others_scores(ix: IndexUnderTest) -> None:
    # Each element costs its name's bytes and 8 for its score: room for the marks and three 4-byte names.
    ix.limit_set_bytes(len("\x00whole") + len("\x00start") + len("\x00settings") + 3 * 8 + 3 * 12)
    put(ix, {"p001": 1, "p002": 2})
    whole(ix, rules=HIGHER)
    ix.index.put_score(BOARD, "p003", 3.0, ix.key)
    with pytest.raises(BoardFull, match="'weekly'"):
        ix.index.put_score(BOARD, "p004", 4.0, ix.key)
    with pytest.raises(BoardFull):
        put(ix, {"p001": 10, "p005": 5})  # refused whole: p001 keeps its score
    ix.index.put_score(BOARD, "p001", 7.0, ix.key)
    assert ranked(ix, 0, 10) == [(0, "p001"), (1, "p003"), (2, "p002")]


def test_a_full_periods_set_names_its_board_to_the_client(ix: IndexUnderTest) -> None:
    # BoardFull's message is the 507's body: it names the board the client wrote to, not the store's set name.
    ix.limit_set_bytes(64)
    with pytest.raises(BoardFull) as refused:
        ix.index.put_score(DAY, "a-longer-name-than-a-set-of-64-bytes-has-room-for-with-its-score", 1.0, ix.key)
    assert "Leaderboard 'weekly' is full" in refused.value.message


def test_a_set_expires_its_ttl_after_its_last_write(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1})
    ix.clock.advance(TTL_S - 10)
    ix.index.put_score(BOARD, "bob", 2.0, ix.key)  # a write refreshes the TTL
    ix.clock.advance(TTL_S - 10)
    assert size(ix, BOARD) == 2
    ix.clock.advance(10)
    assert size(ix, BOARD) == 0
    assert ix.index.keep_alive(BOARD, ix.key) is False


def test_keep_alive_raises_the_ttl_back_without_a_write(ix: IndexUnderTest) -> None:
    put(ix, {"ada": 1})
    whole(ix, rules=HIGHER)
    ix.clock.advance(TTL_S - 1)
    assert ix.index.keep_alive(BOARD, ix.key) is True
    ix.clock.advance(TTL_S - 1)
    assert ix.index.is_whole(BOARD, ix.key) is True
    assert ix.index.get_standing(BOARD, "ada", HIGHER, ix.key) == Indexed(
        Standing(1.0, 0), True, IndexedSettings.of_rules(HIGHER)
    )
    ix.clock.advance(1)
    assert ix.index.is_whole(BOARD, ix.key) is False


def test_a_set_that_does_not_exist_answers_no_standing_and_logs_nothing(
    ix: IndexUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    # A read of a board nobody wrote is an expected answer (404), not a failure worth a warning in the logs.
    with caplog.at_level(logging.DEBUG, logger="momentosdk"):
        assert ix.index.get_standing(Scope("no-such-board"), "ada", HIGHER, ix.key).value is None
        assert ix.index.around(Scope("no-such-board"), "ada", 2, HIGHER, ix.key).value is None
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
