"""The Record port's behaviour, held alike by FakeRecord and DynamoRecord on moto's DynamoDB (see conftest.py)."""

from __future__ import annotations

import pytest

from shared.domain.errors import InvalidInput, SettingsMoved
from shared.domain.ports import BoardEntry, PutLease, Record, Recorded, Restore
from shared.domain.rules import BoardSettings
from shared.domain.scope import PeriodKey, Scope
from tests.support.fakes import Clock

BOARD = Scope("weekly")
TODAY = PeriodKey("daily", "2026-05-28")
DAY = Scope("weekly", TODAY)
LATEST = BoardSettings()
BEST = BoardSettings(update="best")
BEST_LOWER = BoardSettings(order="asc", update="best")
INCREMENT = BoardSettings(update="increment")
NOW_MS = 1_779_926_400_000
NOW_S = NOW_MS // 1000
# Names whose order is their UTF-8 bytes' (DynamoDB's order of sort keys): not case-folded ("Z" < "a"), not a
# locale's ("z" < "é"), and not UTF-16's, which puts an emoji (a surrogate pair, 0xD83D...) before U+FF5E.
WIDE_TILDE = "\uff5e"
NAMES_IN_BYTE_ORDER = ["Z", "a", "z", "é", WIDE_TILDE, "😀"]
# A rebuild's progress: a token past DynamoDB's numbers' range, the last player restored with an exact double.
HALF = Restore(-(2.0**1000) * 1.25, 2, 4, (0.1 + 0.2, "mé"), 62.5, "asc", 41.75)


def registered(record: Record, scope: Scope) -> BoardEntry:
    entry = record.entry(scope)
    assert entry is not None, f"{scope} is not registered"
    return entry


def count(record: Record, scope: Scope) -> int:
    """The scope's players, read a page at a time."""
    total, after = 0, None
    while True:
        page, more = record.scores(scope, after, 1000)
        total += len(page)
        if not more or not page:
            return total
        after = page[-1].player


def write(record: Record, player: str, score: float, rules: BoardSettings = LATEST, scope: Scope = BOARD) -> Recorded:
    return record.write_score(scope, player, score, rules=rules, now_ms=NOW_MS)


# --- write_score by the update rule ---------------------------------------------------------------------------------


def test_latest_keeps_the_last_score_and_counts_each_write(record: Record) -> None:
    assert write(record, "ada", 10) == Recorded("ada", 10.0, 1)
    assert write(record, "ada", 3) == Recorded("ada", 3.0, 2)
    assert write(record, "ada", 3) == Recorded("ada", 3.0, 3)  # the same score again is a write too
    assert record.get_score(BOARD, "ada") == Recorded("ada", 3.0, 3)


@pytest.mark.parametrize("score", [1e-300, 0.1, -(2.0**53), 2.0**53, 123456789.12345679, -0.5, 5e-324])
def test_a_score_reads_back_as_the_same_double(record: Record, score: float) -> None:
    assert write(record, "ada", score).score == score
    assert record.get_score(BOARD, "ada") == Recorded("ada", score, 1)


def test_best_on_a_higher_first_board_keeps_the_higher_and_counts_only_what_it_wrote(record: Record) -> None:
    assert write(record, "ada", 10, BEST) == Recorded("ada", 10.0, 1)
    assert write(record, "ada", 7, BEST) == Recorded("ada", 10.0, 1)  # worse: the kept one, nothing written
    assert write(record, "ada", 10, BEST) == Recorded("ada", 10.0, 1)  # equal is not better
    assert write(record, "ada", 10.5, BEST) == Recorded("ada", 10.5, 2)
    assert record.get_score(BOARD, "ada") == Recorded("ada", 10.5, 2)


def test_best_on_a_lower_first_board_keeps_the_lower(record: Record) -> None:
    assert write(record, "ada", 10, BEST_LOWER) == Recorded("ada", 10.0, 1)
    assert write(record, "ada", 12, BEST_LOWER) == Recorded("ada", 10.0, 1)
    assert write(record, "ada", -3, BEST_LOWER) == Recorded("ada", -3.0, 2)
    assert write(record, "ada", -2.5, BEST_LOWER) == Recorded("ada", -3.0, 2)


def test_best_compares_doubles_beyond_a_decimal_total(record: Record) -> None:
    # Both round to the same 12-decimal total; only the doubles tell them apart.
    assert write(record, "ada", 1e-14, BEST).version == 1
    assert write(record, "ada", 2e-14, BEST) == Recorded("ada", 2e-14, 2)
    assert write(record, "ada", -1.0, BEST) == Recorded("ada", 2e-14, 2)
    assert write(record, "bob", -(2.0**53), BEST).score == -(2.0**53)
    assert write(record, "bob", -(2.0**52), BEST).score == -(2.0**52)


