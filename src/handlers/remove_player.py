"""DELETE /{leaderboard}/{name}: takes the player's score off the board and out of the record (admin); 204 whether
or not the player was there."""

from __future__ import annotations

from shared.composition import service
from shared.http.api import admin_delete
from shared.http.parsing import parse_player_ref

SERVICE = service()  # at init: the stores' clients are made during the cold start

# The entry point template.yaml names.
lambda_handler = admin_delete(parse_player_ref, SERVICE.leaderboards.remove_player, connect=SERVICE.connect)
