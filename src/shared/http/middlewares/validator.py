"""Validates the event with a domain parse function and puts the typed result into a slot of the request."""

from __future__ import annotations

from collections.abc import Callable

from shared.http.middy import Event, Hooks, Request, Slot


def validator[T](parse: Callable[[Event], T], into: Slot[T]) -> Hooks:
    """`parse` raises InvalidInput naming the rule broken; the error handler answers it."""

    def before(request: Request) -> None:
        into.put(request, parse(request.event))

    return Hooks(before=before)