def test_increment_adds_exact_decimals(record: Record) -> None:
    assert write(record, "ada", 0.1, INCREMENT) == Recorded("ada", 0.1, 1)
    assert write(record, "ada", 0.2, INCREMENT) == Recorded("ada", 0.3, 2)  # not 0.30000000000000004
    assert write(record, "ada", -1.25, INCREMENT) == Recorded("ada", -0.95, 3)
    assert record.get_score(BOARD, "ada") == Recorded("ada", -0.95, 3)


def test_increment_stops_at_2_to_the_53_and_changes_nothing_past_it(record: Record) -> None:
    assert write(record, "ada", 2.0**53 - 1, INCREMENT).score == 2.0**53 - 1
    assert write(record, "ada", 1, INCREMENT) == Recorded("ada", 2.0**53, 2)  # exactly the bound is allowed
    with pytest.raises(InvalidInput, match="2\\^53"):
        write(record, "ada", 0.5, INCREMENT)
    assert record.get_score(BOARD, "ada") == Recorded("ada", 2.0**53, 2)
    # And below: the same bound in the negative.
    write(record, "bob", -(2.0**53), INCREMENT)
    with pytest.raises(InvalidInput):
        write(record, "bob", -1, INCREMENT)
    assert write(record, "bob", 3, INCREMENT) == Recorded("bob", -(2.0**53) + 3, 2)


def test_a_rule_change_to_increment_continues_from_the_score(record: Record) -> None:
    write(record, "ada", 10.25)
    assert write(record, "ada", 1, INCREMENT) == Recorded("ada", 11.25, 2)
    # And a best board after increments compares with the total.
    assert write(record, "ada", 11, BEST) == Recorded("ada", 11.25, 2)
    assert write(record, "ada", 12, BEST) == Recorded("ada", 12.0, 3)


def test_a_latest_score_at_2_to_the_53_takes_no_increment_past_it(record: Record) -> None:
    write(record, "ada", 2.0**53)
    with pytest.raises(InvalidInput):
        write(record, "ada", 1, INCREMENT)
    assert record.get_score(BOARD, "ada") == Recorded("ada", 2.0**53, 1)


def test_an_increment_sent_again_with_its_request_token_counts_once(record: Record) -> None:
    """What a resend by the SDK looks like to the table: the same request again after the first copy landed."""
    for _ in range(2):
        answer = record.write_score(BOARD, "ada", 5, rules=INCREMENT, now_ms=NOW_MS, request="first")
        assert answer == Recorded("ada", 5.0, 1)
    record.write_score(BOARD, "ada", 1, rules=INCREMENT, now_ms=NOW_MS, request="second")
    assert record.write_score(BOARD, "ada", 5, rules=INCREMENT, now_ms=NOW_MS, request="first").score == 6.0
    assert record.write_score(BOARD, "ada", 2, rules=INCREMENT, now_ms=NOW_MS).score == 8.0  # no token: counts


@pytest.mark.parametrize("apart_ms", [0, 450, 997], ids=["at-once", "over-4s", "over-9s"])
def test_a_copy_of_an_increment_counts_once_however_many_writes_landed_before_it(record: Record, apart_ms: int) -> None:
    """Eight writers of one player time out together and the SDK sends each again: every copy arrives after the
    other writes landed, up to the store's resend bound after its own start."""
    starts = [NOW_MS + apart_ms * writer for writer in range(10)]
    for writer, start in enumerate(starts):
        record.write_score(BOARD, "ada", 1 + writer, rules=INCREMENT, now_ms=start, request=f"writer-{writer}")
    for writer, start in enumerate(starts):
        record.write_score(BOARD, "ada", 1 + writer, rules=INCREMENT, now_ms=start, request=f"writer-{writer}")
    assert record.get_score(BOARD, "ada") == Recorded("ada", 55.0, 10)


def test_a_copy_of_a_transaction_counts_once_however_many_writes_landed_before_it(record: Record) -> None:
    scopes = [BOARD, DAY]
    for writer in range(10):
        record.add_to_totals(scopes, "ada", 1 + writer, NOW_MS + 997 * writer, request=f"writer-{writer}")
    for writer in range(10):
        record.add_to_totals(scopes, "ada", 1 + writer, NOW_MS + 997 * writer, request=f"writer-{writer}")
    assert record.get_scores(scopes, "ada") == [Recorded("ada", 55.0, 10)] * 2


def test_add_to_totals_sent_again_with_its_request_token_counts_once(record: Record) -> None:
    scopes = [BOARD, DAY]
    for _ in range(2):
        record.add_to_totals(scopes, "ada", 2.5, NOW_MS, request="first")
    assert record.get_scores(scopes, "ada") == [Recorded("ada", 2.5, 1)] * 2
    record.add_to_totals(scopes, "ada", 1, NOW_MS, request="second")
    assert record.get_scores(scopes, "ada") == [Recorded("ada", 3.5, 2)] * 2


