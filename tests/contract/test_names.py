"""Names that mean one player, over every transport: look-alike names are refused where a player joins (a submission,
400 naming the rule), one name in two Unicode spellings is one player, and reads still reach any name a board holds."""

from __future__ import annotations

import pytest

from tests.support.api_client import ApiClient, assert_error

COMPOSED = "Jos\u00e9"
DECOMPOSED = "Jose\u0301"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("ada\u200b", ["must not contain invisible characters (U+200B)"]),
        ("ada\u2060", ["must not contain invisible characters (U+2060)"]),
        ("a\u200db", ["must not contain invisible characters (U+200D)", "Only emoji"]),
        ("\u0430da", ["mixes Cyrillic and Latin letters that look alike", "one script"]),
        ("\u3164", ["must have a visible character"]),
        ("\u2800", ["must have a visible character"]),
        ("\u115f\u1160", ["must have a visible character"]),
        ("\u034f", ["must have a visible character"]),
        (".", ["must not be '.' or '..'"]),  # sent percent-encoded: clients resolve a bare dot segment away
        ("..", ["must not be '.' or '..'"]),
    ],
    ids=["zero-width space", "word joiner", "joiner between letters", "Cyrillic a", "Hangul filler", "Braille blank",
         "Hangul fillers", "grapheme joiner", "dot", "dot-dot"],
)  # fmt: skip
def test_a_look_alike_name_is_refused_naming_the_rule(api: ApiClient, board: str, name: str, words: list[str]) -> None:
    assert_error(api.submit(board, name, {"score": 1}), 400, *words)
    assert api.page(board).json()["leaderboard"] == []


def test_a_composed_and_a_decomposed_name_are_one_player(api: ApiClient, board: str) -> None:
    # Given José submitted with é composed, then with e and a combining accent
    assert api.submit(board, COMPOSED, {"score": 10}).json()["name"] == COMPOSED
    assert api.submit(board, DECOMPOSED, {"score": 7}).json()["name"] == COMPOSED
    # Then the board shows one José with the later score, and either spelling reads it
    assert api.page(board).json()["leaderboard"] == [{"rank": 0, "name": COMPOSED, "score": 7}]
    assert api.standing(board, DECOMPOSED).json() == {"score": 7, "rank": 0}
    friends = api.page(board, [("name", DECOMPOSED), ("name", COMPOSED)]).json()["leaderboard"]
    assert friends == [{"rank": 0, "name": COMPOSED, "score": 7}]


@pytest.mark.parametrize(
    "name",
    [
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family: three emoji joined by U+200D
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # the flag of Scotland (tags)
        "\u2764\ufe0f\u200d\U0001f525 \u0438\u0432\u0430\u043d",  # an emoji with VS16, and a Cyrillic name
        "\u5c71\u7530 Taro",  # Han and Latin: a Japanese mix
    ],
)
def test_emoji_sequences_and_allowed_mixes_round_trip(api: ApiClient, board: str, name: str) -> None:
    assert api.submit(board, name, {"score": 5}).json()["name"] == name
    assert api.standing(board, name).json() == {"score": 5, "rank": 0}
    assert api.page(board).json()["leaderboard"] == [{"rank": 0, "name": name, "score": 5}]


@pytest.mark.parametrize("name", ["ada\u200b", "\u0430da"])
def test_reads_and_removals_still_take_a_name_only_older_rules_let_in(api: ApiClient, board: str, name: str) -> None:
    # Given a board (a player who joined under older rules may still be on it)
    api.submit(board, "ada", {"score": 1})
    # Then a name today's submissions refuse is looked up, not refused: absent here, so 404 and an idempotent 204
    assert_error(api.standing(board, name), 404, board)
    assert_error(api.around(board, name), 404, board)
    assert api.remove_player(board, name).status == 204
    assert api.standing(board, "ada").json() == {"score": 1, "rank": 0}
