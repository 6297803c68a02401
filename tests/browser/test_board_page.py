"""The board page as people use it, in Headless Chromium against the dev server: what it shows, how it stays live,
that hostile names stay text, the overlay mode, and its layout on a phone and a desktop (structure, not pixels)."""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from typing import Any
from urllib.parse import quote

import pytest
import requests
from botocore.credentials import Credentials

from devserver.local_aws import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from tests.browser.conftest import API_KEY, Watched, screenshots_dir
from tests.support import ROOT
from tests.support.api_client import HttpClient, HttpTarget
from tests.support.dev_server import DevServerProcess

# The page's CSP forbids eval, so waits use selectors and `expect`, never a JavaScript string predicate.
expect = pytest.importorskip("playwright.sync_api").expect

FAST = "&every=0.5"  # poll every half second (the page's default is 3 s), so a test waits little
WAIT_MS = 15_000


def fresh_board() -> str:
    return f"page-{uuid.uuid4().hex[:10]}"


def board_of_25(api_url: str) -> str:
    """A fresh board of 25 players, p00 (1,000) to p24 (976): a full first page and five on the second."""
    board = fresh_board()
    for index in range(25):
        submit(api_url, board, f"p{index:02d}", 1000 - index)
    return board


def submit(api_url: str, board: str, name: str, score: float) -> None:
    response = requests.post(
        f"{api_url}/{board}/{quote(name, safe='')}",
        json={"score": score},
        headers={"x-api-key": API_KEY},
        timeout=30,
    )
    assert response.status_code == 202, response.text


def rows(watched: Watched, body: str = "#rows") -> list[list[str]]:
    """The table's rows as the reader sees them: rank, name and score text of each."""
    texts: list[list[str]] = watched.page.eval_on_selector_all(
        f"{body} tr",
        "rows => rows.map(row => [...row.cells].map(cell => cell.querySelector('bdi')"
        " ? cell.querySelector('bdi').textContent : cell.firstChild ? cell.firstChild.textContent : ''))",
    )
    return texts


def shown(entries: list[dict[str, Any]]) -> list[list[str]]:
    """What the page should show for the API's entries, in en-US: 1-based ranks, names exactly, grouped scores."""
    return [[f"{entry['rank'] + 1:,}", entry["name"], f"{entry['score']:,}"] for entry in entries]


def api_page(api_url: str, board: str, start: int = 0, end: int = 20) -> dict[str, Any]:
    answer: dict[str, Any] = requests.get(
        f"{api_url}/{board}", params={"startRank": start, "endRank": end}, timeout=30
    ).json()
    return answer


def test_the_demo_board_renders_the_apis_entries_in_order_with_its_settings(api_url: str, open_page: Any) -> None:
    watched = open_page(f"{api_url}/?board=demo")
    watched.page.wait_for_selector("#rows td.name")

    expected = api_page(api_url, "demo")
    assert rows(watched) == shown(expected["leaderboard"])
    assert watched.page.text_content("#total") == f"{expected['total']:,}"
    assert watched.page.text_content("#order") == "highest first"
    assert watched.page.text_content("#ties") == "distinct ranks"
    assert watched.page.text_content("#board-caption") == f"Ranks 1\N{EN DASH}20 of {expected['total']:,}"
    # The demo board keeps daily periods beside all time: the selector offers them
    options = watched.page.eval_on_selector_all("#period-select option", "os => os.map(o => o.value)")
    assert options == ["all", "daily", "daily:previous"]
    assert watched.errors == []  # a CSP refusal of the page's own style or script would be one


def test_paging_walks_the_board_and_never_offers_a_page_that_is_not_there(api_url: str, open_page: Any) -> None:
    board = board_of_25(api_url)
    watched = open_page(f"{api_url}/?board={board}")
    page = watched.page
    page.wait_for_selector("#rows td.name")
    assert page.is_disabled("#prev")

    page.click("#next")
    expect(page.locator("#board-caption")).to_have_text("Ranks 21\N{EN DASH}25 of 25")
    assert rows(watched) == shown(api_page(api_url, board, 20, 40)["leaderboard"])
    assert page.is_disabled("#next")
    assert "start=20" in page.url

    page.click("#prev")
    expect(page.locator("#board-caption")).to_have_text(re.compile("^Ranks 1\N{EN DASH}20 "))
    assert rows(watched)[0] == ["1", "p00", "1,000"]


