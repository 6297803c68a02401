"""GET /{leaderboard}/{name}: the player's score and 0-based rank, highest score first (404 when not on the board)."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import PlayerRef, json_number, parse_player_ref
from shared.middy import Response
from shared.responses import ok
from shared.secret import Secret


@api_handler(parse_player_ref)
def get_standing(player: PlayerRef, key: Secret) -> Response:
    standing = leaderboards().standing(player, key)
    return ok({"score": json_number(standing.score), "rank": standing.rank})


lambda_handler = get_standing  # the entry point template.yaml names
