"""The middleware engine's ordering, early-return and error rules."""

from __future__ import annotations

from typing import Any

import pytest

from shared.http.middy import Hooks, Request, Response, Slot, middy


class Recorder:
    """A middleware that records each hook it runs, and can answer or raise on demand."""

    def __init__(self, name: str, log: list[str], answer_in: str | None = None, raise_in: str | None = None) -> None:
        self.name, self.log, self.answer_in, self.raise_in = name, log, answer_in, raise_in

    def _hook(self, phase: str, request: Request) -> Response | None:
        self.log.append(f"{self.name}.{phase}")
        if self.raise_in == phase:
            raise RuntimeError(f"{self.name} failed in {phase}")
        return {"statusCode": 299, "by": self.name} if self.answer_in == phase else None

    def before(self, request: Request) -> Response | None:
        return self._hook("before", request)

    def after(self, request: Request) -> Response | None:
        return self._hook("after", request)

    def on_error(self, request: Request) -> Response | None:
        return self._hook("on_error", request)


def handler_logging(log: list[str], fail: bool = False) -> Any:
    def handler(request: Request) -> Response:
        log.append("handler")
        if fail:
            raise ValueError("handler failed")
        return {"statusCode": 200}

    return handler


def test_before_in_order_then_handler_then_after_in_reverse() -> None:
    log: list[str] = []
    chain = middy(handler_logging(log)).use(Recorder("a", log)).use(Recorder("b", log))
    assert chain({}, None) == {"statusCode": 200}
    assert log == ["a.before", "b.before", "handler", "b.after", "a.after"]


def test_a_before_that_answers_ends_the_request_early() -> None:
    log: list[str] = []
    chain = (
        middy(handler_logging(log))
        .use(Recorder("a", log))
        .use(Recorder("b", log, answer_in="before"))
        .use(Recorder("c", log))
    )
    assert chain({}, None) == {"statusCode": 299, "by": "b"}
    assert log == ["a.before", "b.before"]  # c.before, the handler and every after are skipped


def test_on_error_runs_in_reverse_and_the_first_answer_handles_the_error() -> None:
    log: list[str] = []
    chain = (
        middy(handler_logging(log, fail=True))
        .use(Recorder("a", log, answer_in="on_error"))
        .use(Recorder("b", log, answer_in="on_error"))
        .use(Recorder("c", log))
    )
    assert chain({}, None) == {"statusCode": 299, "by": "b"}
    assert log == ["a.before", "b.before", "c.before", "handler", "c.on_error", "b.on_error"]


def test_an_unhandled_error_propagates_after_every_on_error() -> None:
    log: list[str] = []
    chain = middy(handler_logging(log, fail=True)).use(Recorder("a", log)).use(Recorder("b", log))
    with pytest.raises(ValueError, match="handler failed"):
        chain({}, None)
    assert log[-2:] == ["b.on_error", "a.on_error"]


def test_errors_in_before_and_after_hooks_reach_on_error_too() -> None:
    seen: list[Exception | None] = []

    def capture(request: Request) -> Response:
        seen.append(request.error)
        return {"statusCode": 500}

    for phase in ("before", "after"):
        log: list[str] = []
        seen.clear()

        chain = middy(handler_logging(log)).use(Hooks(on_error=capture)).use(Recorder("x", log, raise_in=phase))
        assert chain({}, None) == {"statusCode": 500}
        assert isinstance(seen[0], RuntimeError)


def test_an_after_hook_can_replace_the_response() -> None:
    chain = middy(handler_logging([])).use(Hooks(after=lambda request: {**(request.response or {}), "extra": True}))
    assert chain({}, None) == {"statusCode": 200, "extra": True}


def test_after_a_replacement_the_remaining_after_hooks_still_run_and_see_it() -> None:
    # Unlike Middy, where a value returned by an after hook ends the chain at once.
    seen: list[Response | None] = []

    def record(request: Request) -> None:
        seen.append(request.response)

    chain = middy(handler_logging([])).use(Hooks(after=record)).use(Hooks(after=lambda request: {"statusCode": 201}))
    assert chain({}, None) == {"statusCode": 201}
    assert seen == [{"statusCode": 201}]


def test_a_middleware_without_any_hook_is_refused() -> None:
    with pytest.raises(TypeError, match="no hook"):
        middy(handler_logging([])).use(Hooks())


def test_a_slot_carries_a_typed_value_from_a_hook_to_the_handler() -> None:
    number: Slot[int] = Slot("number")

    def handler(request: Request) -> Response:
        return {"statusCode": 200, "doubled": number.take(request) * 2}

    chain = middy(handler).use(Hooks(before=lambda request: number.put(request, 21)))
    assert chain({}, None) == {"statusCode": 200, "doubled": 42}


def test_a_slot_no_middleware_filled_is_an_error_naming_it() -> None:
    number: Slot[int] = Slot("number")
    with pytest.raises(LookupError, match="'number'"):
        middy(lambda request: {"statusCode": 200, "n": number.take(request)})({}, None)


def test_hooks_share_the_event_and_context_with_the_handler() -> None:
    def before(request: Request) -> None:
        request.event["seen"] = True
        request.context.tag = "ctx"

    class Context:
        tag = ""

    def handler(request: Request) -> Response:
        return {"statusCode": 200, "seen": request.event["seen"], "tag": request.context.tag}

    assert middy(handler).use(Hooks(before=before))({}, Context()) == {"statusCode": 200, "seen": True, "tag": "ctx"}
