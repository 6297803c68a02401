"""`make dev NOW=...` (and `make sam-local NOW=...`): the local stack's clock starts at NOW and runs from there, so a
team sees a board's day end, over HTTP, without waiting for midnight."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import requests
from botocore.credentials import Credentials

from devserver.local_aws import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from devserver.local_services import LocalServices
from devserver.sam_local import env_vars, local_template
from devserver.time_travel import OFFSET_VARIABLE
from shared.platform.config import CLOCK_OFFSET_VARIABLE
from tests.support import ROOT
from tests.support.api_client import ApiResponse, HttpClient, HttpTarget
from tests.support.dev_server import DevServerProcess

KEY = "time-travel-key"
# Between NOW and midnight: the dev server's start and the functions' cold starts fit in it on an idle machine.
MARGIN_S = 20
# What must be left before the stack's midnight once it answers: a submission and a read. A machine too busy to
# leave it gets the server started again with a wider margin (the test is about the rollover, not about speed).
LEFT_S = 8
MIDNIGHT = datetime(2026, 11, 30, tzinfo=UTC)
BOARD = "sprint"


@dataclass
class TravellingServer:
    process: DevServerProcess
    now: datetime  # the NOW it was started with
    midnight_in_s: float  # when its clock passes midnight, on this machine's monotonic clock


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TravellingServer]:
    """`make dev NOW=<a margin before a UTC midnight>`, pages never kept (each read asks the index), with the
    functions the test calls started already."""
    log_path = tmp_path_factory.mktemp("time-travel") / "dev-server.log"
    margin_s = float(MARGIN_S)
    with log_path.open("w", encoding="utf-8") as log:
        for _ in range(3):
            now = MIDNIGHT - timedelta(seconds=margin_s)
            started = time.monotonic()
            process = DevServerProcess(
                "--no-reload",
                "--api-key",
                KEY,
                "--now",
                now.astimezone().isoformat(),  # in this machine's zone: any offset
                "--parameter-overrides",
                "ReadCacheSeconds=0",
                log=log,
            )
            warm_up(process)
            taken_s = time.monotonic() - started
            if margin_s - taken_s >= LEFT_S:
                yield TravellingServer(process, now, started + margin_s)
                process.stop()
                return
            process.stop()
            margin_s = 2 * taken_s + LEFT_S
    pytest.fail(f"the dev server took more than {margin_s} s to start and answer, three times over")


def warm_up(process: DevServerProcess) -> None:
    """One request to each function the test calls, on another board."""
    with requests.Session() as session:
        api = HttpClient(target(process), session)
        assert api.settings("warm-up", {"periods": ["daily", "all"]}).status == 200
        assert api.submit("warm-up", "ada", {"score": 1}).status == 202
        assert api.page("warm-up", {"period": "daily"}).status == 200
        # 404 when the stack's midnight came between the two (a slow start, which the caller starts over)
        assert api.standing("warm-up", "ada", {"period": "daily"}).status in (200, 404)


def target(process: DevServerProcess) -> HttpTarget:
    return HttpTarget(process.url, api_key=KEY, admin_credentials=Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY))


@pytest.fixture(scope="module")
def api(server: TravellingServer) -> Iterator[HttpClient]:
    with requests.Session() as session:
        yield HttpClient(target(server.process), session)


def poll(read: Callable[[], ApiResponse], until: Callable[[ApiResponse], bool], timeout_s: float) -> ApiResponse:
    deadline = time.monotonic() + timeout_s
    while not until(answer := read()):
        assert time.monotonic() < deadline, f"still {answer.status} {answer.text} after {timeout_s} s"
        time.sleep(0.2)
    return answer


def test_the_banner_says_where_the_clock_started(server: TravellingServer) -> None:
    clock = next(line for line in server.process.banner if "Clock:" in line)
    assert f"({server.now:%Y-%m-%dT%H:%M:%SZ}), running from there" in clock


def test_a_daily_board_rolls_over_when_the_stacks_clock_passes_midnight(
    server: TravellingServer, api: HttpClient
) -> None:
    # Given a board that keeps daily rankings beside all time, and a score taken before the stack's midnight
    assert api.settings(BOARD, {"periods": ["daily", "all"]}).status == 200
    assert api.submit(BOARD, "ada", {"score": 310}).status == 202
    before = api.page(BOARD, {"period": "daily"}).json()
    assert before["period"]["id"] == "2026-11-29", "the score came after midnight: the machine stalled for seconds"
    assert before["leaderboard"] == [{"rank": 0, "name": "ada", "score": 310}]

    # When the stack's clock passes midnight (as real seconds pass)
    today = poll(
        lambda: api.page(BOARD, {"period": "daily"}),
        until=lambda answer: answer.json()["period"]["id"] != "2026-11-29",
        timeout_s=server.midnight_in_s - time.monotonic() + 45,
    ).json()

    # Then today's ranking is a new, empty day, yesterday's holds the score, and all time still does
    assert today["period"]["id"] == "2026-11-30"
    assert (today["leaderboard"], today["total"]) == ([], 0)
    assert api.standing(BOARD, "ada", {"period": "daily"}).status == 404
    yesterday = api.page(BOARD, {"period": "daily:previous"}).json()
    assert yesterday["period"]["id"] == "2026-11-29"
    assert yesterday["leaderboard"] == [{"rank": 0, "name": "ada", "score": 310}]
    assert api.standing(BOARD, "ada", {"period": "all"}).json() == {"score": 310, "rank": 0}


@pytest.mark.parametrize("now", ["2026-11-29T23:59:30", "2026-11-29", "tomorrow", "2026-11-29T23:59:30+25:00"])
def test_a_now_without_its_offset_fails_at_once_saying_how_to_write_it(now: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devserver", "--port", "0", "--now", now],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "NOW must be an ISO 8601 date and time with its UTC offset, such as 2026-11-29T23:59:30+01:00" in (
        result.stderr
    )


def test_the_functions_and_the_dev_server_name_one_variable() -> None:
    assert OFFSET_VARIABLE == CLOCK_OFFSET_VARIABLE


def test_sam_local_gives_the_offset_through_its_env_vars_never_through_template_yaml(tmp_path: Path) -> None:
    # Given a sam local run whose stack's clock is a day behind (NOW=yesterday)
    services = cast(
        LocalServices,
        SimpleNamespace(
            momento=SimpleNamespace(address="0.0.0.0:41000"),
            moto_endpoint="http://0.0.0.0:42000",
            clock_offset_s=-86_400.0,
        ),
    )
    # When it writes its template and env-vars files
    template: dict[str, Any] = json.loads(json.dumps(_yaml(local_template(ROOT / "template.yaml", tmp_path))))
    env = json.loads(env_vars(ROOT / "events" / "env.json", services, tmp_path / "env.json").read_text())
    # Then the local template declares the variable (sam local sets only declared ones), the env-vars file sets it
    # for every function, and template.yaml, which deploys read, never mentions it
    assert template["Globals"]["Function"]["Environment"]["Variables"][OFFSET_VARIABLE] == "0"
    assert env["Parameters"][OFFSET_VARIABLE] == "-86400.0"
    assert OFFSET_VARIABLE not in (ROOT / "template.yaml").read_text(encoding="utf-8")


def _yaml(path: Path) -> Any:
    from samcli.yamlhelper import yaml_parse  # noqa: PLC0415 - SAM CLI's loader, which knows CloudFormation's tags

    return yaml_parse(path.read_text(encoding="utf-8"))
