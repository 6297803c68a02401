"""GET /{leaderboard}?startRank=&endRank=: one page of the board, highest score first."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from shared.api import api_handler
from shared.leaderboard import PageRequest, json_number, parse_page_request
from shared.middy import Event, Response
from shared.momento_store import leaderboard_store
from shared.responses import json_response


def get_leaderboard(event: Event, context: Any) -> Response:
    page: PageRequest = event["input"]
    entries = leaderboard_store().page_by_rank(page, context.momento_api_key)
    return json_response(
        HTTPStatus.OK,
        {"leaderboard": [{"rank": e.rank, "name": e.player, "score": json_number(e.score)} for e in entries]},
    )


lambda_handler = api_handler(get_leaderboard, parse_page_request)
