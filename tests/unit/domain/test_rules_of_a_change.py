"""The rules a settings change and a player's name are held to, before any I/O (400s naming the rule)."""

from __future__ import annotations

import pytest

from shared.domain.errors import InvalidInput
from shared.domain.rules import BoardSettings, player_name, settings_changes


def test_a_change_names_only_the_settings_it_gives_each_checked() -> None:
    body = {"periods": ["daily", "all"], "timeZone": "Asia/Tokyo", "order": "asc"}
    assert settings_changes(body) == {"periods": ("daily", "all"), "timeZone": "Asia/Tokyo", "order": "asc"}
    assert settings_changes({}) == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["order", "asc"], "must be a JSON object"),
        ({"colour": "blue"}, "Unknown setting 'colour': the settings are order, update, ties, periods, timeZone"),
        ({"order": 1}, '"order" must be one of desc, asc \\(got int\\)'),
        ({"ties": None}, '"ties" must be one of distinct, shared \\(got null\\)'),
        ({"update": "max"}, "\"update\" must be one of latest, best, increment \\(got 'max'\\)"),
        ({"periods": ["daily", "daily"]}, "must not list a kind twice"),
        ({"timeZone": "Mars/Olympus"}, "IANA time zone"),
    ],
)
def test_a_change_that_breaks_a_rule_is_refused_naming_it(body: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        settings_changes(body)


def test_a_boards_settings_read_back_as_the_api_names_them() -> None:
    assert BoardSettings(order="asc", periods=("daily", "all")).as_json() == {
        "order": "asc",
        "update": "latest",
        "ties": "distinct",
        "periods": ["daily", "all"],
        "timeZone": "UTC",
    }


def test_a_player_name_is_required() -> None:
    with pytest.raises(InvalidInput, match="The player name is required"):
        player_name(None)
