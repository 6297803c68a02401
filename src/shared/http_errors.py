"""Errors meant for clients: each carries its HTTP status, a message safe to show, and optional headers.

Anything else raised in a handler becomes a bare 500 whose text never leaves the function (see the error handler).
"""

from __future__ import annotations

from http import HTTPStatus

RETRY_AFTER_SECONDS = 1


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> HttpError:
    return HttpError(HTTPStatus.BAD_REQUEST, message)


def not_found(message: str) -> HttpError:
    return HttpError(HTTPStatus.NOT_FOUND, message)


def service_unavailable(message: str = "The leaderboard store is temporarily unavailable; retry shortly.") -> HttpError:
    return HttpError(HTTPStatus.SERVICE_UNAVAILABLE, message, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def too_many_requests(message: str = "Too many requests to the leaderboard store; retry shortly.") -> HttpError:
    return HttpError(HTTPStatus.TOO_MANY_REQUESTS, message, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def gateway_timeout(message: str = "The leaderboard store did not answer in time; retry shortly.") -> HttpError:
    return HttpError(HTTPStatus.GATEWAY_TIMEOUT, message)


def board_full(board: str) -> HttpError:
    return HttpError(
        HTTPStatus.INSUFFICIENT_STORAGE,
        f"Leaderboard '{board}' is full: it has reached the store's size limit for one board, so new players "
        "cannot be added. Existing players can still be updated and the board can still be read.",
    )
