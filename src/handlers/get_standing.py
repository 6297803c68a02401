"""GET /{leaderboard}/{name}?period=: the player's score and 0-based rank by the board's order and ties (404 when not
on the board); a periodic read says which period it answered."""

from __future__ import annotations

from shared.composition import service
from shared.domain.rules import PlayerRef
from shared.http.api import api_handler
from shared.http.bodies import json_number, period_json
from shared.http.middlewares.conditional_reads import ReadCaching
from shared.http.middy import Response
from shared.http.parsing import parse_standing_request
from shared.http.responses import ok
from shared.platform.secret import Secret

SERVICE = service(record_at_init=False)  # a read: the record's client only if a request needs it


@api_handler(parse_standing_request, reads=ReadCaching.FRESH, connect=SERVICE.connect)
def get_standing(player: PlayerRef, key: Secret) -> Response:
    answer = SERVICE.leaderboards.standing(player, key)
    return ok({"score": json_number(answer.value.score), "rank": answer.value.rank, **period_json(answer.period)})


lambda_handler = get_standing  # the entry point template.yaml names