def test_scores_of_reads_the_players_the_scope_holds_in_batches_of_a_hundred(record: Record) -> None:
    names = [f"player-{i:03d}" for i in range(250)]
    record.fill_board(BOARD, {name: float(i) for i, name in enumerate(names)}, NOW_MS)
    found = record.scores_of(BOARD, [*names, "nobody"])
    assert found == {name: Recorded(name, float(i), 1) for i, name in enumerate(names)}
    assert record.scores_of(DAY, names[:3]) == {}


# --- the settings epoch ---------------------------------------------------------------------------------------------


def test_a_change_of_a_setting_that_decides_how_writes_apply_starts_a_new_epoch(record: Record) -> None:
    assert record.update_settings("weekly", {"ties": "shared"}, NOW_S).epoch == 0  # ranks only
    assert record.update_settings("weekly", {"update": "best"}, NOW_S).epoch == 1
    assert record.update_settings("weekly", {"order": "asc", "ties": "distinct"}, NOW_S).epoch == 2
    assert record.update_settings("weekly", {"periods": ("daily", "all")}, NOW_S).epoch == 3
    assert record.update_settings("weekly", {"timeZone": "Europe/Berlin"}, NOW_S).epoch == 4
    assert record.update_settings("weekly", {}, NOW_S).epoch == 4
    record.remove_board("weekly", NOW_S)
    assert registered(record, BOARD).epoch == 4  # a new generation's items are new: no epoch of theirs to pass


@pytest.mark.parametrize("rules", [LATEST, BEST, INCREMENT], ids=["latest", "best", "increment"])
def test_a_write_made_with_an_earlier_epoch_than_its_items_last_changes_nothing(
    record: Record, rules: BoardSettings
) -> None:
    record.write_score(BOARD, "ada", 5, rules=rules, now_ms=NOW_MS, epoch=2)
    with pytest.raises(SettingsMoved):
        record.write_score(BOARD, "ada", 9, rules=rules, now_ms=NOW_MS, epoch=1)
    assert record.get_score(BOARD, "ada") == Recorded("ada", 5.0, 1)
    # The same epoch, or a later one, lands.
    assert record.write_score(BOARD, "ada", 9, rules=rules, now_ms=NOW_MS, epoch=2).version == 2
    assert record.write_score(BOARD, "ada", 12, rules=rules, now_ms=NOW_MS, epoch=3).version == 3


def test_a_best_write_not_better_with_an_earlier_epoch_is_refused_for_its_epoch(record: Record) -> None:
    record.write_score(BOARD, "ada", 5, rules=BEST, now_ms=NOW_MS, epoch=2)
    with pytest.raises(SettingsMoved):  # not "kept the better": its rules may be others than the board's now
        record.write_score(BOARD, "ada", 1, rules=BEST, now_ms=NOW_MS, epoch=1)
    assert record.write_score(BOARD, "ada", 1, rules=BEST, now_ms=NOW_MS, epoch=2) == Recorded("ada", 5.0, 1)


def test_add_to_totals_with_an_earlier_epoch_than_one_items_changes_no_scope(record: Record) -> None:
    scopes = [BOARD, DAY]
    record.write_score(DAY, "ada", 5, rules=INCREMENT, now_ms=NOW_MS, epoch=2)
    with pytest.raises(SettingsMoved):
        record.add_to_totals(scopes, "ada", 1, NOW_MS, request="late", epoch=1)
    assert record.get_scores(scopes, "ada") == [None, Recorded("ada", 5.0, 1)]
    record.add_to_totals(scopes, "ada", 1, NOW_MS, request="now", epoch=2)
    assert record.get_scores(scopes, "ada") == [Recorded("ada", 1.0, 1), Recorded("ada", 6.0, 2)]


# --- who wrote last, and by when their put lands ------------------------------------------------------------------


@pytest.mark.parametrize("rules", [LATEST, BEST, INCREMENT], ids=["latest", "best", "increment"])
def test_a_write_keeps_its_request_and_put_deadline_and_the_ones_before(record: Record, rules: BoardSettings) -> None:
    first = record.write_score(BOARD, "ada", 1, rules=rules, now_ms=NOW_MS, request="one", put_by_ms=NOW_MS + 10)
    assert first.lease == PutLease("one", NOW_MS + 10, None, 0)
    second = record.write_score(BOARD, "ada", 2, rules=rules, now_ms=NOW_MS, request="two", put_by_ms=NOW_MS + 20)
    assert second.lease == PutLease("two", NOW_MS + 20, "one", NOW_MS + 10)
    assert record.get_score(BOARD, "ada") == second
    assert record.get_score(BOARD, "ada").lease == second.lease  # type: ignore[union-attr]
    assert record.read_back([BOARD], "ada")[0][0].lease == second.lease  # type: ignore[union-attr]
    assert record.scores(BOARD, None, 10)[0][0].lease == second.lease


