"""GET /, the board page, as every client of the API sees it: in-process, over `make dev`, `make sam-test` and a
deployed stage (`make e2e`). What the page does in a browser is tests/browser's; here is what the route answers."""

from __future__ import annotations

from tests.contract.conftest import LOCAL_API_KEY
from tests.support.api_client import ApiClient, ApiResponse


def policy_of(response: ApiResponse) -> dict[str, str]:
    directives = response.headers["Content-Security-Policy"].split("; ")
    return dict(directive.split(" ", 1) for directive in directives)


def test_the_root_answers_the_board_page_whatever_its_query_says(api: ApiClient) -> None:
    # When a browser opens the API's root, plain or with the page's own options
    plain = api.board_page()
    with_options = api.board_page({"board": "weekly", "embed": "1", "top": "5"})

    # Then both are the same small HTML page, which its script reads the options from
    for response in (plain, with_options):
        assert response.status == 200, response.text
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.text.startswith("<!doctype html>")
        assert "<table" in response.text
    assert with_options.text == plain.text
    assert with_options.headers["ETag"] == plain.headers["ETag"]
    assert len(plain.text.encode("utf-8")) < 40 * 1024


def test_the_page_may_run_only_its_own_code_and_read_only_the_api(api: ApiClient) -> None:
    policy = policy_of(api.board_page())
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert policy["script-src"].startswith("'sha256-")
    assert " " not in policy["script-src"], "exactly one script is allowed"
    assert not any("'unsafe-inline'" in sources for sources in policy.values())


def test_the_page_holds_no_key(api: ApiClient) -> None:
    text = api.board_page().text
    assert LOCAL_API_KEY not in text
    assert "x-api-key" not in text.lower()


def test_a_browser_holding_the_page_gets_304_with_no_body(api: ApiClient) -> None:
    tag = api.board_page().headers["ETag"]
    again = api.board_page(headers={"If-None-Match": tag})
    assert again.status == 304, again.text
    assert again.text == ""
    assert again.headers["ETag"] == tag


def test_the_page_shadows_no_board(api: ApiClient, board: str) -> None:
    # Given a board with a score
    assert api.submit(board, "ada", {"score": 42}).status == 202

    # Then the board's own address is still its JSON page, and the root is still the HTML
    page = api.page(board)
    assert page.status == 200, page.text
    assert page.headers["Content-Type"].startswith("application/json")
    assert [entry["name"] for entry in page.json()["leaderboard"]] == ["ada"]
    assert api.board_page({"board": board}).headers["Content-Type"] == "text/html; charset=utf-8"
