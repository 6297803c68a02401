"""POST /{leaderboard}/{name} with {"score": n}: records the player's score (a resubmission replaces it)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from shared.api import api_handler
from shared.leaderboard import Submission, json_number, parse_submission
from shared.middy import Event, Response
from shared.momento_store import leaderboard_store
from shared.responses import json_response


def submit_score(event: Event, context: Any) -> Response:
    submission: Submission = event["input"]
    leaderboard_store().submit_score(submission, context.momento_api_key)
    return json_response(
        HTTPStatus.ACCEPTED,
        {"leaderboard": submission.leaderboard, "name": submission.player, "score": json_number(submission.score)},
    )


lambda_handler = api_handler(submit_score, parse_submission, json_body=True)