def test_a_best_write_that_keeps_the_better_answers_who_wrote_it(record: Record) -> None:
    record.write_score(BOARD, "ada", 5, rules=BEST, now_ms=NOW_MS, request="one", put_by_ms=NOW_MS + 10)
    kept = record.write_score(BOARD, "ada", 1, rules=BEST, now_ms=NOW_MS, request="two", put_by_ms=NOW_MS + 20)
    assert (kept.score, kept.lease) == (5.0, PutLease("one", NOW_MS + 10, None, 0))


def test_add_to_totals_keeps_its_request_and_put_deadline_in_every_scope(record: Record) -> None:
    scopes = [BOARD, DAY]
    record.write_score(DAY, "ada", 5, rules=INCREMENT, now_ms=NOW_MS, request="one", put_by_ms=NOW_MS + 10)
    record.add_to_totals(scopes, "ada", 1, NOW_MS, request="two", put_by_ms=NOW_MS + 20)
    leases = [found.lease for found in record.get_scores(scopes, "ada") if found is not None]
    assert leases == [PutLease("two", NOW_MS + 20, None, 0), PutLease("two", NOW_MS + 20, "one", NOW_MS + 10)]


def test_an_increment_counts_once_though_another_rules_write_came_between(record: Record) -> None:
    record.write_score(BOARD, "ada", 5, rules=INCREMENT, now_ms=NOW_MS, request="one")
    record.write_score(BOARD, "ada", 7, rules=LATEST, now_ms=NOW_MS, request="two")
    record.write_score(BOARD, "ada", 5, rules=INCREMENT, now_ms=NOW_MS, request="one")  # sent again: counted
    assert record.get_score(BOARD, "ada") == Recorded("ada", 7.0, 2)


def test_remove_score_answers_what_it_deleted_with_its_writers_lease(record: Record) -> None:
    record.write_score(BOARD, "ada", 5, rules=LATEST, now_ms=NOW_MS, request="one", put_by_ms=NOW_MS + 10)
    gone = record.remove_score(BOARD, "ada")
    assert gone == Recorded("ada", 5.0, 1)
    assert gone is not None
    assert gone.lease == PutLease("one", NOW_MS + 10, None, 0)
    assert record.get_score(BOARD, "ada") is None
    assert record.remove_score(BOARD, "ada") is None


# --- the other writes -----------------------------------------------------------------------------------------------


def test_add_to_totals_adds_to_every_scope_or_to_none(record: Record) -> None:
    scopes = [BOARD, DAY, Scope("weekly", PeriodKey("weekly", "2026-W22"))]
    record.add_to_totals(scopes, "ada", 2.5, NOW_MS)
    assert record.get_scores(scopes, "ada") == [Recorded("ada", 2.5, 1)] * 3
    write(record, "ada", 2.0**53 - 1, scope=DAY)
    with pytest.raises(InvalidInput):
        record.add_to_totals(scopes, "ada", 2, NOW_MS)
    # Nothing changed anywhere, the scopes that had room included.
    assert record.get_scores(scopes, "ada") == [
        Recorded("ada", 2.5, 1),
        Recorded("ada", 2.0**53 - 1, 2),
        Recorded("ada", 2.5, 1),
    ]
    record.add_to_totals(scopes, "ada", -1, NOW_MS)
    assert record.get_scores(scopes, "ada") == [
        Recorded("ada", 1.5, 2),
        Recorded("ada", 2.0**53 - 2, 3),
        Recorded("ada", 1.5, 2),
    ]


def test_add_score_writes_only_a_player_the_record_does_not_have(record: Record) -> None:
    assert record.add_score(BOARD, "ada", 5, NOW_MS) is True
    assert record.add_score(BOARD, "ada", 9, NOW_MS) is False
    write(record, "bob", 1)
    assert record.add_score(BOARD, "bob", 9, NOW_MS) is False
    # A copy says so until the player's next write (a removal meeting it knows it is older than itself).
    assert record.get_scores([BOARD], "ada") == [Recorded("ada", 5.0, 1, copied=True)]
    assert record.get_score(BOARD, "bob") == Recorded("bob", 1.0, 1)
    assert write(record, "ada", 6) == Recorded("ada", 6.0, 2)
    record.add_score(BOARD, "cy", 1, NOW_MS)
    assert record.write_score(BOARD, "cy", 2, rules=INCREMENT, now_ms=NOW_MS) == Recorded("cy", 3.0, 2)


