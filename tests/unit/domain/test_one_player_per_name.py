"""Two submissions under names that look the same land on one player: the name as the API parses it, then the domain
on its fakes."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.errors import InvalidInput
from shared.http.parsing import parse_player_ref, parse_submission
from tests.unit.domain.support import KEY, World


def submission(name: str, score: float) -> dict[str, Any]:
    return {"pathParameters": {"leaderboard": "cup", "name": name}, "body": {"score": score}}


def test_a_composed_and_a_decomposed_name_are_one_player(world: World) -> None:
    # Given José submitted with é composed, then again with e and a combining acute accent
    world.boards.submit(parse_submission(submission("Jos\u00e9", 10)), KEY)
    world.boards.submit(parse_submission(submission("Jose\u0301", 7)), KEY)
    # Then the board holds one José, with the later score, found by either spelling
    assert world.players("cup") == {"Jos\u00e9": 7}
    for spelling in ("Jos\u00e9", "Jose\u0301"):
        ref = parse_player_ref({"pathParameters": {"leaderboard": "cup", "name": spelling}})
        assert world.boards.standing(ref, KEY).value == (7, 0)


@pytest.mark.parametrize("look_alike", ["ada\u200b", "ada\u2060", "\u0430da"])
def test_a_look_alike_of_a_player_cannot_join_beside_them(world: World, look_alike: str) -> None:
    world.boards.submit(parse_submission(submission("ada", 10)), KEY)
    with pytest.raises(InvalidInput):
        world.boards.submit(parse_submission(submission(look_alike, 99)), KEY)
    assert world.players("cup") == {"ada": 10}


def test_a_player_who_joined_under_older_rules_is_still_read_and_removed(world: World) -> None:
    # Given a player stored before invisible characters were refused (the domain takes what it is given)
    world.submit("cup", "ada\u200b", 5)
    ref = parse_player_ref({"pathParameters": {"leaderboard": "cup", "name": "ada\u200b"}})
    # Then a read and a removal by that name reach them
    assert world.boards.standing(ref, KEY).value == (5, 0)
    world.boards.remove_player(ref, KEY)
    assert world.players("cup") == {}
