"""The backfill (scripts/backfill.py) against real local servers: boards in momento-local, the record in moto's
DynamoDB, the key in moto's SSM. Run as an operator runs it (the script, `make backfill`), and in-process where a
test needs to break it halfway."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_ssm import SSMClient

from devserver.local_aws import REGION
from momento_local import MomentoLocalServer
from momento_local.store import Ttl
from scripts import backfill
from shared.stores.dynamodb.record import DynamoRecord, RecordError
from tests.support import ROOT
from tests.support.lambda_fakes import STAGE
from tests.support.record import score_items

KEY = "mk-backfill-4c1e-never-shown"  # the stage's Momento key in SSM; never in the output
CACHE = "leaderboard"
SCRIPT = ROOT / "scripts" / "backfill.py"
STAMP = ".venv/.installed-3.13"  # the Makefile's setup stamp, taken as up to date: tests never reinstall anything
WHOLE_MARK = "\x00whole"
WHOLE_MARK_SCORE = -1.7976931348623157e308
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Stage:
    """The tests' stage: its key parameter, its table, the servers behind them."""

    name: str
    dynamodb: DynamoDBClient
    momento: MomentoLocalServer
    environment: dict[str, str]

    @property
    def table(self) -> str:
        return f"leaderboard-api-{self.name}"

    def board(self, board: str, players: Mapping[str, float]) -> None:
        """The board as Momento holds it (written straight into momento-local)."""
        with self.momento.store.session(CACHE) as view:
            elements = [(player.encode(), score) for player, score in players.items()]
            view.put(board.encode(), elements, Ttl(DAY_MS, refresh=True))

    def index(self, board: str) -> dict[str, float] | None:
        with self.momento.store.session(CACHE) as view:
            members = view.sorted_set(board.encode())
            if members is None:
                return None
            return {value.decode(): score for value, score in members.by_index(None, None, descending=True)}

    def items(self, board: str) -> dict[str, dict[str, Any]]:
        """The board's score items in the record, by player."""
        return score_items(self.dynamodb, self.table, board)

    def record(self, board: str) -> dict[str, float]:
        return {player: float(item["score"]["S"]) for player, item in self.items(board).items()}

    def registered(self, board: str) -> dict[str, Any] | None:
        key = {"pk": {"S": "boards"}, "sk": {"S": board}}
        return self.dynamodb.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@pytest.fixture