def test_take_back_new_player_deletes_only_a_first_version(record: Record) -> None:
    write(record, "ada", 5)
    assert record.take_back_new_player(BOARD, "ada") is True
    assert record.get_score(BOARD, "ada") is None
    write(record, "bob", 5)
    write(record, "bob", 6)
    assert record.take_back_new_player(BOARD, "bob") is False
    assert record.get_score(BOARD, "bob") == Recorded("bob", 6.0, 2)
    assert record.take_back_new_player(BOARD, "nobody") is False


def test_fill_board_writes_every_player_as_a_first_version(record: Record) -> None:
    write(record, "ada", 1)
    write(record, "ada", 2)
    players = {f"p{i:03d}": float(i) for i in range(60)} | {"ada": 7.5}
    record.fill_board(BOARD, players, NOW_MS)
    assert count(record, BOARD) == 61
    assert record.get_score(BOARD, "ada") == Recorded("ada", 7.5, 1)
    assert record.get_score(BOARD, "p059") == Recorded("p059", 59.0, 1)


def test_get_scores_answers_in_the_order_asked_with_none_for_a_missing_one(record: Record) -> None:
    write(record, "ada", 1, scope=DAY)
    write(record, "ada", 2, scope=Scope("weekly", None, 1))
    scopes = [BOARD, DAY, Scope("weekly", None, 1), Scope("other")]
    assert record.get_scores(scopes, "ada") == [None, Recorded("ada", 1.0, 1), Recorded("ada", 2.0, 1), None]
    assert record.get_score(Scope("weekly", None, 1), "ada") == Recorded("ada", 2.0, 1)


def test_removing_a_player(record: Record) -> None:
    for scope in (BOARD, DAY, Scope("weekly", TODAY, 1)):
        write(record, "ada", 1, scope=scope)
        write(record, "bob", 1, scope=scope)
    # A scope without the player (a month nobody scored in) is no error.
    scopes = [BOARD, DAY, Scope("weekly", TODAY, 1), Scope("weekly", PeriodKey("monthly", "2026-05"))]
    record.remove_player_from(scopes, "ada")
    record.remove_player_from(scopes, "ada")
    assert record.get_scores([BOARD, DAY, Scope("weekly", TODAY, 1)], "ada") == [None, None, None]
    assert record.get_scores([BOARD, DAY, Scope("weekly", TODAY, 1)], "bob") == [Recorded("bob", 1.0, 1)] * 3


def test_each_scope_is_a_partition_of_its_own(record: Record) -> None:
    scopes = [
        BOARD,
        Scope("weekly", None, 1),
        DAY,
        Scope("weekly", TODAY, 1),
        Scope("weekly", PeriodKey("daily", "2026-05-29")),
        Scope("weekly2"),
    ]
    for number, scope in enumerate(scopes):
        write(record, "ada", number, scope=scope)
    assert [r.score if r else None for r in record.get_scores(scopes, "ada")] == [0, 1, 2, 3, 4, 5]
    assert [count(record, scope) for scope in scopes] == [1] * 6


# --- reading a scope's players --------------------------------------------------------------------------------------


def test_players_are_listed_in_their_names_utf8_byte_order(record: Record) -> None:
    for number, name in enumerate(reversed(NAMES_IN_BYTE_ORDER)):
        write(record, name, number)
    page, more = record.scores(BOARD, None, 100)
    assert [r.player for r in page] == NAMES_IN_BYTE_ORDER
    assert more is False
    assert page[0] == Recorded("Z", 5.0, 1)


def test_pages_of_players_resume_after_the_last_one(record: Record) -> None:
    for name in NAMES_IN_BYTE_ORDER:
        write(record, name, 1)
    first, more = record.scores(BOARD, None, 4)
    assert ([r.player for r in first], more) == (NAMES_IN_BYTE_ORDER[:4], True)
    rest, _ = record.scores(BOARD, first[-1].player, 4)
    assert [r.player for r in rest] == NAMES_IN_BYTE_ORDER[4:]
    # A page that stops exactly at the end may say more follow (DynamoDB does); the next one is empty and final.
    assert record.scores(BOARD, rest[-1].player, 4) == ([], False)
    # `after` need not be a player: the page starts at the next name.
    assert [r.player for r in record.scores(BOARD, "b", 10)[0]] == ["z", "é", WIDE_TILDE, "😀"]


def test_count_and_listing_of_an_empty_scope(record: Record) -> None:
    assert count(record, BOARD) == 0
    assert record.scores(BOARD, None, 10) == ([], False)
    for i in range(7):
        write(record, f"p{i}", i)
    assert count(record, BOARD) == 7


# --- the registry ---------------------------------------------------------------------------------------------------


