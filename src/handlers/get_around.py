"""GET /{leaderboard}/{name}/around?count=N: the player's entry with up to N entries above and N below (404 when
the player is not on the board)."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import AroundRequest, entries_json, parse_around_request
from shared.middy import Response
from shared.responses import ok
from shared.secret import Secret


@api_handler(parse_around_request)
def get_around(request: AroundRequest, key: Secret) -> Response:
    return ok({"leaderboard": entries_json(leaderboards().around(request, key))})


lambda_handler = get_around  # the entry point template.yaml names
