"""GET /{leaderboard}/{name}: the player's score and 0-based rank, highest score first."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from shared.api import api_handler
from shared.http_errors import not_found
from shared.leaderboard import PlayerRef, json_number, parse_player_ref
from shared.middy import Event, Response
from shared.momento_store import leaderboard_store
from shared.responses import json_response


def get_standing(event: Event, context: Any) -> Response:
    ref: PlayerRef = event["input"]
    standing = leaderboard_store().get_standing(ref, context.momento_api_key)
    if standing is None:
        raise not_found(f"Player '{ref.player}' is not on leaderboard '{ref.leaderboard}'.")
    return json_response(HTTPStatus.OK, {"score": json_number(standing.score), "rank": standing.rank})


lambda_handler = api_handler(get_standing, parse_player_ref)