def test_touch_registers_a_board_and_notes_each_write(record: Record) -> None:
    assert record.entry(BOARD) is None
    assert record.touch(BOARD, NOW_S) == registered(record, BOARD)
    entry = record.entry(BOARD)
    assert entry is not None
    assert (entry.scope, entry.last_write_s, entry.settings, entry.purging) == (BOARD, NOW_S, BoardSettings(), ())
    assert (entry.rebuild_owner, entry.rebuild_until_ms, entry.restore, entry.indexed_at_s) == (None, 0, None, 0)
    record.touch(BOARD, NOW_S + 60)
    assert registered(record, BOARD).last_write_s == NOW_S + 60


def test_register_board_keeps_a_known_boards_last_write(record: Record) -> None:
    record.register_board("weekly", NOW_S)
    record.register_board("weekly", NOW_S + 60)
    assert registered(record, BOARD).last_write_s == NOW_S


def test_a_board_has_one_registry_item_whatever_the_generation_asked(record: Record) -> None:
    record.touch(Scope("weekly", None, 3), NOW_S)
    assert record.entry(Scope("weekly", None, 7)) == record.entry(BOARD)
    assert registered(record, BOARD).scope == BOARD  # its own generation: 0 until removed


def test_a_period_has_a_registry_item_per_generation(record: Record) -> None:
    record.touch(DAY, NOW_S)
    assert record.entry(BOARD) is None  # a period's item is not its board's
    assert record.entry(Scope("weekly", TODAY, 1)) is None
    record.touch(Scope("weekly", TODAY, 1), NOW_S + 5)
    day = record.entry(DAY)
    assert day is not None
    assert (day.scope, day.board, day.generation, day.last_write_s, day.settings) == (
        DAY,
        "weekly",
        0,
        NOW_S,
        BoardSettings(),
    )
    assert registered(record, Scope("weekly", TODAY, 1)).last_write_s == NOW_S + 5


def test_boards_lists_every_board_in_name_order_and_no_period(record: Record) -> None:
    for board in ("b", "B", "a-2", "a", "a.1"):
        record.register_board(board, NOW_S)
    record.touch(Scope("a", TODAY), NOW_S)
    assert [e.board for e in record.boards()] == ["B", "a", "a-2", "a.1", "b"]
    assert all(e.scope.period is None for e in record.boards())


def test_periods_of_lists_the_boards_periods_of_every_generation(record: Record) -> None:
    periods = [
        Scope("weekly", PeriodKey("monthly", "2026-05")),
        Scope("weekly", TODAY, 2),
        DAY,
        Scope("weekly", PeriodKey("daily", "2026-05-27")),
    ]
    for scope in periods:
        record.touch(scope, NOW_S)
    record.touch(Scope("weekly2", TODAY), NOW_S)
    record.touch(BOARD, NOW_S)
    assert [e.scope for e in record.periods_of("weekly")] == [
        Scope("weekly", PeriodKey("daily", "2026-05-27")),
        DAY,
        Scope("weekly", TODAY, 2),
        Scope("weekly", PeriodKey("monthly", "2026-05")),
    ]
    assert record.periods_of("nothing") == []


def test_update_settings_changes_only_the_settings_given(record: Record) -> None:
    entry = record.update_settings("weekly", {"order": "asc"}, NOW_S)
    assert entry.settings == BoardSettings(order="asc")
    assert entry.last_write_s == NOW_S  # registered by it
    entry = record.update_settings("weekly", {"periods": ("daily", "all"), "timeZone": "Europe/Berlin"}, NOW_S + 9)
    assert entry.settings == BoardSettings(order="asc", periods=("daily", "all"), time_zone="Europe/Berlin")
    assert entry.last_write_s == NOW_S  # a settings change is not a write of scores
    entry = record.update_settings("weekly", {"update": "best", "ties": "shared"}, NOW_S)
    assert entry.settings == BoardSettings("asc", "best", "shared", ("daily", "all"), "Europe/Berlin")
    assert record.entry(BOARD) == entry
    assert record.update_settings("weekly", {}, NOW_S) == entry


def test_past_period_restores_are_counted_per_board_and_minute_up_to_the_limit(record: Record) -> None:
    minute = NOW_S - NOW_S % 60
    assert record.count_past_rebuild("weekly", minute + 5, 2) == 55  # an unknown board: nothing to count
    record.register_board("weekly", NOW_S)
    record.register_board("daily", NOW_S)
    assert record.count_past_rebuild("weekly", minute + 5, 2) is None
    assert record.count_past_rebuild("weekly", minute + 6, 2) is None
    assert record.count_past_rebuild("weekly", minute + 20, 2) == 40  # full until the next minute
    assert record.count_past_rebuild("daily", minute + 20, 2) is None  # each board its own
    assert record.count_past_rebuild("weekly", minute + 60, 2) is None  # a new minute
    assert record.count_past_rebuild("weekly", minute + 61, 2) is None
    assert record.count_past_rebuild("weekly", minute + 62, 2) == 58
    assert record.count_past_rebuild("weekly", minute + 30, 2) == 30  # a clock behind: the later minute stands


