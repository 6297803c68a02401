"""DELETE /{leaderboard}/{name}: takes the player's score off the board and out of the record (admin); 204 whether
or not the player was there."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import PlayerRef, parse_player_ref
from shared.middy import Response
from shared.responses import no_content
from shared.secret import Secret


@api_handler(parse_player_ref, admin=True)
def remove_player(player: PlayerRef, key: Secret) -> Response:
    leaderboards().remove_player(player, key)
    return no_content()


lambda_handler = remove_player  # the entry point template.yaml names
