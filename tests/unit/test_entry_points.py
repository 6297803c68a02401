"""A route's Lambda entry point as `api_handler` and `keyless_handler` build it, end to end in-process: the typed
input and the Momento key reach the handler; GET answers carry ETags, are kept for the read-cache window and answer
304 to a client that has them; CORS on every answer; an SSM outage is a 503 whose retry may succeed. SSM is a fake
parameter source here (the integration tier holds the real ones)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import NamedTuple

import pytest

from shared.domain.errors import InvalidInput
from shared.http import page
from shared.http.api import LambdaHandler, admin_delete, api_handler, keyless_handler, outcome_metric
from shared.http.middlewares import conditional_reads, ssm_parameters
from shared.http.middlewares.conditional_reads import ReadCaching
from shared.http.middy import Event, Response
from shared.http.responses import accepted, ok
from shared.platform.config import settings
from shared.platform.secret import Secret
from tests.support.lambda_fakes import lambda_context

PARAMETER = "/leaderboard-api/unit/momento-api-key"
CONTEXT = lambda_context("leaderboard-api-unit-route")


class Source:
    """SSM as a parameter source: the key's current value, every fetch noted; `down` makes fetches fail."""

    def __init__(self) -> None:
        self.value = "momento-key-1"
        self.fetches: list[tuple[str, int, bool]] = []
        self.down = False

    def get(self, name: str, *, max_age: int, force_fetch: bool) -> str:
        self.fetches.append((name, max_age, force_fetch))
        if self.down:
            raise ConnectionError("SSM is unreachable")
        return self.value


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Source]:
    """A function's cold start: its variables (the read cache 2 s, CORS for one origin), SSM as a fake source."""
    for name, value in {
        "MOMENTO_API_KEY_PARAM_NAME": PARAMETER,
        "MOMENTO_CACHE_NAME": "leaderboard",
        "LEADERBOARD_TABLE_NAME": "leaderboard-unit",
        "CORS_ALLOW_ORIGIN": "https://scores.example",
        "READ_CACHE_SECONDS": "2",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    source = Source()
    monkeypatch.setattr(ssm_parameters, "default_source", lambda: source)
    settings.cache_clear()
    yield source
    settings.cache_clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(conditional_reads, "now", fake)
    return fake


class Board(NamedTuple):
    name: str


def parse_board(event: Event) -> Board:
    name = (event.get("pathParameters") or {}).get("leaderboard")
    if not isinstance(name, str) or not name.isalnum():
        raise InvalidInput("The leaderboard name must be letters and digits.")
    return Board(name)


def get(board: str = "weekly", **headers: str) -> Event:
    return {
        "httpMethod": "GET",
        "pathParameters": {"leaderboard": board},
        "headers": {"Origin": "https://scores.example", **headers},
        "requestContext": {"requestId": "req-7"},
    }


def test_a_read_route_gets_its_input_and_the_key_and_answers_with_an_etag_and_cors(ssm: Source, clock: Clock) -> None:
    seen: list[tuple[Board, str]] = []

    @api_handler(parse_board, reads=ReadCaching.SHARED)
    def read(board: Board, key: Secret) -> Response:
        seen.append((board, key.reveal()))
        return ok({"board": board.name, "top": len(seen)})

    answer = read(get(), CONTEXT)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"board": "weekly", "top": 1}
    assert seen == [(Board("weekly"), "momento-key-1")]
    assert ssm.fetches == [(PARAMETER, 300, False)]  # the key cached for MOMENTO_API_KEY_CACHE_SECONDS' default
    headers = answer["headers"]
    assert (headers["Access-Control-Allow-Origin"], headers["Vary"]) == ("https://scores.example", "Origin")
    assert headers["Cache-Control"] == "public, max-age=2"
    assert headers["ETag"].startswith('"')
    # Within the window the same answer comes from memory: no handler call, no SSM call.
    clock.now += 1.5
    again = read(get(), CONTEXT)
    assert (again["body"], again["headers"]["Age"], len(seen), len(ssm.fetches)) == (answer["body"], "2", 1, 1)
    # A client that has it gets a 304 with no body, its ETag and CORS.
    not_modified = read(get(**{"If-None-Match": headers["ETag"]}), CONTEXT)
    assert (not_modified["statusCode"], not_modified["body"]) == (304, "")
    assert not_modified["headers"]["ETag"] == headers["ETag"]
    assert not_modified["headers"]["Access-Control-Allow-Origin"] == "https://scores.example"
    # Past the window the handler is asked again, and the answer (changed) gets another tag.
    clock.now += 1
    fresh = read(get(**{"If-None-Match": headers["ETag"]}), CONTEXT)
    assert (fresh["statusCode"], json.loads(fresh["body"])["top"]) == (200, 2)
    assert fresh["headers"]["ETag"] != headers["ETag"]


def test_bad_input_is_a_400_before_the_key_is_fetched(ssm: Source) -> None:
    @api_handler(parse_board)
    def read(board: Board, key: Secret) -> Response:
        raise AssertionError("not reached")

    answer = read(get("not a name"), CONTEXT)
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"]) == {
        "message": "The leaderboard name must be letters and digits.",
        "requestId": "req-7",
    }
    assert answer["headers"]["Access-Control-Allow-Origin"] == "https://scores.example"
    assert ssm.fetches == []


