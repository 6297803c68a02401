"""Conditional GETs and the page cache, over both transports with the template's default ReadCacheSeconds (2): the
functions in-process, and `make dev`'s server started as a developer starts it (no parameter overridden).

The rest of the contract suite runs with the cache off, because it reads its own writes at once; these tests are
the ones that see what a client of a default stack sees."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.contract.conftest import END_TO_END_ONLY, LOCAL_API_KEY, SAM_LOCAL
from tests.support.api_client import ApiClient, ApiResponse, HttpClient, HttpTarget, InProcessClient
from tests.support.dev_server import DevServerProcess

WINDOW_SECONDS = 2  # template.yaml's ReadCacheSeconds default


@pytest.fixture(scope="module")
def default_dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpTarget]:
    log_path: Path = tmp_path_factory.mktemp("dev-server-cached") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--api-key", LOCAL_API_KEY, log=log)
        yield HttpTarget(server.url, api_key=LOCAL_API_KEY)
        server.stop()


@pytest.fixture(params=["in-process", "http"])
def api(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    if END_TO_END_ONLY or SAM_LOCAL:
        pytest.skip("the stages `make e2e` and `make sam-test` run are deployed with ReadCacheSeconds=0")
    if request.param == "in-process":
        request.getfixturevalue("service_environment")
        monkeypatch.setenv("READ_CACHE_SECONDS", str(WINDOW_SECONDS))
        return InProcessClient(request.getfixturevalue("service"))
    # A client that reads pages as they come, without waiting for its own writes to show (what is tested here).
    target, session = request.getfixturevalue("default_dev_server"), request.getfixturevalue("http_session")
    return HttpClient(target, session, see_own_writes=False)


def submit(api: ApiClient, board: str, name: str, score: float) -> None:
    response = api.submit(board, name, {"score": score})
    assert response.status == 202, response.text


def ok(response: ApiResponse) -> ApiResponse:
    assert response.status == 200, response.text
    assert response.headers["ETag"], "every 200 of a GET carries a tag"
    return response


def assert_not_modified(response: ApiResponse, tag: str) -> None:
    assert response.status == 304, response.text
    assert response.text == ""
    assert response.headers["ETag"] == tag
    assert "Content-Type" not in response.headers
    assert "Content-Length" not in response.headers  # it could only be the 200's length


def test_every_get_says_its_tag_and_how_long_it_may_be_kept(api: ApiClient, board: str) -> None:
    submit(api, board, "ada", 10)

    page, standing, around = api.page(board), api.standing(board, "ada"), api.around(board, "ada")

    assert ok(page).headers["Cache-Control"] == f"public, max-age={WINDOW_SECONDS}"
    assert ok(standing).headers["Cache-Control"] == "no-cache"  # a player's own view: always revalidated
    assert ok(around).headers["Cache-Control"] == "no-cache"
    assert len({page.headers["ETag"], standing.headers["ETag"], around.headers["ETag"]}) == 3


def test_a_poller_holding_the_current_tag_gets_304_with_no_body(api: ApiClient, board: str) -> None:
    submit(api, board, "ada", 10)
    reads: list[Callable[[dict[str, str] | None], ApiResponse]] = [
        lambda headers: api.page(board, headers=headers),
        lambda headers: api.standing(board, "ada", headers=headers),
        lambda headers: api.around(board, "ada", headers=headers),
    ]
    for read in reads:
        tag = ok(read(None)).headers["ETag"]

        assert_not_modified(read({"If-None-Match": tag}), tag)
        assert_not_modified(read({"If-None-Match": f'"stale", W/{tag}'}), tag)
        assert ok(read({"If-None-Match": '"stale"'})).headers["ETag"] == tag


def test_a_players_standing_shows_their_write_at_once(api: ApiClient, board: str) -> None:
    submit(api, board, "ada", 10)
    before = ok(api.standing(board, "ada"))

    submit(api, board, "ada", 25)
    after = api.standing(board, "ada", headers={"If-None-Match": before.headers["ETag"]})

    assert ok(after).json()["score"] == 25
    assert after.headers["ETag"] != before.headers["ETag"]
    assert ok(api.around(board, "ada")).json()["leaderboard"][0]["score"] == 25


def test_a_standing_is_never_another_players(api: ApiClient, board: str) -> None:
    submit(api, board, "ada", 10)
    submit(api, board, "bob", 20)
    ada = ok(api.standing(board, "ada"))

    bob = api.standing(board, "bob", headers={"If-None-Match": ada.headers["ETag"]})

    assert ok(bob).json() == {"score": 20, "rank": 0}
    assert bob.headers["ETag"] != ada.headers["ETag"]
    assert ok(api.standing(board, "ada")).json() == {"score": 10, "rank": 1}


def test_the_page_tag_changes_exactly_when_the_page_does(api: ApiClient, board: str) -> None:
    submit(api, board, "ada", 10)
    first = ok(api.page(board))
    time.sleep(WINDOW_SECONDS)

    unchanged = ok(api.page(board))
    submit(api, board, "ada", 10)  # the same score again: the same answer
    time.sleep(WINDOW_SECONDS)
    still = api.page(board, headers={"If-None-Match": first.headers["ETag"]})
    submit(api, board, "bob", 20)
    time.sleep(WINDOW_SECONDS)
    changed = api.page(board, headers={"If-None-Match": first.headers["ETag"]})

    assert unchanged.headers["ETag"] == first.headers["ETag"]
    assert_not_modified(still, first.headers["ETag"])
    assert [entry["name"] for entry in ok(changed).json()["leaderboard"]] == ["bob", "ada"]
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_a_page_is_never_older_than_read_cache_seconds(api: ApiClient, board: str) -> None:
    """A writer raises the top score every 0.1 s for 3 windows while a reader polls the page: every page shows at
    least the score whose 202 came more than ReadCacheSeconds before the read began, and some pages are kept ones
    (the cache is on)."""
    submit(api, board, "ada", 1)
    acknowledged: list[tuple[float, int]] = [(time.monotonic(), 1)]
    stop = threading.Event()

    def write() -> None:
        score = 1
        while not stop.is_set():
            score += 1
            submit(api, board, "ada", score)
            acknowledged.append((time.monotonic(), score))
            time.sleep(0.1)

    writer = threading.Thread(target=write)
    writer.start()
    reads: list[tuple[float, int, int]] = []  # began, top score shown, newest score acknowledged by then
    try:
        deadline = time.monotonic() + 3 * WINDOW_SECONDS
        while time.monotonic() < deadline:
            began = time.monotonic()
            due = max((score for at, score in list(acknowledged) if at <= began - WINDOW_SECONDS), default=1)
            newest = acknowledged[-1][1]
            shown = ok(api.page(board)).json()["leaderboard"][0]["score"]
            reads.append((began, shown, newest))
            assert shown >= due, f"a page showed {shown} when {due} was acknowledged over {WINDOW_SECONDS} s before"
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join()
    kept = [read for read in reads if read[1] < read[2]]
    assert len(kept) > len(reads) / 2, "most reads are served from the kept page"