def test_remove_board_starts_the_next_generation_with_the_default_settings(record: Record) -> None:
    assert record.remove_board("weekly", NOW_S) is None
    record.update_settings("weekly", {"order": "asc", "periods": ("daily",)}, NOW_S)
    record.claim_rebuild(BOARD, "rebuilder", NOW_MS, 15_000)
    before = record.remove_board("weekly", NOW_S + 5)
    # The entry as it was: the removed generation, and the rebuild that held the lease.
    assert before is not None
    assert (before.generation, before.rebuild_owner, before.rebuild_until_ms) == (0, "rebuilder", NOW_MS + 15_000)
    entry = record.entry(BOARD)
    assert entry is not None
    assert (entry.scope, entry.generation, entry.settings, entry.purging) == (
        Scope("weekly", None, 1),
        1,
        BoardSettings(),
        (0,),
    )
    assert (entry.rebuild_owner, entry.rebuild_until_ms, entry.last_write_s) == (None, 0, NOW_S)
    assert entry.removed_at_s == NOW_S + 5
    again = record.remove_board("weekly", NOW_S + 6)
    assert again is not None
    assert again.generation == 1
    assert registered(record, BOARD).purging == (0, 1)


def test_read_back_answers_the_scores_and_the_boards_generation_now(record: Record) -> None:
    scopes = [BOARD, DAY]
    assert record.read_back(scopes, "ada") == ([None, None], None)
    write(record, "ada", 3)
    record.touch(BOARD, NOW_S)
    scores, board = record.read_back(scopes, "ada")
    assert scores == [Recorded("ada", 3.0, 1), None]
    assert board is not None
    assert board.generation == 0
    record.remove_board("weekly", NOW_S)
    _, board = record.read_back(scopes, "ada")
    assert board is not None
    assert board.generation == 1


def test_purge_deletes_a_removed_generations_scores_and_periods(record: Record, clock: Clock) -> None:
    old_day, new_day = Scope("weekly", TODAY), Scope("weekly", TODAY, 1)
    record.touch(BOARD, NOW_S)
    record.touch(old_day, NOW_S)
    record.fill_board(BOARD, {f"p{i:04d}": i for i in range(1200)}, NOW_MS)
    record.fill_board(old_day, {"ada": 1, "bob": 2}, NOW_MS)
    removed = record.remove_board("weekly", NOW_S)
    assert removed is not None
    assert removed.generation == 0
    record.touch(new_day, NOW_S)
    write(record, "ada", 5, scope=Scope("weekly", None, 1))
    write(record, "ada", 6, scope=new_day)
    # Past its deadline it does nothing and says it did not finish.
    assert record.purge(Scope("weekly", None, 0), clock() - 1, [old_day], clock) is False
    assert count(record, old_day) == 2
    # Not finishing: every score goes, the generation stays listed (a late write may still land in it).
    assert record.purge(Scope("weekly", None, 0), clock() + 60, [old_day], clock, finish=False) is True
    assert (count(record, BOARD), count(record, old_day)) == (0, 0)
    assert registered(record, BOARD).purging == (0,)
    assert record.purge(Scope("weekly", None, 0), clock() + 60, [old_day], clock) is True
    assert record.entry(old_day) is None
    assert registered(record, BOARD).purging == ()
    # The current generation is untouched.
    assert record.get_scores([Scope("weekly", None, 1), new_day], "ada") == [
        Recorded("ada", 5, 1),
        Recorded("ada", 6, 1),
    ]
    assert [e.scope for e in record.periods_of("weekly")] == [new_day]


def test_purge_stops_at_its_deadline_and_resumes(record: Record, clock: Clock) -> None:
    record.touch(BOARD, NOW_S)
    record.fill_board(BOARD, {f"p{i:04d}": i for i in range(1200)}, NOW_MS)
    record.remove_board("weekly", NOW_S)

    def slow_clock() -> float:
        return clock.advance(1)  # each look at the clock is a second later

    assert record.purge(BOARD, clock() + 1.5, [], slow_clock) is False
    assert 0 < count(record, BOARD) < 1200
    assert registered(record, BOARD).purging == (0,)
    assert record.purge(BOARD, clock() + 3600, [], slow_clock) is True
    assert count(record, BOARD) == 0


# --- the rebuild lease ----------------------------------------------------------------------------------------------


