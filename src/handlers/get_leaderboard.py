"""GET /{leaderboard}?startRank=&endRank= (a page by rank) or ?name=...&name=... (those players' standings), in the
period ?period= names (default: the board's first listed one): the entries by the board's order and ties, with the
board's total and settings, and which period it answered."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import FriendsRequest, PageRequest, entries_json, parse_board_query
from shared.middlewares.conditional_reads import ReadCaching
from shared.middy import Response
from shared.periods import period_json
from shared.responses import ok
from shared.secret import Secret


@api_handler(parse_board_query, reads=ReadCaching.SHARED)
def get_leaderboard(query: PageRequest | FriendsRequest, key: Secret) -> Response:
    answer = leaderboards().view(query, key)
    return ok(
        {
            "leaderboard": entries_json(answer.value.entries),
            "total": answer.value.total,
            "settings": answer.settings.as_json(),
            **period_json(answer.period),
        }
    )


lambda_handler = get_leaderboard  # the entry point template.yaml names
