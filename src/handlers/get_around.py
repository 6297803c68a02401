"""GET /{leaderboard}/{name}/around?count=N&period=: the player's entry with up to N entries above and N below (404
when the player is not on the board); a periodic read says which period it answered."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import AroundRequest, entries_json, parse_around_request
from shared.middlewares.conditional_reads import ReadCaching
from shared.middy import Response
from shared.periods import period_json
from shared.responses import ok
from shared.secret import Secret


@api_handler(parse_around_request, reads=ReadCaching.FRESH)
def get_around(request: AroundRequest, key: Secret) -> Response:
    answer = leaderboards().around(request, key)
    return ok({"leaderboard": entries_json(answer.value), **period_json(answer.period)})


lambda_handler = get_around  # the entry point template.yaml names
