"""A Middy-style middleware engine: `middy(handler).use(a).use(b)`.

`before` hooks run in order, then the handler, then `after` hooks in reverse; if anything raises, `on_error` hooks run
in reverse and the first one that returns a response handles the error (otherwise it propagates). A `before` hook
that returns a response ends the request early: the handler and the `after` hooks are skipped.

Two differences from Middy, both on purpose:
- An `after` hook that returns a value replaces the response and the remaining `after` hooks still run, so every
  one of them sees the final response. In Middy a returned value ends the chain at once.
- The handler gets the whole `Request`. What middlewares provide it (the validated input, a secret) travels in typed
  slots (`Slot[T]`), where Middy uses `request.internal` or attributes set on the context, which a type checker
  cannot follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

Event = dict[str, Any]
Response = dict[str, Any]


@dataclass
class Request:
    """One invocation as the middlewares see it."""

    event: Event
    context: Any
    response: Response | None = None
    error: Exception | None = None
    values: dict[Slot[Any], object] = field(default_factory=dict)


Hook = Callable[[Request], Response | None]
Handler = Callable[[Request], Response]


class Slot[T]:
    """A typed place on a Request where a middleware leaves a value for the handler."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def put(self, request: Request, value: T) -> None:
        request.values[self] = value

    def take(self, request: Request) -> T:
        if self not in request.values:
            raise LookupError(f"no middleware provided {self.name!r}")
        return cast(T, request.values[self])  # only put() writes under this slot, and it takes a T

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class Middleware(Protocol):
    """Any object with up to three hooks; a hook left as None is skipped."""

    @property
    def before(self) -> Hook | None: ...

    @property
    def after(self) -> Hook | None: ...

    @property
    def on_error(self) -> Hook | None: ...


class Middy:
    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._middlewares: list[Middleware] = []

    def use(self, middleware: Middleware) -> Middy:
        if middleware.before is None and middleware.after is None and middleware.on_error is None:
            raise TypeError(f"{middleware!r} has no hook: a middleware needs before, after or on_error")
        self._middlewares.append(middleware)
        return self

    def __call__(self, event: Event, context: Any) -> Response:
        request = Request(event=event, context=context)
        try:
            return self._run(request)
        except Exception as error:
            request.error = error
            for middleware in reversed(self._middlewares):
                if middleware.on_error is not None and (handled := middleware.on_error(request)) is not None:
                    request.response = handled
                    return handled
            raise

    def _run(self, request: Request) -> Response:
        for middleware in self._middlewares:
            if middleware.before is not None and (early := middleware.before(request)) is not None:
                request.response = early
                return early
        request.response = self._handler(request)
        for middleware in reversed(self._middlewares):
            if middleware.after is not None and (replaced := middleware.after(request)) is not None:
                request.response = replaced
        return request.response


def middy(handler: Handler) -> Middy:
    return Middy(handler)


@dataclass
class Hooks:
    """A middleware made of plain functions, for middlewares that need no state of their own."""

    before: Hook | None = None
    after: Hook | None = None
    on_error: Hook | None = None