def test_a_write_route_parses_its_json_body_and_ssm_down_at_the_first_request_is_a_503(ssm: Source) -> None:
    def parse_score(event: Event) -> float:
        body = event["body"]
        assert isinstance(body, dict)  # parsed by the JSON body parser before the rules run
        return float(body["score"])

    @api_handler(parse_score, json_body=True)
    def submit(score: float, key: Secret) -> Response:
        return accepted({"scoreOnBoard": score})

    post = {
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"score": 42}',
        "requestContext": {"requestId": "req-8"},
    }
    ssm.down = True
    failed = submit(dict(post), CONTEXT)
    assert failed["statusCode"] == 503
    assert failed["headers"]["Retry-After"] == "1"
    assert "configuration is temporarily unavailable" in json.loads(failed["body"])["message"]
    ssm.down = False
    answer = submit(dict(post), CONTEXT)
    assert (answer["statusCode"], json.loads(answer["body"])) == (202, {"scoreOnBoard": 42.0})
    assert "ETag" not in answer["headers"]  # only read routes are tagged


class Stores:
    """What a route's `connect` opens: each key it was given, in order; `down` makes it fail as a store would."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.down = False

    def connect(self, key: Secret) -> None:
        if self.down:
            raise TimeoutError("Momento did not answer")
        self.keys.append(key.reveal())


class RuntimeHooks(ModuleType):
    """Lambda's `snapshot_restore_py` as its Python runtime provides it under SnapStart: the hooks registered."""

    def __init__(self) -> None:
        super().__init__("snapshot_restore_py")
        self.after_restore: list[Callable[[], object]] = []

    def register_after_restore(self, hook: Callable[[], object]) -> None:
        self.after_restore.append(hook)


def read_route(stores: Stores) -> LambdaHandler:
    @api_handler(parse_board, connect=stores.connect)
    def read(board: Board, key: Secret) -> Response:
        return ok({"board": board.name, "key": key.reveal()})

    return read


def test_connect_fetches_the_key_and_opens_the_stores_at_init_so_the_first_request_fetches_nothing(
    ssm: Source,
) -> None:
    stores = Stores()
    read = read_route(stores)
    # At init: one fetch, and the stores opened with its key
    assert (ssm.fetches, stores.keys) == ([(PARAMETER, 300, False)], ["momento-key-1"])
    # The first request uses both as they are
    answer = read(get(), CONTEXT)
    assert json.loads(answer["body"]) == {"board": "weekly", "key": "momento-key-1"}
    assert (len(ssm.fetches), stores.keys) == (1, ["momento-key-1"])


@pytest.mark.parametrize("failing", ["ssm", "store"])
def test_a_failure_at_init_is_logged_and_left_to_the_first_request(
    ssm: Source, failing: str, caplog: pytest.LogCaptureFixture
) -> None:
    stores = Stores()
    ssm.down = failing == "ssm"
    stores.down = failing == "store"
    read = read_route(stores)  # does not raise: init goes on
    assert stores.keys == []
    assert "Could not connect before the first request" in caplog.text
    # While SSM is still down the first request is a 503; once it answers, requests are served
    if failing == "ssm":
        assert read(get(), CONTEXT)["statusCode"] == 503
        ssm.down = False
    answer = read(get(), CONTEXT)
    assert (answer["statusCode"], json.loads(answer["body"])["key"]) == (200, "momento-key-1")


def test_after_a_snapstart_restore_the_key_is_fetched_anew_and_the_stores_opened_again(
    ssm: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = RuntimeHooks()
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    stores = Stores()
    read = read_route(stores)
    assert len(runtime.after_restore) == 1
    # Given a snapshot taken after init, restored once the key was rotated
    ssm.value = "momento-key-2"
    runtime.after_restore[0]()
    # Then the key was fetched past every cache, the stores opened with the new one, and requests use it
    assert ssm.fetches[-1] == (PARAMETER, 300, True)
    assert stores.keys == ["momento-key-1", "momento-key-2"]
    assert json.loads(read(get(), CONTEXT)["body"])["key"] == "momento-key-2"


def test_an_admin_delete_removes_what_it_parses_and_answers_204_whether_or_not_it_was_there(ssm: Source) -> None:
    removed: list[tuple[Board, str]] = []
    stores = Stores()
    delete = admin_delete(parse_board, lambda board, key: removed.append((board, key.reveal())), connect=stores.connect)
    assert stores.keys == ["momento-key-1"]  # connected at init
    for _ in range(2):  # the same DELETE again: the same answer
        answer = delete({**get(), "httpMethod": "DELETE"}, CONTEXT)
        assert (answer["statusCode"], answer["body"]) == (204, "")
    assert removed == [(Board("weekly"), "momento-key-1")] * 2


def test_the_board_page_needs_no_key_and_is_revalidated_on_every_request(ssm: Source) -> None:
    calls: list[None] = []

    @keyless_handler(page.parse_page_request)
    def board_page(_: None) -> Response:
        calls.append(None)
        return page.page_response()

    answer = board_page(get(), CONTEXT)
    assert answer["statusCode"] == 200
    assert answer["body"] == page.HTML
    assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert answer["headers"]["Cache-Control"] == "no-cache"
    assert answer["headers"]["Access-Control-Allow-Origin"] == "https://scores.example"
    not_modified = board_page(get(**{"If-None-Match": answer["headers"]["ETag"]}), CONTEXT)
    assert (not_modified["statusCode"], not_modified["body"]) == (304, "")
    assert len(calls) == 2  # never kept: each request is answered anew, and compared
    assert ssm.fetches == []


@pytest.mark.parametrize(("status", "metric"), [(200, "Status200"), (304, "Status304"), (503, "Status503")])
def test_each_outcome_is_counted_under_its_status(status: int, metric: str) -> None:
    assert outcome_metric(status) == metric
