"""GET /{leaderboard}?startRank=&endRank=: one page of the board, highest score first."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import PageRequest, json_number, parse_page_request
from shared.middy import Response
from shared.responses import ok
from shared.secret import Secret


@api_handler(parse_page_request)
def get_leaderboard(page: PageRequest, key: Secret) -> Response:
    entries = leaderboards().page(page, key)
    return ok({"leaderboard": [{"rank": e.rank, "name": e.player, "score": json_number(e.score)} for e in entries]})


lambda_handler = get_leaderboard  # the entry point template.yaml names
