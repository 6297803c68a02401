"""DELETE /{leaderboard}: removes the board, its scores, settings and index (admin); the name then starts as a new
board. 204 whether or not the board existed."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import BoardRef, parse_board_ref
from shared.middy import Response
from shared.responses import no_content
from shared.secret import Secret


@api_handler(parse_board_ref, admin=True)
def remove_board(board: BoardRef, key: Secret) -> Response:
    leaderboards().remove_board(board, key)
    return no_content()


lambda_handler = remove_board  # the entry point template.yaml names
