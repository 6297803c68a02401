"""GET /{leaderboard}/{name}/around?count=N&period=: the player's entry with up to N entries above and N below (404
when the player is not on the board); a periodic read says which period it answered."""

from __future__ import annotations

from shared.composition import service
from shared.domain.rules import AroundRequest
from shared.http.api import api_handler
from shared.http.bodies import entries_json, period_json
from shared.http.middlewares.conditional_reads import ReadCaching
from shared.http.middy import Response
from shared.http.parsing import parse_around_request
from shared.http.responses import ok
from shared.platform.secret import Secret

SERVICE = service(record_at_init=False)  # a read: the record's client only if a request needs it


@api_handler(parse_around_request, reads=ReadCaching.FRESH, connect=SERVICE.connect)
def get_around(request: AroundRequest, key: Secret) -> Response:
    answer = SERVICE.leaderboards.around(request, key)
    return ok({"leaderboard": entries_json(answer.value), **period_json(answer.period)})


lambda_handler = get_around  # the entry point template.yaml names
