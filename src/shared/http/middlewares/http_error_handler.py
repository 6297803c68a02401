"""The one place that decides what a client sees when something fails: a table from each error to its answer.

An error is answered by the nearest class in its hierarchy that the table names (its `__mro__`, as Powertools'
exception handler looks handlers up), so a subclass of a known error is answered like its parent, not as a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from shared.domain.errors import (
    BoardFull,
    BoardRebuilding,
    InvalidInput,
    KeyUnavailable,
    PastRebuildsLimited,
    PlayerNotFound,
    ServiceError,
    StoreThrottled,
    StoreTimeout,
    StoreUnavailable,
)
from shared.http.errors import (
    AdminKeyRequired,
    BodyTooLarge,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    UnsupportedBody,
)
from shared.http.middy import Hooks, Request, Response
from shared.http.request import request_id_of
from shared.http.responses import json_response
from shared.platform.observability import logger

GENERIC_MESSAGE = "Internal server error"
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class Answer:
    status: HTTPStatus
    message: str | None = None  # None: the error's own message, which names the rule, the board or the player
    retry_after: bool = False


ANSWERS: dict[type[ServiceError], Answer] = {
    InvalidInput: Answer(HTTPStatus.BAD_REQUEST),
    UnsupportedBody: Answer(HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
    BodyTooLarge: Answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
    PlayerNotFound: Answer(HTTPStatus.NOT_FOUND),
    AdminKeyRequired: Answer(HTTPStatus.FORBIDDEN),
    IdempotencyKeyReused: Answer(HTTPStatus.UNPROCESSABLE_ENTITY),
    IdempotencyKeyInUse: Answer(HTTPStatus.CONFLICT, retry_after=True),
    BoardFull: Answer(HTTPStatus.INSUFFICIENT_STORAGE),
    StoreThrottled: Answer(
        HTTPStatus.TOO_MANY_REQUESTS, "Too many requests to the leaderboard store; retry shortly.", retry_after=True
    ),
    StoreUnavailable: Answer(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The leaderboard store is temporarily unavailable; retry shortly.",
        retry_after=True,
    ),
    # A rebuild of a large board takes as long as Momento's rate limit allows; the message says it is temporary.
    BoardRebuilding: Answer(HTTPStatus.SERVICE_UNAVAILABLE, retry_after=True),
    # Retry-After: until the board may restore another past period (the error's own retry_after_s).
    PastRebuildsLimited: Answer(HTTPStatus.SERVICE_UNAVAILABLE, retry_after=True),
    StoreTimeout: Answer(HTTPStatus.GATEWAY_TIMEOUT, "The leaderboard store did not answer in time; retry shortly."),
    # One message for every cause (SSM unreachable, a malformed or revoked key): the client can only retry.
    KeyUnavailable: Answer(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The service's configuration is temporarily unavailable; retry shortly.",
        retry_after=True,
    ),
}


def answer_for(error: ServiceError) -> Answer | None:
    """The table's answer for the nearest of the error's classes it names; None: an unexpected failure."""
    return next((answer for cls in type(error).__mro__ if (answer := ANSWERS.get(cls)) is not None), None)


def http_error_handler() -> Hooks:
    """Errors in the table get their answer; anything else is a bare 500 whose details go to the logs only."""

    def on_error(request: Request) -> Response:
        error = request.error
        request_id = request_id_of(request.event)
        if not isinstance(error, ServiceError) or (answer := answer_for(error)) is None:
            # The exception's text and stack go to the logs only; the client gets a generic message.
            logger.exception("Unhandled error")
            body = {"message": GENERIC_MESSAGE, "requestId": request_id}
            return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, body)
        failed = answer.status >= HTTPStatus.INTERNAL_SERVER_ERROR
        (logger.warning if failed else logger.info)(
            "Request failed" if failed else "Request rejected",
            extra={"status": answer.status.value, "reason": error.message},
        )
        retry_after = getattr(error, "retry_after_s", RETRY_AFTER_SECONDS)
        headers = {"Retry-After": str(retry_after)} if answer.retry_after else None
        body = {"message": answer.message or error.message, "requestId": request_id, **getattr(error, "details", {})}
        return json_response(answer.status, body, headers)

    return Hooks(on_error=on_error)
