"""DELETE /{leaderboard}: removes the board, its scores, settings and index (admin); the name then starts as a new
board. 204 whether or not the board existed."""

from __future__ import annotations

from shared.composition import service
from shared.http.api import admin_delete
from shared.http.parsing import parse_board_ref

SERVICE = service()  # at init: the stores' clients are made during the cold start

# The entry point template.yaml names.
lambda_handler = admin_delete(parse_board_ref, SERVICE.leaderboards.remove_board, connect=SERVICE.connect)
