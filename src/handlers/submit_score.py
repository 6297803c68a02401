"""POST /{leaderboard}/{name} with {"score": n}: records the player's score by the board's update rule (latest
replaces, best keeps the better, increment adds); answers the submission and the player's score on the board. With
an Idempotency-Key header, a request sent again is answered as the first was, without writing again."""

from __future__ import annotations

from shared.composition import service
from shared.domain.rules import Submission
from shared.http.api import api_handler
from shared.http.bodies import json_number
from shared.http.middy import Response
from shared.http.parsing import parse_submission
from shared.http.responses import accepted
from shared.platform.secret import Secret

SERVICE = service()  # at init: the stores' clients are made during the cold start


@api_handler(parse_submission, json_body=True, connect=SERVICE.connect, idempotency=SERVICE.idempotency())
def submit_score(submission: Submission, key: Secret) -> Response:
    on_board = SERVICE.leaderboards.submit(submission, key)
    return accepted(
        {
            "leaderboard": submission.leaderboard,
            "name": submission.player,
            "score": json_number(submission.score),
            "scoreOnBoard": json_number(on_board),
        }
    )


lambda_handler = submit_score  # the entry point template.yaml names