def test_only_a_registered_scope_can_be_claimed(record: Record) -> None:
    assert record.claim_rebuild(BOARD, "a", NOW_MS, 15_000) is None
    assert record.claim_rebuild(DAY, "a", NOW_MS, 15_000) is None
    assert record.save_rebuild_progress(BOARD, "a", HALF, NOW_MS) is False
    assert record.end_rebuild(BOARD, "a", NOW_S) is False
    assert record.pause_rebuild(BOARD, "a") is False


def test_a_claimed_lease_is_the_owners_until_it_expires(record: Record) -> None:
    record.touch(BOARD, NOW_S)
    lease = record.claim_rebuild(BOARD, "a", NOW_MS, 15_000)
    assert lease is not None
    assert (lease.rebuild_owner, lease.rebuild_until_ms, lease.restore) == ("a", NOW_MS + 15_000, None)
    assert record.claim_rebuild(BOARD, "b", NOW_MS + 14_999, 15_000) is None
    assert record.claim_rebuild(BOARD, "b", NOW_MS + 15_000, 15_000) is None  # expired only after its end
    assert record.save_rebuild_progress(BOARD, "a", HALF, NOW_MS + 30_000) is True
    assert record.claim_rebuild(BOARD, "b", NOW_MS + 20_000, 15_000) is None
    assert registered(record, BOARD).restore == HALF


def test_a_lease_lost_to_another_owner_refuses_its_first_owner(record: Record) -> None:
    record.touch(BOARD, NOW_S)
    record.claim_rebuild(BOARD, "a", NOW_MS, 15_000)
    record.save_rebuild_progress(BOARD, "a", HALF, NOW_MS + 15_000)
    taken = record.claim_rebuild(BOARD, "b", NOW_MS + 15_001, 15_000)
    assert taken is not None
    assert (taken.rebuild_owner, taken.restore) == ("b", HALF)  # it resumes where the first stopped
    assert record.save_rebuild_progress(BOARD, "a", HALF, NOW_MS + 40_000) is False
    assert record.end_rebuild(BOARD, "a", NOW_S) is False
    assert record.pause_rebuild(BOARD, "a") is False
    assert registered(record, BOARD).rebuild_owner == "b"


def test_progress_before_the_first_batch_has_no_last_player(record: Record) -> None:
    record.touch(BOARD, NOW_S)
    record.claim_rebuild(BOARD, "a", NOW_MS, 15_000)
    started = Restore(-(2.0**1000), 0, 0)
    assert record.save_rebuild_progress(BOARD, "a", started, NOW_MS + 16_000) is True
    entry = record.entry(BOARD)
    assert entry is not None
    assert (entry.rebuild_owner, entry.rebuild_until_ms, entry.restore) == ("a", NOW_MS + 16_000, started)


def test_a_paused_lease_keeps_its_progress_for_the_next_owner(record: Record) -> None:
    record.touch(BOARD, NOW_S)
    record.claim_rebuild(BOARD, "a", NOW_MS, 15_000)
    record.save_rebuild_progress(BOARD, "a", HALF, NOW_MS + 15_000)
    assert record.pause_rebuild(BOARD, "a") is True
    entry = record.entry(BOARD)
    assert entry is not None
    assert (entry.rebuild_owner, entry.rebuild_until_ms, entry.restore) == ("a", 0, HALF)
    taken = record.claim_rebuild(BOARD, "b", NOW_MS + 1, 15_000)
    assert taken is not None
    assert (taken.rebuild_owner, taken.restore) == ("b", HALF)


def test_an_ended_rebuild_notes_when_and_frees_the_lease(record: Record) -> None:
    record.touch(DAY, NOW_S)
    record.claim_rebuild(DAY, "a", NOW_MS, 15_000)
    record.save_rebuild_progress(DAY, "a", HALF, NOW_MS + 15_000)
    assert record.end_rebuild(DAY, "a", NOW_S + 3) is True
    entry = record.entry(DAY)
    assert entry is not None
    assert (entry.rebuild_owner, entry.rebuild_until_ms, entry.restore, entry.indexed_at_s) == (
        None,
        0,
        None,
        NOW_S + 3,
    )
    assert record.end_rebuild(DAY, "a", NOW_S + 4) is False
    assert record.claim_rebuild(DAY, "b", NOW_MS, 15_000) is not None


def test_each_scope_has_its_own_lease(record: Record) -> None:
    record.touch(BOARD, NOW_S)
    record.touch(DAY, NOW_S)
    assert record.claim_rebuild(BOARD, "a", NOW_MS, 15_000) is not None
    assert record.claim_rebuild(DAY, "b", NOW_MS, 15_000) is not None
    assert registered(record, DAY).rebuild_owner == "b"
    assert registered(record, BOARD).rebuild_owner == "a"