def test_around_me_shows_a_typed_players_neighbourhood(api_url: str, open_page: Any) -> None:
    watched = open_page(f"{api_url}/?board=demo")
    page = watched.page
    page.wait_for_selector("#rows td.name")
    name = api_page(api_url, "demo", 50, 51)["leaderboard"][0]["name"]

    page.fill("#around-input", name)
    page.press("#around-input", "Enter")  # keyboard only
    page.wait_for_selector("#around-rows td.name")

    around = requests.get(f"{api_url}/demo/{name}/around", params={"count": 5}, timeout=30).json()
    assert rows(watched, "#around-rows") == shown(around["leaderboard"])
    assert page.text_content("#around-rows tr.me bdi") == name

    page.fill("#around-input", "nobody-here")
    page.press("#around-input", "Enter")
    page.wait_for_selector("#around-message:not([hidden])")
    assert page.text_content("#around-message") == "Not on this board: nobody-here"


def test_a_write_through_the_api_appears_without_a_reload_and_the_moved_row_is_highlighted(
    api_url: str, open_page: Any
) -> None:
    board = fresh_board()
    submit(api_url, board, "ada", 10)
    submit(api_url, board, "v", 20)
    watched = open_page(f"{api_url}/?board={board}{FAST}")
    page = watched.page
    page.wait_for_selector("#rows td.name")
    assert [row[1] for row in rows(watched)] == ["v", "ada"]

    submit(api_url, board, "ada", 30)

    page.wait_for_selector("#rows tr.up", timeout=WAIT_MS)
    assert [row[1] for row in rows(watched)] == ["ada", "v"]
    assert page.text_content("#rows tr.up bdi") == "ada"
    assert watched.errors == []


def test_polling_sends_the_etag_back_and_gets_304_while_nothing_changed(api_url: str, open_page: Any) -> None:
    board = fresh_board()
    submit(api_url, board, "ada", 1)
    watched = open_page(f"{api_url}/?board={board}{FAST}")
    watched.page.wait_for_selector("#rows td.name")

    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline and not any(
        f"/{board}?" in url and status == 304 for url, status in watched.answers
    ):
        watched.page.wait_for_timeout(200)
    statuses = [status for url, status in watched.answers if f"/{board}?" in url]
    assert statuses[0] == 200
    assert 304 in statuses
    assert rows(watched) == [["1", "ada", "1"]]  # a 304 keeps what is shown


def polling_board(api_url: str, open_page: Any) -> tuple[str, Any]:
    """A fresh board with one player, open and read every 0.3 s: the board's name and the watched page."""
    board = fresh_board()
    submit(api_url, board, "ada", 1)
    watched = open_page(f"{api_url}/?board={board}&every=0.3")
    watched.page.wait_for_selector("#rows td.name")
    return board, watched


