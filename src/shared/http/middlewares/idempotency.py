"""Idempotency-Key (the IETF httpapi draft's header, as Stripe and others use it): a client that may send a write
again (a timeout, a 503 it retries) names it with a key of its own. The same key with the same body, within
KEY_LIFETIME_S, answers the first answer again without doing anything; the same key with another body is 422; a
second copy that arrives while the first is still running is 409 (retry it shortly).

Powertools' idempotency utility does the bookkeeping (a record per key: in progress, then the answer; expired by
DynamoDB's TTL), in the persistence layer the composition root gives (the stores make it, over the record's table).
A key is scoped by the route and its path: the same key on another board or player is another request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

from shared.domain.errors import InvalidInput
from shared.http.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from shared.http.middy import Request, Response
from shared.http.request import header

HEADER = "Idempotency-Key"
KEY_LIFETIME_S = 24 * 3600
MAX_KEY_CHARS = 255  # the draft sets no limit; Stripe's is 255


def idempotent(store: BasePersistenceLayer) -> Callable[[Callable[[Request], Response]], Callable[[Request], Response]]:
    """Wraps a route's core: a request with an Idempotency-Key runs at most once per key (see the module)."""
    config = IdempotencyConfig(
        event_key_jmespath="key", payload_validation_jmespath="body", expires_after_seconds=KEY_LIFETIME_S
    )

    def wrap(core: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def once(request: Request) -> Response:
            key = idempotency_key(request.event)
            if key is None:
                return core(request)
            # The Lambda context lets Powertools expire an in-progress record when the function times out, so a
            # copy sent after a crash is not refused (409) for the key's whole lifetime.
            if request.context is not None and hasattr(request.context, "get_remaining_time_in_millis"):
                config.register_lambda_context(request.context)

            def run(named: dict[str, str]) -> Response:
                return core(request)

            answer = cast(
                "Callable[..., Response]",
                idempotent_function(data_keyword_argument="named", persistence_store=store, config=config)(run),
            )

            try:
                answered: Response = answer(
                    named={"key": _scoped(request.event, key), "body": _canonical(request.event)}
                )
            except IdempotencyValidationError:
                raise IdempotencyKeyReused(
                    f"{HEADER} {key!r} was used for a different request body on this route; use a new key."
                ) from None
            except IdempotencyAlreadyInProgressError:
                raise IdempotencyKeyInUse(
                    f"A request with {HEADER} {key!r} is still in progress; retry it shortly."
                ) from None
            return answered

        return once

    return wrap


def idempotency_key(event: dict[str, Any]) -> str | None:
    """The request's Idempotency-Key (None: it sent none); 1-255 visible ASCII characters."""
    key = header(event, HEADER.lower())
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_CHARS or not all(" " < char <= "~" for char in key):
        raise InvalidInput(f"{HEADER} must be 1-{MAX_KEY_CHARS} visible ASCII characters, without spaces.")
    return key


def _scoped(event: dict[str, Any], key: str) -> str:
    """The key within its route and path: `POST /{leaderboard}/{name} {"leaderboard": ..., "name": ...} <key>`."""
    path = json.dumps(event.get("pathParameters") or {}, sort_keys=True, ensure_ascii=False)
    return f"{event.get('httpMethod')} {event.get('resource')} {path} {key}"


def _canonical(event: dict[str, Any]) -> str:
    """The parsed body as one text (the same JSON however it was spaced or its keys ordered)."""
    return json.dumps(event.get("body"), sort_keys=True, default=str, separators=(",", ":"))
