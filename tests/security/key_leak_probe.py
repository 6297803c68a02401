"""Runs the four functions as Lambda would, with every log at DEBUG, event logging and X-Ray tracing on.

Started as its own process (one process = one execution environment, as in Lambda) by test_key_never_leaks.py,
with the function environment already set. It reads one step per line on stdin (`submit`, `bad-submit`,
`standing`, `page`, `keep-alive`), invokes that function and prints `{"step", "status"}`; between steps the test
makes Momento or SSM fail, flushes the cache, or rotates the key. On `done` it prints every response, every X-Ray
segment captured and its environment, so the test can search the process's whole output for the keys.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from typing import Any

from aws_xray_sdk.core import xray_recorder

from tests.support import ROOT  # the test starts the probe with the repository on PYTHONPATH
from tests.support.lambda_fakes import (
    around_event,
    lambda_context,
    load_event,
    page_event,
    remove_board_event,
    remove_player_event,
    settings_event,
    standing_event,
    submit_event,
)

PREFIX = "PROBE "  # marks the probe's own lines among the functions' logs and metrics on stdout


class CapturingEmitter:
    """Stands in for the X-Ray daemon: keeps every segment the SDK would have sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send_entity(self, entity: Any) -> None:
        self.sent.append(entity.serialize())

    def set_daemon_address(self, address: str | None) -> None:
        """Nothing to connect to."""


def main() -> int:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)  # every library's logs, at every level
    emitter = CapturingEmitter()
    xray_recorder.configure(emitter=emitter, sampling=False)
    sys.path.insert(0, str(ROOT / "src"))
    submit = importlib.import_module("handlers.submit_score").lambda_handler
    standing = importlib.import_module("handlers.get_standing").lambda_handler
    page = importlib.import_module("handlers.get_leaderboard").lambda_handler
    keep_alive = importlib.import_module("handlers.keep_boards_alive").lambda_handler
    around = importlib.import_module("handlers.get_around").lambda_handler
    settings = importlib.import_module("handlers.update_board_settings").lambda_handler
    remove_player = importlib.import_module("handlers.remove_player").lambda_handler
    remove_board = importlib.import_module("handlers.remove_board").lambda_handler
    board, name = "probe", "ada"
    steps: dict[str, Any] = {
        "submit": lambda: submit(submit_event(board, name, {"score": 7}), lambda_context("submit")),
        "bad-submit": lambda: submit(submit_event(board, name, "{oops", raw_body=True), lambda_context("submit")),
        "standing": lambda: standing(standing_event(board, name), lambda_context("standing")),
        "around": lambda: around(around_event(board, name), lambda_context("around")),
        "friends": lambda: page(page_event(board, [("name", name), ("name", "bob")]), lambda_context("page")),
        "settings": lambda: settings(
            settings_event(board, {"order": "asc", "ties": "shared"}), lambda_context("settings")
        ),
        "periods": lambda: settings(
            settings_event(board, {"periods": ["daily", "all"], "timeZone": "Europe/Berlin"}),
            lambda_context("settings"),
        ),
        "past": lambda: page(page_event(board, {"period": "daily:previous"}), lambda_context("page")),
        "remove-player": lambda: remove_player(remove_player_event(board, name), lambda_context("remove-player")),
        "remove-board": lambda: remove_board(remove_board_event(board), lambda_context("remove-board")),
        "keep-alive": lambda: {
            "statusCode": 200,
            "body": json.dumps(keep_alive(load_event("keep-boards-alive.json"), lambda_context("keep-boards-alive"))),
        },
    }
    answers = []
    for line in sys.stdin:
        step = line.strip()
        if step == "done":
            break
        result = steps.get(step, lambda: page(page_event(board), lambda_context("page")))()
        answers.append(result)
        print(PREFIX + json.dumps({"step": step, "status": result["statusCode"]}), flush=True)
    print(PREFIX + json.dumps({"responses": answers}), flush=True)
    print(PREFIX + json.dumps({"segments": emitter.sent}), flush=True)
    print(PREFIX + json.dumps({"environ": dict(os.environ)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
