"""The one place that decides what a client sees when something fails."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from shared.http_errors import HttpError
from shared.middy import Hooks, Request, Response
from shared.observability import logger
from shared.responses import json_response

GENERIC_MESSAGE = "Internal server error"


def http_error_handler() -> Hooks:
    """Client errors keep their status, message and headers; anything else is a bare 500 with no internals."""

    def on_error(request: Request) -> Response:
        error = request.error
        request_id = request_id_of(request.event)
        if isinstance(error, HttpError):
            if error.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
                logger.warning("Request failed", extra={"status": error.status, "reason": error.message})
            else:
                logger.info("Request rejected", extra={"status": error.status, "reason": error.message})
            return json_response(error.status, {"message": error.message, "requestId": request_id}, error.headers)
        # The exception's text and stack go to the logs only; the client gets a generic message.
        logger.exception("Unhandled error")
        return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, {"message": GENERIC_MESSAGE, "requestId": request_id})

    return Hooks(on_error=on_error)


def request_id_of(event: dict[str, Any]) -> str | None:
    context = event.get("requestContext")
    return context.get("requestId") if isinstance(context, dict) else None
