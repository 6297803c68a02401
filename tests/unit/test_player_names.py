"""Names that mean one player: what a submission may name a new player, and what reads and removals still find."""

from __future__ import annotations

from typing import Any

import pytest
import regex

from shared.domain.errors import InvalidInput
from shared.domain.rules import leaderboard_name, player_name, player_name_to_find
from shared.domain.scripts import SCRIPTS, char_scripts
from shared.http.parsing import parse_board_query, parse_player_ref, parse_submission

COMPOSED = "Jos\u00e9"
DECOMPOSED = "Jose\u0301"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, woman, girl joined by U+200D
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # black flag, tags, cancel tag
CYRILLIC_A = "\u0430"


def submission_event(name: str) -> dict[str, Any]:
    return {"pathParameters": {"leaderboard": "cup", "name": name}, "body": {"score": 1}}


def test_composed_and_decomposed_names_are_one_name() -> None:
    assert player_name(DECOMPOSED) == player_name(COMPOSED) == COMPOSED
    assert parse_submission(submission_event(DECOMPOSED)).player == COMPOSED


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("ada\u200b", "U+200B"),  # zero-width space
        ("ada\u2060", "U+2060"),  # word joiner
        ("a\u034fda", "U+034F"),  # combining grapheme joiner
        ("a\u200db", "U+200D"),  # a zero-width joiner between letters shows as nothing
        ("\u202eada", "U+202E"),  # right-to-left override: shows "ada" reversed
        ("ada\ufe0f", "U+FE0F"),  # a variation selector after a letter
        ("\U0001f468\u200d", "U+200D"),  # a joiner with no emoji after it
        ("\u200d\U0001f468", "U+200D"),
        ("ada\U000e0067", "U+E0067"),  # a tag character outside a flag
        ("ada\u3164bob", "U+3164"),  # Hangul filler inside a name
    ],
)
def test_invisible_characters_are_refused_naming_them(name: str, shown: str) -> None:
    with pytest.raises(InvalidInput, match=f"must not contain invisible characters \\({regex.escape(shown)}\\)"):
        player_name(name)


@pytest.mark.parametrize(
    "name",
    [
        FAMILY,
        SCOTLAND,
        "\u2764\ufe0f\u200d\U0001f525",  # heart on fire: VS16 then a joiner
        "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # woman technologist, medium skin tone
        "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f",  # transgender flag
        "1\ufe0f\u20e3",  # keycap one
        "\u263a\ufe0e",  # VS15: the smiling face as text
        "ada " + FAMILY,
    ],
)
def test_emoji_keep_the_joiners_tags_and_selectors_they_are_made_of(name: str) -> None:
    assert player_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["\u3164", "\u2800", "\u115f\u1160", "\u034f", "\u3164 \u3164", "\u2800\u200b", "\ufe0f"],
    ids=["Hangul filler", "Braille blank", "Hangul choseong and jungseong fillers", "grapheme joiner", "fillers and a "
         "space", "Braille blank and zero-width space", "variation selector"],
)  # fmt: skip
def test_a_name_that_renders_blank_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="must have a visible character"):
        player_name(name)


@pytest.mark.parametrize("name", ["ada\u2800", "\u2800ada"])
def test_a_blank_symbol_at_either_end_is_a_space_at_either_end(name: str) -> None:
    with pytest.raises(InvalidInput, match="must not start or end with a space"):
        player_name(name)


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_segments_are_not_player_names(name: str) -> None:
    with pytest.raises(InvalidInput, match=r"must not be '\.' or '\.\.'"):
        player_name(name)
    assert player_name("...") == "..."


@pytest.mark.parametrize(
    ("name", "scripts"),
    [
        (CYRILLIC_A + "da", "Cyrillic and Latin"),
        ("ad" + CYRILLIC_A, "Latin and Cyrillic"),
        ("p\u0430yp\u0430l", "Latin and Cyrillic"),
        ("\u03a1aul", "Greek and Latin"),  # Greek capital rho
        ("\u0438\u0432\u0430\u043d\u03b1", "Cyrillic and Greek"),
        ("a\u03b2\u0432", "Latin, Greek and Cyrillic"),
        ("ada\u0561", "Latin and Armenian"),
        ("x\ue000", "Latin and unassigned or private-use"),
    ],
)
def test_a_name_mixing_scripts_that_look_alike_is_refused_naming_them(name: str, scripts: str) -> None:
    with pytest.raises(InvalidInput, match=f"mixes {scripts} letters that look alike"):
        player_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "\u0438\u0432\u0430\u043d",  # all Cyrillic
        "\u0391\u03b8\u03b7\u03bd\u03ac",  # all Greek, with an accent
        "\u0438\u0432\u0430\u043d 2077",  # digits go with any script
        "\u5c71\u7530\u305f\u308d\u3046",  # Japanese: Han and Hiragana
        "\u30e9\u30fc\u30e1\u30f3\u5c4b Taro",  # Katakana (with the prolonged sound mark), Han and Latin
        "\uae40\ubbfc\uc218 Kim",  # Korean: Hangul and Latin
        "\u738b\u5c0f\u660e \u3105",  # Han and Bopomofo
        "Z\u0335oe \U0001f3ce!",  # Latin, a combining mark (no precomposed form), an emoji, punctuation
        "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    ],
)
def test_one_script_or_an_allowed_mix_is_a_name(name: str) -> None:
    assert player_name(name) == name


def test_reads_find_a_name_the_old_rules_let_in_as_it_was_stored() -> None:
    # Given names that boards may hold from before these rules
    for stored in ("ada\u200b", CYRILLIC_A + "da", ".", "..", "\u2800", "a\u200db"):
        # Then a read or a removal looks each up as given
        assert player_name_to_find(stored) == stored
        event = {"pathParameters": {"leaderboard": "cup", "name": stored}}
        assert parse_player_ref(event).player == stored


def test_reads_find_the_player_a_decomposed_name_was_submitted_as() -> None:
    assert player_name_to_find(DECOMPOSED) == COMPOSED
    query = {"name": [DECOMPOSED, COMPOSED]}
    event = {"pathParameters": {"leaderboard": "cup"}, "multiValueQueryStringParameters": query}
    request = parse_board_query(event)
    assert getattr(request, "players", None) == (COMPOSED,)  # one player, asked for twice


@pytest.mark.parametrize(
    ("name", "words"), [(" ", "visible"), ("a\tb", "control"), ("ada ", "space"), (None, "required")]
)
def test_reads_still_refuse_what_no_board_can_hold(name: str | None, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        player_name_to_find(name)


def test_a_board_name_is_read_in_nfc() -> None:
    assert leaderboard_name("\u212aing") == "King"  # KELVIN SIGN is canonically the letter K


def test_the_script_list_is_every_script_the_character_data_knows() -> None:
    # The regex module keeps its property table private: read here, so an upgrade that brings a script says so.
    table: dict[str, int] = regex._regex.get_properties()["SCRIPTEXTENSIONS"][1]  # type: ignore[attr-defined]
    ignored = {table[name] for name in ("COMMON", "INHERITED", "UNKNOWN", "KATAKANAORHIRAGANA")}
    listed = [table[name.replace("_", "").upper()] for name in SCRIPTS]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(table.values()) - ignored
    assert char_scripts("\u30fc") == {"Hiragana", "Katakana"}  # a character of several scripts is of each
