"""ETags, 304s and the page cache of the GET routes, on a chain with a counting handler and a clock the test moves."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest

from shared.http.etag import etag_of, none_match
from shared.http.middlewares import conditional_reads as module
from shared.http.middlewares.conditional_reads import ReadCache, ReadCaching, conditional_reads
from shared.http.middlewares.http_error_handler import http_error_handler
from shared.http.middlewares.validator import validator
from shared.http.middy import Event, Middy, Request, Response, Slot, middy
from shared.http.responses import ok

WINDOW = 2.0


class Page(NamedTuple):
    board: str
    start: int


def parse(event: Event) -> Page:
    query = event.get("queryStringParameters") or {}
    return Page(event["pathParameters"]["board"], int(query.get("startRank", "0")))


class Board:
    """The handler: answers the board's current top score, counting how often it is asked (each ask is a fetch)."""

    def __init__(self) -> None:
        self.top = 1
        self.fetches = 0

    def __call__(self, request: Request) -> Response:
        self.fetches += 1
        page = slot.take(request)
        if page.board == "missing":
            return {"statusCode": 404, "headers": {}, "body": '{"message":"no"}', "isBase64Encoded": False}
        return ok({"board": page.board, "start": page.start, "top": self.top})


slot: Slot[Page] = Slot("input")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(module, "now", fake)
    return fake


def chain(board: Board, caching: ReadCaching, seconds: float = WINDOW, capacity: int = 256) -> Middy:
    cache = ReadCache(seconds, capacity)
    return (
        middy(board)
        .use(http_error_handler())
        .use(validator(parse, into=slot))
        .use(conditional_reads(caching, slot, cache))
    )


def get(handler: Middy, board: str = "weekly", start: int = 0, if_none_match: str | None = None) -> Response:
    headers = {"If-None-Match": if_none_match} if if_none_match else {}
    event = {"pathParameters": {"board": board}, "queryStringParameters": {"startRank": str(start)}, "headers": headers}
    return handler(event, None)


def body_of(response: Response) -> Any:
    return json.loads(response["body"])


# --- tags -------------------------------------------------------------------------------------------------------------


def test_the_tag_is_strong_quoted_and_changes_exactly_with_the_body() -> None:
    assert etag_of('{"a":1}') == etag_of('{"a":1}')
    assert etag_of('{"a":1}') != etag_of('{"a":2}')
    assert etag_of("é") != etag_of("e")
    tag = etag_of("x")
    assert tag[0] == tag[-1] == '"'
    assert len(tag) == 24  # 128 bits in base64url, quoted


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ('"abc"', True),
        ('W/"abc"', True),  # weak comparison: a CDN that compressed our answer hands out W/"abc"
        ('"x", "abc"', True),
        ('"x",W/"abc" ', True),
        ("*", True),
        ('"abcd"', False),
        ('"ab"', False),
        ("abc", False),  # unquoted: not an entity tag
        ("", False),
    ],
)
def test_if_none_match_follows_the_rfc(header: str | None, matches: bool) -> None:
    assert none_match(header, '"abc"') is matches


# --- every GET: tag, Cache-Control, 304 ---------------------------------------------------------------------------


@pytest.mark.parametrize("caching", list(ReadCaching))
def test_a_current_tag_gets_304_with_no_body_and_the_tag(clock: Clock, caching: ReadCaching) -> None:
    board = Board()
    handler = chain(board, caching)
    first = get(handler)
    tag = first["headers"]["ETag"]
    clock.now += 0.5

    again = get(handler, if_none_match=tag)

    assert again["statusCode"] == 304
    assert again["body"] == ""
    assert again["headers"]["ETag"] == tag
    assert "Content-Type" not in again["headers"]
    assert again["headers"]["Cache-Control"] == first["headers"]["Cache-Control"]


