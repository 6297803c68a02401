"""DELETE /{leaderboard}/{name}: takes the player's score off the board and out of the record (admin); 204 whether
or not the player was there."""

from __future__ import annotations

from shared.composition import leaderboards
from shared.domain.rules import PlayerRef
from shared.http.api import api_handler
from shared.http.middy import Response
from shared.http.parsing import parse_player_ref
from shared.http.responses import no_content
from shared.platform.secret import Secret

LEADERBOARDS = leaderboards()  # at init: the stores' clients are made during the cold start


@api_handler(parse_player_ref, admin=True)
def remove_player(player: PlayerRef, key: Secret) -> Response:
    LEADERBOARDS.remove_player(player, key)
    return no_content()


lambda_handler = remove_player  # the entry point template.yaml names