def stage(
    ssm: SSMClient,
    dynamodb: DynamoDBClient,
    leaderboard_table: str,
    momento_local: MomentoLocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Stage:
    """A deployed stage: its key in SSM (accepted by momento-local) and its empty table (the template's); the
    environment points boto3 and the script at the local servers."""
    ssm.put_parameter(Name=f"/leaderboard-api/{STAGE}/momento-api-key", Value=KEY, Type="SecureString", Overwrite=True)
    momento_local.set_tokens([KEY])
    assert leaderboard_table == f"leaderboard-api-{STAGE}"  # the name the script takes by default
    environment = {"AWS_ENDPOINT_URL": dynamodb.meta.endpoint_url, "MOMENTO_LOCAL_ADDRESS": momento_local.address}
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    return Stage(STAGE, dynamodb, momento_local, environment)


def run_script(stage: Stage, *arguments: str, command: list[str] | None = None) -> Run:
    """The script (or `command`) as a process, in an environment of the test's own: AWS at moto, Momento local."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        **stage.environment,
    }
    command = command or [sys.executable, str(SCRIPT), "--stage", stage.name, *arguments]
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    finished = Run(result.returncode, result.stdout, result.stderr)
    assert KEY not in finished.output
    return finished


def run_main(stage: Stage, *arguments: str) -> Run:
    """main() in this process: where a test replaces part of it."""
    out, err = io.StringIO(), io.StringIO()
    status = backfill.main(["--stage", stage.name, *arguments], out=out, err=err)
    finished = Run(status, out.getvalue(), err.getvalue())
    assert KEY not in finished.output
    return finished


def players(count: int) -> dict[str, float]:
    """Scores of every kind a double can be: whole, fractional, negative, zero, large, and ties."""
    kinds = [0.0, -1.5, 0.1 + 0.2, 1e15 + 0.5, -(2.0**53), 2.0**53, 1 / 3, 42.0, 42.0, -0.001]
    return {f"player-{i:05d}": kinds[i % len(kinds)] * (1 + i // len(kinds)) for i in range(count)}


def test_the_script_copies_every_player_with_exact_scores_and_never_the_mark(stage: Stage) -> None:
    # Given two boards in Momento only, one already marked whole by this version's rebuild
    weekly = players(1_500) | {"José María 🏎": 12.5}  # two chunks of the walk
    daily = {"ada": -3.25, "grace": 7.0}
    stage.board("weekly", weekly | {WHOLE_MARK: WHOLE_MARK_SCORE})
    stage.board("daily", daily)
    # When the operator runs the backfill
    result = run_script(stage, "--boards", "weekly", "daily")
    # Then every player is in the record with the very same score, as a first version
    assert result.status == 0, result.output
    assert stage.record("weekly") == weekly
    assert stage.record("daily") == daily
    assert {item["version"]["N"] for item in stage.items("weekly").values()} == {"1"}
    # And the mark is not a player
    assert WHOLE_MARK not in stage.record("weekly")
    # And each board is registered
    for board in ("weekly", "daily"):
        registered = stage.registered(board)
        assert registered is not None
        assert abs(int(registered["lastWrite"]["N"]) - time.time()) < 60
        assert registered["createdAt"] == registered["lastWrite"]
    # And each board has its line, with its counts
    assert "weekly: 1,501 players: 1,501 copied, 0 already in the record" in result.out
    assert "daily: 2 players: 2 copied, 0 already in the record" in result.out
    # And Momento's sets are left as they were
    assert stage.index("weekly") == weekly | {WHOLE_MARK: WHOLE_MARK_SCORE}
    assert stage.index("daily") == daily


def test_a_score_the_service_wrote_since_the_deploy_is_never_replaced(stage: Stage) -> None:
    # Given the service has already recorded a newer score for ada (its third write), and registered the board
    stage.board("weekly", {"ada": 5.0, "grace": 7.0})
    stage.dynamodb.put_item(
        TableName=stage.table,
        Item={
            "pk": {"S": "board#weekly"},
            "sk": {"S": "player#ada"},
            "score": {"S": "99.5"},
            "version": {"N": "3"},
            "updatedAt": {"N": "1700000000000"},
        },
    )
    stage.dynamodb.put_item(
        TableName=stage.table,
        Item={"pk": {"S": "boards"}, "sk": {"S": "weekly"}, "lastWrite": {"N": "1700000000"}, "createdAt": {"N": "1"}},
    )
    # When the backfill runs
    result = run_main(stage, "--boards", "weekly")
    # Then ada keeps the service's score and version, and grace is copied
    assert result.status == 0, result.output
    assert stage.items("weekly")["ada"]["score"]["S"] == "99.5"
    assert stage.items("weekly")["ada"]["version"]["N"] == "3"
    assert stage.record("weekly") == {"ada": 99.5, "grace": 7.0}
    assert "weekly: 2 players: 1 copied, 1 already in the record" in result.out
    # And the registry keeps the board's last real write and its creation
    assert stage.registered("weekly") == {
        "pk": {"S": "boards"},
        "sk": {"S": "weekly"},
        "lastWrite": {"N": "1700000000"},
        "createdAt": {"N": "1"},
    }


def test_a_second_run_copies_nothing_and_reports_every_player_present(stage: Stage) -> None:
    stage.board("weekly", players(200))
    first = run_main(stage, "--boards", "weekly")
    assert first.status == 0, first.output
    before = stage.items("weekly")

    second = run_main(stage, "--boards", "weekly")

    assert second.status == 0, second.output
    assert "weekly: 200 players: 0 copied, 200 already in the record" in second.out
    assert stage.items("weekly") == before  # not a single item rewritten (updatedAt included)


def test_an_interrupted_run_resumes_where_it_stopped(stage: Stage, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a board, and DynamoDB failing for good after 150 writes of the first run
    board = players(400)
    stage.board("weekly", board)
    add_score = DynamoRecord.add_score
    calls = 0

    def failing_after_150(record: DynamoRecord, *args: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls > 150:
            raise RecordError("DynamoDB answered AccessDeniedException to put_item")
        return add_score(record, *args, **kwargs)

    monkeypatch.setattr(DynamoRecord, "add_score", failing_after_150)
    # When the first run meets the failure
    first = run_main(stage, "--boards", "weekly")
    # Then it stops, says why, how far it got and what to do, and leaves the board unregistered
    assert first.status == 1
    assert "weekly: stopped after 150 copied, 0 already in the record: DynamoDB answered AccessDeniedException" in (
        first.out
    )
    assert "run the same command again to finish" in first.out
    assert len(stage.record("weekly")) == 150
    assert stage.registered("weekly") is None
    # When it is run again, with DynamoDB working
    monkeypatch.setattr(DynamoRecord, "add_score", add_score)
    second = run_main(stage, "--boards", "weekly")
    # Then it copies the rest only, and the board is whole in the record, and registered
    assert second.status == 0, second.output
    assert "weekly: 400 players: 250 copied, 150 already in the record" in second.out
    assert stage.record("weekly") == board
    assert stage.registered("weekly") is not None


def test_ctrl_c_stops_at_once_and_a_rerun_finishes(stage: Stage, monkeypatch: pytest.MonkeyPatch) -> None:
    board = players(300)
    stage.board("weekly", board)
    add_score = DynamoRecord.add_score
    calls = 0

    def interrupted_after_100(record: DynamoRecord, *args: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 100:
            raise KeyboardInterrupt  # as Ctrl-C would, though in a worker: the copy treats both alike
        return add_score(record, *args, **kwargs)

    monkeypatch.setattr(DynamoRecord, "add_score", interrupted_after_100)
    first = run_main(stage, "--boards", "weekly")
    assert first.status == backfill.INTERRUPTED
    assert "weekly: interrupted after" in first.out
    assert len(stage.record("weekly")) < 300
    monkeypatch.setattr(DynamoRecord, "add_score", add_score)
    second = run_main(stage, "--boards", "weekly")
    assert second.status == 0, second.output
    assert stage.record("weekly") == board


def test_a_board_that_does_not_exist_is_named_and_nothing_is_copied(stage: Stage) -> None:
    stage.board("weekly", {"ada": 1.0})
    result = run_script(stage, "--boards", "weekly", "weeky")
    assert result.status == 1
    assert "backfill: no board 'weeky' in the Momento cache leaderboard" in result.err
    assert "nothing was copied" in result.err
    assert "Traceback" not in result.output
    assert stage.record("weekly") == {}  # the board that exists waits for the name to be fixed


def test_make_backfill_passes_the_stage_the_key_stage_and_the_boards(stage: Stage) -> None:
    # Given an ephemeral stage reading another stage's key (make backfill's SSM_STAGE, as make preflight's)
    stage.board("weekly", {"ada": 1.0})
    stage.board("daily", {"grace": 2.0})
    make = [
        "make",
        "--no-print-directory",
        "-o",
        STAMP,
        "backfill",
        "STAGE=feat-x",
        f"SSM_STAGE={stage.name}",
        "BOARDS=weekly daily",  # what a shell passes for BOARDS="weekly daily"
        f"PY={sys.executable}",
    ]
    # When the table is the ephemeral stage's own (leaderboard-api-feat-x) and does not exist
    result = run_script(stage, command=make)
    # Then the key was found through SSM_STAGE, and the table is what stops it, with its fix
    assert result.status != 0
    assert "the table leaderboard-api-feat-x cannot be used" in result.err
    assert "deploy this version first" in result.err
    assert "api key" not in result.err


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("no key parameter", "api key: /leaderboard-api/{stage}/momento-api-key does not exist"),
        ("no cache", "cache: no Momento cache named leaderboard"),
        ("no table", "the table leaderboard-api-{stage} cannot be used"),
        ("no credentials", "credentials: no AWS credentials"),
    ],
)
def test_what_is_missing_is_said_in_words_with_its_fix(
    stage: Stage, ssm: SSMClient, monkeypatch: pytest.MonkeyPatch, breakage: str, expected: str
) -> None:
    stage.board("weekly", {"ada": 1.0})
    if breakage == "no key parameter":
        ssm.delete_parameter(Name=f"/leaderboard-api/{stage.name}/momento-api-key")
    elif breakage == "no cache":
        stage.momento.store.delete_cache(CACHE)
    elif breakage == "no table":
        stage.dynamodb.delete_table(TableName=stage.table)
    else:
        for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = run_main(stage, "--boards", "weekly")
    assert result.status == 1
    assert expected.format(stage=stage.name) in result.err
    assert "fix: " in result.err
    assert result.err.rstrip().endswith("backfill: nothing was copied.")


def test_a_name_too_long_for_a_key_is_named_and_every_other_player_is_copied_exactly(stage: Stage) -> None:
    # Given a board from a service that took any name, and scores no DynamoDB number could hold
    long_name = "x" * 1_100
    stage.board("weekly", {"ada": 1.0, "tiny": 1e-300, "huge": 1e300, "third": 1 / 3, long_name: 2.0})
    # When it is copied
    result = run_main(stage, "--boards", "weekly")
    # Then every other player is in the record with the very same double, and the long name is named, shortened
    assert result.status == 1
    assert stage.record("weekly") == {"ada": 1.0, "tiny": 1e-300, "huge": 1e300, "third": 1 / 3}
    assert f"weekly: 1 player could not be copied: '{'x' * 37}...' (name longer than a DynamoDB key holds)" in (
        result.out
    )
