"""GET /{leaderboard}?startRank=&endRank= (a page by rank) or ?name=...&name=... (those players' standings), in the
period ?period= names (default: the board's first listed one): the entries by the board's order and ties, with the
board's total and settings, and which period it answered."""

from __future__ import annotations

from shared.composition import service
from shared.domain.rules import FriendsRequest, PageRequest
from shared.http.api import api_handler
from shared.http.bodies import entries_json, period_json
from shared.http.middlewares.conditional_reads import ReadCaching
from shared.http.middy import Response
from shared.http.parsing import parse_board_query
from shared.http.responses import ok
from shared.platform.secret import Secret

SERVICE = service(record_at_init=False)  # a read: the record's client only if a request needs it


@api_handler(parse_board_query, reads=ReadCaching.SHARED, connect=SERVICE.connect)
def get_leaderboard(query: PageRequest | FriendsRequest, key: Secret) -> Response:
    answer = SERVICE.leaderboards.view(query, key)
    return ok(
        {
            "leaderboard": entries_json(answer.value.entries),
            "total": answer.value.total,
            "settings": answer.settings.as_json(),
            **period_json(answer.period),
        }
    )


lambda_handler = get_leaderboard  # the entry point template.yaml names
