"""Validates the event with a domain parse function and puts the typed result at `event["input"]`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.http_errors import bad_request
from shared.leaderboard import InvalidInputError
from shared.middy import Hooks, Request


def validator(parse: Callable[[dict[str, Any]], Any]) -> Hooks:
    """`parse` raises InvalidInputError naming the rule broken; that becomes a 400 with the same words."""

    def before(request: Request) -> None:
        try:
            request.event["input"] = parse(request.event)
        except InvalidInputError as error:
            raise bad_request(str(error)) from None

    return Hooks(before=before)
