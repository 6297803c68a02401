"""What the HTTP layer itself refuses, in the service's terms: a body that is not JSON or too large, and a request
the gateway let through that a route still refuses (an admin route protected by an API key, AdminAuth=API_KEY, where
API Gateway lets any key of the stage through). The error handler's table answers them like the domain's errors.
"""

from __future__ import annotations

from shared.domain.errors import ServiceError


class UnsupportedBody(ServiceError):
    """The body is not JSON by its Content-Type."""


class BodyTooLarge(ServiceError):
    """The body is larger than a submission can be."""


class AdminKeyRequired(ServiceError):
    """The request carries an API key of the stage, but not the admin key (the write key game clients carry, say)."""

    def __init__(self) -> None:
        super().__init__(
            "Forbidden: this route needs the stage's admin API key in the x-api-key header; this request's key is "
            "not the admin key."
        )


class IdempotencyKeyReused(ServiceError):
    """An Idempotency-Key sent again with a different request body (422, as the IETF draft says)."""


class IdempotencyKeyInUse(ServiceError):
    """An Idempotency-Key whose first request is still running (409, as the IETF draft says)."""
