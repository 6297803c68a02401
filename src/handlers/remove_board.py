"""DELETE /{leaderboard}: removes the board, its scores, settings and index (admin); the name then starts as a new
board. 204 whether or not the board existed."""

from __future__ import annotations

from shared.composition import leaderboards
from shared.domain.rules import BoardRef
from shared.http.api import api_handler
from shared.http.middy import Response
from shared.http.parsing import parse_board_ref
from shared.http.responses import no_content
from shared.platform.secret import Secret

LEADERBOARDS = leaderboards()  # at init: the stores' clients are made during the cold start


@api_handler(parse_board_ref, admin=True)
def remove_board(board: BoardRef, key: Secret) -> Response:
    LEADERBOARDS.remove_board(board, key)
    return no_content()


lambda_handler = remove_board  # the entry point template.yaml names