def test_a_fresh_route_is_never_kept_and_its_tag_follows_the_answer(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.FRESH)
    first = get(handler)
    assert first["headers"]["Cache-Control"] == "no-cache"

    board.top = 2
    second = get(handler, if_none_match=first["headers"]["ETag"])

    assert second["statusCode"] == 200
    assert body_of(second)["top"] == 2
    assert second["headers"]["ETag"] != first["headers"]["ETag"]
    assert board.fetches == 2
    board.top = 1
    assert get(handler)["headers"]["ETag"] == first["headers"]["ETag"]  # the same answer, the same tag


def test_errors_carry_no_tag_and_are_never_kept(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED)
    first = get(handler, "missing")
    second = get(handler, "missing", if_none_match="*")
    assert first["statusCode"] == second["statusCode"] == 404
    assert "ETag" not in first["headers"]
    assert board.fetches == 2


# --- the shared page cache ------------------------------------------------------------------------------------------


def test_identical_reads_within_the_window_cost_one_fetch_and_say_their_age(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED)
    first = get(handler)
    assert first["headers"]["Cache-Control"] == "public, max-age=2"
    assert "Age" not in first["headers"]

    answers = []
    for _ in range(100):
        clock.now += 0.015
        answers.append(get(handler))

    assert board.fetches == 1
    assert all(a["body"] == first["body"] and a["headers"]["ETag"] == first["headers"]["ETag"] for a in answers)
    assert answers[-1]["headers"]["Age"] == "2"  # 1.5 s, rounded up: a downstream cache keeps it 0 s more


def test_a_kept_page_is_never_older_than_the_window(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED)
    written_at: dict[int, float] = {1: clock.now - 100}
    # A write every 0.3 s, a read every 0.1 s, for 10 windows.
    for step in range(200):
        clock.now += 0.1
        if step % 3 == 0:
            board.top += 1
            written_at[board.top] = clock.now
        shown = body_of(get(handler))["top"]
        newest_due = max(top for top, at in written_at.items() if at <= clock.now - WINDOW)
        assert shown >= newest_due, f"at {clock.now}: shows {shown}, but {newest_due} was written over 2 s ago"
    assert board.fetches <= 200 * 0.1 / WINDOW + 1  # one fetch per window


def test_the_window_counts_from_when_the_fetch_began(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED)
    get(handler)
    clock.now += WINDOW - 0.001
    get(handler)
    clock.now += 0.001
    board.top = 5
    assert body_of(get(handler))["top"] == 5
    assert board.fetches == 2


def test_the_key_is_the_parsed_request_so_each_page_is_its_own(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED)
    top, second_page, other_board = get(handler), get(handler, start=20), get(handler, "daily")
    assert [body_of(top)["start"], body_of(second_page)["start"], body_of(other_board)["board"]] == [0, 20, "daily"]
    assert board.fetches == 3
    event = {"pathParameters": {"board": "weekly"}, "queryStringParameters": {"unknown": "x"}, "headers": {}}
    assert handler(event, None)["body"] == top["body"]  # no startRank is startRank 0: the same entry
    assert board.fetches == 3


def test_a_304_from_the_cache_costs_no_fetch(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED)
    tag = get(handler)["headers"]["ETag"]
    clock.now += 1
    assert get(handler, if_none_match=tag)["statusCode"] == 304
    assert board.fetches == 1


def test_the_cache_is_bounded_least_recently_used_first_out(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED, capacity=3)
    for start in (0, 20, 40):
        get(handler, start=start)
    get(handler, start=0)  # used again: 20 is now the oldest
    get(handler, start=60)  # evicts 20
    assert board.fetches == 4
    get(handler, start=0)
    get(handler, start=40)
    assert board.fetches == 4
    get(handler, start=20)
    assert board.fetches == 5


def test_zero_seconds_keeps_nothing_and_says_no_cache(clock: Clock) -> None:
    board = Board()
    handler = chain(board, ReadCaching.SHARED, seconds=0)
    first, second = get(handler), get(handler)
    assert board.fetches == 2
    assert first["headers"]["Cache-Control"] == second["headers"]["Cache-Control"] == "no-cache"
    assert first["headers"]["ETag"] == second["headers"]["ETag"]
