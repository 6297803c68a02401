"""Who may call what, in the service's own terms: a request the gateway let through that a route still refuses.

Kept apart from errors.py (the rules, the store, the key): only the admin routes raise this, and only when the stack
protects them with an API key (AdminAuth=API_KEY), because API Gateway lets any key of the stage through there.
"""

from __future__ import annotations

from shared.domain.errors import ServiceError


class AdminKeyRequired(ServiceError):
    """The request carries an API key of the stage, but not the admin key (the write key game clients carry, say)."""

    def __init__(self) -> None:
        super().__init__(
            "Forbidden: this route needs the stage's admin API key in the x-api-key header; this request's key is "
            "not the admin key."
        )