def set_hidden(page: Any, hidden: bool) -> None:
    """What the browser does when the tab is hidden or shown again."""
    page.evaluate(
        f"() => {{ Object.defineProperty(document, 'hidden', {{value: {str(hidden).lower()}, configurable: true}});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )


def test_polling_pauses_while_the_tab_is_hidden(api_url: str, open_page: Any) -> None:
    board, watched = polling_board(api_url, open_page)
    page = watched.page

    set_hidden(page, True)
    page.wait_for_timeout(400)  # a read already in flight may still land
    before = len([url for url, _ in watched.answers if f"/{board}?" in url])
    page.wait_for_timeout(1500)
    assert len([url for url, _ in watched.answers if f"/{board}?" in url]) == before

    set_hidden(page, False)
    page.wait_for_timeout(1000)
    assert len([url for url, _ in watched.answers if f"/{board}?" in url]) > before


def test_a_429_or_503_backs_off_for_retry_after(api_url: str, open_page: Any) -> None:
    board, watched = polling_board(api_url, open_page)
    page = watched.page
    refused: list[float] = []

    def busy(route: Any) -> None:
        refused.append(time.monotonic())
        if len(refused) == 1:
            route.fulfill(status=503, headers={"Retry-After": "2"}, body='{"message": "busy"}')
        else:
            route.continue_()

    page.route(f"**/{board}?*", busy)
    page.wait_for_selector("#status[data-backoff='2']", timeout=WAIT_MS)
    assert "trying again in 2 s" in (page.text_content("#status") or "")
    expect(page.locator("#status")).to_have_text(re.compile(r"^Live"), timeout=WAIT_MS)
    assert refused[1] - refused[0] >= 1.8  # waited for Retry-After, not the 0.3 s poll


def test_a_board_being_restored_shows_its_progress_then_its_players(
    dev_server: DevServerProcess, open_page: Any
) -> None:
    """Momento loses the 5,000-player demo board: the top comes back first, and a page far down says how far the
    restore got (the API's 503 says it) until the restore reaches it."""
    expected = api_page(dev_server.url, "demo", 4980, 5000)["leaderboard"]
    assert dev_server.flush_command is not None
    flushed = subprocess.run(
        ["/bin/sh", "-c", dev_server.flush_command], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert flushed.returncode == 0, flushed.stderr
    watched = open_page(f"{dev_server.url}/?board=demo&start=4980&every=0.5")
    page = watched.page
    # The first requests read the record (a few seconds on a busy machine), the next ones restore and say how far.
    expect(page.locator("#status")).to_have_text(
        re.compile(r"Restoring this board: [0-9,.\u202f\u00a0 ]+ of 5,000 players so far"), timeout=60_000
    )
    expect(page.locator("#status")).to_have_text(re.compile(r"^Live"), timeout=120_000)
    assert rows(watched)[: len(expected)] == shown(expected)[: len(rows(watched))]
    assert any(status == 503 and "startRank=4980" in url for url, status in watched.answers)


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    '"><script>alert(2)</script>',
    "<svg onload=alert(3)>",
    "مرحبا بالعالم 42",  # right to left (one script: a name that mixes Arabic and Hebrew is refused)
    "José María 🏎",
]


def test_hostile_names_render_as_text_and_no_script_runs(api_url: str, open_page: Any) -> None:
    board = fresh_board()
    for index, name in enumerate(HOSTILE):
        submit(api_url, board, name, 100 - index)
    watched = open_page(f"{api_url}/?board={board}&name={quote(HOSTILE[0])}")
    page = watched.page
    page.wait_for_selector("#around-rows td.name")

    assert [row[1] for row in rows(watched)] == HOSTILE
    assert page.eval_on_selector_all("#rows img, #rows svg, #rows script, #around img", "found => found.length") == 0
    assert page.text_content("#around-caption") == "Around " + HOSTILE[0]
    # A hostile board name typed into the field is text too (the API refuses it; its message is shown as text)
    page.fill("#board-input", "<img src=x onerror=alert(4)>")
    page.press("#board-input", "Enter")
    page.wait_for_selector("#status.error")
    assert page.eval_on_selector_all("img, svg", "found => found.length") == 0
    page.wait_for_timeout(500)
    assert watched.dialogs == []
    assert watched.errors == [] or all("Failed to load resource" in error for error in watched.errors)


def test_the_overlay_shows_the_top_n_large_on_a_transparent_background_without_controls(
    api_url: str, open_page: Any
) -> None:
    watched = open_page(f"{api_url}/?board=demo&embed=1&top=10")
    page = watched.page
    page.wait_for_selector("#rows td.name")

    assert rows(watched) == shown(api_page(api_url, "demo", 0, 10)["leaderboard"])
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgba(0, 0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#rows td.name')).fontSize)") >= 28
    visible_controls = page.eval_on_selector_all(
        "input, select, button", "found => found.filter(e => e.offsetParent !== null).length"
    )
    assert visible_controls == 0
    if (folder := screenshots_dir()) is not None:
        # As a stream shows it: the transparent overlay over the picture behind it (OBS's browser source), here a
        # dark scene, so the README's image is not white text on the reader's white page.
        scene = page.context.new_page()
        scene.set_viewport_size({"width": 1280, "height": 720})  # a stream's frame
        scene.set_content(
            '<body style="margin:0;height:100vh;background:radial-gradient(circle at 70% 30%,#3a5f8f,#1b2238 55%,'
            '#07090f)"><iframe src="' + page.url + '" style="border:0;width:100%;height:100%;'
            'background:transparent" allowtransparency="true"></iframe></body>'
        )
        scene.frame_locator("iframe").locator("#rows td.name").first.wait_for()
        scene.screenshot(path=str(folder / "overlay.png"))
        scene.close()


def test_the_overlay_shows_the_largest_top_the_api_allows(api_url: str, open_page: Any) -> None:
    watched = open_page(f"{api_url}/?board=demo&embed=1&top=100")
    watched.page.wait_for_selector("#rows td.name")
    assert rows(watched) == shown(api_page(api_url, "demo", 0, 100)["leaderboard"])


def layout(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        """() => {
        const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top}; };
        const row = document.querySelector('#rows tr');
        return {
          width: window.innerWidth,
          scrollWidth: document.documentElement.scrollWidth,
          cells: [...row.cells].map(box),
          input: box(document.querySelector('#board-input')),
          heading: document.querySelector('h1').textContent,
          headers: [...document.querySelectorAll('#board thead th')].map(th => th.textContent),
          scopes: [...document.querySelectorAll('#board thead th')].map(th => th.getAttribute('scope')),
        };
    }"""
    )
    return found


@pytest.mark.parametrize(
    ("device", "width", "height"), [("phone", 390, 844), ("desktop", 1440, 900)], ids=["phone", "desktop"]
)
def test_the_board_reads_well_on_a_phone_and_a_desktop(
    api_url: str, open_page: Any, device: str, width: int, height: int
) -> None:
    watched = open_page(f"{api_url}/?board=demo", width=width, height=height, color_scheme="light")
    page = watched.page
    page.wait_for_selector("#rows td.name")
    found = layout(page)

    # Semantic table, nothing wider than the screen, each row's rank, name and score side by side in that order
    assert found["headers"] == ["Rank", "Player", "Score"]
    assert found["scopes"] == ["col", "col", "col"]
    assert found["scrollWidth"] <= found["width"]
    rank, name, score = found["cells"]
    assert rank["top"] == name["top"] == score["top"]
    assert rank["right"] <= name["left"] <= name["right"] <= score["left"]
    assert score["right"] <= found["width"]
    assert found["input"]["right"] <= found["width"]
    if device == "desktop":
        assert width - score["right"] > 100  # a readable column, not stretched across a wide screen
    if (folder := screenshots_dir()) is not None and device == "desktop":
        page.screenshot(path=str(folder / "board.png"), full_page=True)


def test_dark_mode_follows_the_readers_preference(api_url: str, open_page: Any) -> None:
    light = open_page(f"{api_url}/?board=demo", color_scheme="light").page
    dark = open_page(f"{api_url}/?board=demo", color_scheme="dark").page
    lightness = "() => getComputedStyle(document.documentElement).backgroundColor"
    assert light.evaluate(lightness) != dark.evaluate(lightness)
    assert dark.evaluate(lightness) == "rgb(18, 18, 22)"


def configure(api_url: str, board: str, settings: dict[str, Any]) -> None:
    """PUT /{board}, signed with the dev server's local credentials (its admin routes need SigV4, as IAM would)."""
    target = HttpTarget(api_url, admin_credentials=Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY))
    with requests.Session() as session:
        response = HttpClient(target, session).settings(board, settings)
    assert response.status == 200, response.text


def test_a_lower_is_better_board_with_shared_ranks_shows_them_as_the_api_gives_them(
    api_url: str, open_page: Any
) -> None:
    # Given a lap-time board (lowest first, shared ranks) with a tie inside the page and one across its last row
    board = fresh_board()
    configure(api_url, board, {"order": "asc", "ties": "shared"})
    times = {"ada": 61.5, "bo": 62.25, "cy": 62.25, **{f"p{index:02d}": 70 + index for index in range(16)}}
    times |= {"last": 99.0, "next-page": 99.0}  # ranks 19 and 20 (0-based): the 20th row and the 21st
    for name, lap in times.items():
        submit(api_url, board, name, lap)

    watched = open_page(f"{api_url}/?board={board}")
    page = watched.page
    page.wait_for_selector("#rows td.name")

    # Then the fastest is first, and every rank shared with another player says so, even with a player off the page
    entries = api_page(api_url, board)["leaderboard"]
    assert [entry["name"] for entry in entries][:3] == ["ada", "bo", "cy"]
    shown_rows = rows(watched)
    assert [row[1] for row in shown_rows] == [entry["name"] for entry in entries]
    assert [row[0] for row in shown_rows][:4] == ["1", "2=", "2=", "4"]
    assert shown_rows[-1][0] == "20="  # tied with the first player of the next page
    assert page.text_content("#order") == "lowest first"
    assert page.text_content("#ties") == "shared ranks"
    assert shown_rows[1][2] == "62.25"

    page.click("#next")
    expect(page.locator("#board-caption")).to_have_text("Ranks 20\N{EN DASH}20 of 21")
    assert rows(watched)[0][:2] == ["20=", "next-page"]


def test_numbers_follow_the_readers_locale(api_url: str, open_page: Any) -> None:
    board = fresh_board()
    submit(api_url, board, "ada", 1234567.5)
    watched = open_page(f"{api_url}/?board={board}", locale="de-DE")
    watched.page.wait_for_selector("#rows td.name")
    assert rows(watched) == [["1", "ada", "1.234.567,5"]]


def test_the_period_selector_reads_the_previous_day(api_url: str, open_page: Any) -> None:
    # The demo board keeps daily periods, with players scored yesterday
    watched = open_page(f"{api_url}/?board=demo")
    page = watched.page
    page.wait_for_selector("#rows td.name")
    assert page.is_hidden("#period-fact")  # all time is listed first: no period to name

    page.select_option("#period-select", "daily:previous")

    expect(page.locator("#period-fact")).to_be_visible()
    yesterday = requests.get(f"{api_url}/demo", params={"period": "daily:previous"}, timeout=30).json()
    expect(page.locator("#period")).to_have_text(f"daily {yesterday['period']['id']}")
    assert rows(watched) == shown(yesterday["leaderboard"][:20])
    assert "period=daily%3Aprevious" in page.url


def test_every_control_is_reachable_and_works_from_the_keyboard(api_url: str, open_page: Any) -> None:
    board = board_of_25(api_url)
    watched = open_page(f"{api_url}/")
    page = watched.page
    expect(page.locator("#status")).to_have_text("Type a board's name to show it.")

    # Tab reaches the board field first; typing a name and Enter shows it
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "board-input"
    page.keyboard.type(board)
    page.keyboard.press("Enter")
    page.wait_for_selector("#rows td.name")

    # Then Tab walks the controls in reading order, passing over the disabled "Previous page"
    assert [tab(page) for _ in range(4)] == ["Show", "next", "around-input", "Find"]

    # Space on "Next page" pages on; from the first field again, Tab now reaches "Previous page", and Enter pages back
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "next"
    page.keyboard.press("Space")
    expect(page.locator("#board-caption")).to_have_text("Ranks 21\N{EN DASH}25 of 25")
    page.focus("#board-input")  # where the first Tab landed
    assert [tab(page) for _ in range(2)] == ["Show", "prev"]
    page.keyboard.press("Enter")
    expect(page.locator("#board-caption")).to_have_text("Ranks 1\N{EN DASH}20 of 25")


def tab(page: Any) -> str:
    """Press Tab; what has the focus then: its id, or a button's text."""
    page.keyboard.press("Tab")
    focused: str = page.evaluate("document.activeElement.id || document.activeElement.textContent")
    return focused


def test_a_past_period_named_in_the_url_is_shown_and_selected(api_url: str, open_page: Any) -> None:
    yesterday = requests.get(f"{api_url}/demo", params={"period": "daily:previous"}, timeout=30).json()["period"]
    named = f"daily:{yesterday['id']}"
    watched = open_page(f"{api_url}/?board=demo&period={quote(named)}")
    page = watched.page
    page.wait_for_selector("#rows td.name")

    assert page.input_value("#period-select") == named
    assert page.text_content("#period-select option:checked") == f"Day {yesterday['id']}"
    assert page.text_content("#period") == f"daily {yesterday['id']}"


def test_a_bad_period_in_the_url_is_explained_and_showing_the_board_again_recovers(
    api_url: str, open_page: Any
) -> None:
    watched = open_page(f"{api_url}/?board=demo&period=fortnightly")
    page = watched.page
    page.wait_for_selector("#status.error")
    assert "period" in (page.text_content("#status") or "")
    assert page.is_hidden("#main")

    page.press("#board-input", "Enter")  # the same board, shown again

    page.wait_for_selector("#rows td.name")
    assert rows(watched) == shown(api_page(api_url, "demo")["leaderboard"])
    assert "period" not in page.url


def test_without_javascript_the_page_says_so_and_where_the_json_is(api_url: str, open_page: Any) -> None:
    page = open_page(f"{api_url}/?board=demo", java_script_enabled=False).page
    text = page.inner_text("body")
    assert "JavaScript, which is off" in text
    assert "/weekly?startRank=0&endRank=20" in text
    assert page.is_hidden("#main")
    assert page.is_hidden("#controls")  # a form that could do nothing is not offered
