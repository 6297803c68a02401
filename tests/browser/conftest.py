"""The board page in a real browser: Debian's headless Chromium driven by Playwright for Python, against a dev server
started for the run (seeded with the demo board). `make test` installs both; Playwright's own browser download is
never used (`executable_path` names the system's Chromium)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.dev_server import DevServerProcess

API_KEY = "browser-test-key"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    """LEADERBOARD_CHROMIUM, or Debian's chromium on PATH."""
    if given := os.environ.get("LEADERBOARD_CHROMIUM"):
        return given
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while it is open, which
# pytest-asyncio's tests in the same process cannot run beside, so it closes when this tier's tests are done.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only this tier needs it
    except ImportError:
        path = None
    if path is None:
        message = "no Chromium or no Playwright: `make test` installs both (apt-get install chromium; the lock file)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        # --no-sandbox: CI and the dev machines run as root, where Chromium's sandbox cannot start.
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    log_path = tmp_path_factory.mktemp("browser") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--seed", "--api-key", API_KEY, log=log)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def api_url(dev_server: DevServerProcess) -> str:
    return dev_server.url


class Watched:
    """A page with what it did that a test may assert on: console errors (a CSP violation is one), dialogs opened,
    and the API's answers it received (status by URL)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.answers: list[tuple[str, int]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        page.on("response", lambda response: self.answers.append((response.url, response.status)))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(url: str, *, width: int = 1280, height: int = 900, **options: Any) -> Watched:
        options.setdefault("locale", "en-US")
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        watched = Watched(context.new_page())
        watched.page.goto(url)
        return watched

    yield open_
    for context in contexts:
        context.close()


def screenshots_dir() -> Path | None:
    """`make screenshots` sets it (docs/): the structure tests then also keep their screenshots there."""
    given = os.environ.get("BOARD_SCREENSHOTS")
    return Path(given) if given else None
