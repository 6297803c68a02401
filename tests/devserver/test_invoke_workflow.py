"""`make invoke` as a workflow: several events on one state, through a running `make dev`'s Lambda Invoke API when
there is one, and one line (exit 2) for an event or a function it cannot use."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from devserver.local_aws import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from tests.support import ROOT
from tests.support.dev_server import DevServerProcess

EVENTS = ROOT / "events"
LAMBDA_API = re.compile(r"Lambda Invoke API on (?P<url>http://[\d.]+:(?P<port>\d+))")
API_KEY = {"x-api-key": "local-dev-key"}
NO_SUCH_FUNCTION_BODY = {
    "Type": "User",
    "Message": "Function not found: arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction",
}


def free_port() -> int:
    """A port nothing listens on, so a run cannot mistake it for a running make dev."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(command: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # Not the calling make's own variables: this make is a new command, as a developer would type it.
    environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        command,
        cwd=cwd,
        env={**environment, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=90,
    )


def invoke(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "devserver.invoke", *args], cwd)


def responses(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def event_file(
    folder: Path, sample: str, board: str, name: str, body: dict[str, Any] | None = None, *, path: Path | None = None
) -> Path:
    """One of events/ for another board and player (and body), as a developer edits a copy."""
    event = json.loads((EVENTS / sample).read_text(encoding="utf-8"))
    event["path"] = f"/{board}/{name}"
    event["pathParameters"] = {"leaderboard": board, "name": name}
    if body is not None:
        event["body"] = json.dumps(body)
    target = path or folder / f"{board}-{name}-{sample}"
    target.write_text(json.dumps(event), encoding="utf-8")
    return target


def lambda_url(server: DevServerProcess) -> str:
    return next(match["url"] for line in server.banner if (match := LAMBDA_API.search(line)))


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    """`make dev` on this service's template, its Invoke API on a free port read from the banner."""
    log_path = tmp_path_factory.mktemp("invoke") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--lambda-port", "0", log=log)
        yield server
        server.stop()


def test_make_invoke_with_several_events_reads_its_own_write() -> None:
    # Given no make dev where make invoke looks for one
    # When a submit and then a read go through one make invoke
    make = shutil.which("make") or "make"
    result = run(
        [
            make,
            "--no-print-directory",
            "invoke",
            "EVENTS=events/submit-score.json events/get-standing.json",
            f"LAMBDA_PORT={free_port()}",
        ]
    )
    # Then the read sees the write: one response per line, the 202 and then the standing
    assert result.returncode == 0, result.stderr
    submitted, standing = responses(result)
    assert submitted["statusCode"] == 202
    assert standing["statusCode"] == 200
    assert body_of(standing) == {"score": 2077, "rank": 0}
    # And stderr says where it ran, without SAM CLI's notes on authorizers
    assert "no make dev running: starting local services for this run" in result.stderr.splitlines()
    assert "authorizer" not in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_an_invoke_reads_what_was_written_over_http_to_the_running_dev_server(
    dev_server: DevServerProcess, tmp_path: Path
) -> None:
    # Given a score submitted over HTTP to the running dev server
    posted = requests.post(dev_server.url + "/shared-http/ada", json={"score": 42}, headers=API_KEY, timeout=30)
    assert posted.status_code == 202, posted.text
    port = lambda_url(dev_server).rsplit(":", 1)[1]
    # When make invoke reads it with an event
    result = invoke("--lambda-port", port, str(event_file(tmp_path, "get-standing.json", "shared-http", "ada")))
    # Then it went through the dev server, and found the score
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"invoking through the running make dev on 127.0.0.1:{port}"
    (standing,) = responses(result)
    assert standing["statusCode"] == 200
    assert body_of(standing) == {"score": 42, "rank": 0}


def test_what_an_invoke_writes_is_read_over_http_from_the_running_dev_server(
    dev_server: DevServerProcess, tmp_path: Path
) -> None:
    # Given a submit event for a board nobody has written to
    submit = event_file(tmp_path, "submit-score.json", "shared-invoke", "grace", {"score": 99})
    port = lambda_url(dev_server).rsplit(":", 1)[1]
    # When make invoke sends it while the dev server runs
    result = invoke("--lambda-port", port, str(submit))
    assert result.returncode == 0, result.stderr
    (submitted,) = responses(result)
    assert submitted["statusCode"] == 202
    # Then the dev server's HTTP API serves the score
    standing = requests.get(dev_server.url + "/shared-invoke/grace", timeout=30)
    assert standing.status_code == 200
    assert standing.json() == {"score": 99, "rank": 0}


def test_the_invoke_api_takes_the_deployed_name_as_boto3_sends_it(dev_server: DevServerProcess) -> None:
    # Given a score on the running dev server
    posted = requests.post(dev_server.url + "/shared-boto3/lin", json={"score": 7}, headers=API_KEY, timeout=30)
    assert posted.status_code == 202, posted.text
    client = boto3.client(
        "lambda",
        endpoint_url=lambda_url(dev_server),
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )
    event = json.loads((EVENTS / "get-standing.json").read_text(encoding="utf-8"))
    event["pathParameters"] = {"leaderboard": "shared-boto3", "name": "lin"}
    # When boto3's lambda client invokes the function by the name it has once deployed
    response = client.invoke(FunctionName="leaderboard-api-dev-get-standing", Payload=json.dumps(event).encode())
    # Then the answer is the function's result, as Lambda gives it
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"score": 7, "rank": 0}


def test_the_invoke_api_answers_an_unknown_function_as_lambda_does(dev_server: DevServerProcess) -> None:
    url = lambda_url(dev_server)
    # Over plain HTTP: a 404 with Lambda's error type and body
    answer = requests.post(url + "/2015-03-31/functions/NoSuchFunction/invocations", data=b"{}", timeout=30)
    assert answer.status_code == 404
    assert answer.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert answer.json() == NO_SUCH_FUNCTION_BODY
    # And boto3 raises the exception its Lambda model names
    client = boto3.client(
        "lambda",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="NoSuchFunction", Payload=b"{}")


def test_a_failing_function_fails_the_run_and_the_next_event_still_runs(
    sample_server: DevServerProcess, sample_app: Path, tmp_path: Path
) -> None:
    # Given an event for a handler that raises, then one for a handler that answers
    boom, echo = tmp_path / "boom.json", tmp_path / "echo.json"
    boom.write_text(json.dumps({"httpMethod": "GET", "resource": "/boom", "path": "/boom"}), encoding="utf-8")
    echo.write_text(json.dumps({"httpMethod": "GET", "resource": "/echo/{thing}", "path": "/echo/x"}), encoding="utf-8")
    port = lambda_url(sample_server).rsplit(":", 1)[1]
    # When both go through one run, against the dev server of that application
    result = invoke(
        "--template", str(sample_app / "template.yaml"), "--lambda-port", port, str(boom), str(echo), cwd=sample_app
    )
    # Then the run fails, after printing the error (without its stack trace) and the next event's response
    assert result.returncode == 1, result.stderr
    failed, echoed = responses(result)
    assert failed == {"errorType": "RuntimeError", "errorMessage": "the handler failed"}
    assert echoed["statusCode"] == 200


def not_json(folder: Path) -> tuple[list[str], str]:
    path = folder / "broken.json"
    path.write_text('{"httpMethod": "GET",', encoding="utf-8")
    return [str(path)], f"event file {path} is not JSON"


def not_an_object(folder: Path) -> tuple[list[str], str]:
    path = folder / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    return [str(path)], f"event file {path} holds an array, not a JSON object"


def missing(folder: Path) -> tuple[list[str], str]:
    return ["events/submit-score.json", "events/no-such-event.json"], "event file events/no-such-event.json does not"


def unknown_function(folder: Path) -> tuple[list[str], str]:
    return ["NoSuchFunction", "events/submit-score.json"], "no function 'NoSuchFunction' in template.yaml"


def unknown_function_option(folder: Path) -> tuple[list[str], str]:
    return ["--function", "NoSuchFunction", "events/submit-score.json"], "FN= takes one of: GetAroundFunction, Get"


def no_route(folder: Path) -> tuple[list[str], str]:
    path = event_file(folder, "submit-score.json", "weekly", "v", path=folder / "patch.json")
    event = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**event, "httpMethod": "PATCH"}), encoding="utf-8")
    return [str(path)], f"event file {path} is a PATCH /{{leaderboard}}/{{name}} event and no route"


@pytest.mark.parametrize(
    "case", [missing, not_json, not_an_object, unknown_function, unknown_function_option, no_route]
)
def test_a_run_it_cannot_do_is_one_line_and_exit_2(case: Any, tmp_path: Path) -> None:
    arguments, expected = case(tmp_path)
    result = invoke("--lambda-port", str(free_port()), *arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("invoke: ")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def listening_after_a_free_port() -> socket.socket:
    """A socket listening on a port whose predecessor is free: another program next to a dev server's port."""
    while True:
        other = socket.socket()
        other.bind(("127.0.0.1", 0))
        with socket.socket() as before:
            try:
                before.bind(("127.0.0.1", other.getsockname()[1] - 1))
            except OSError:
                other.close()
                continue
        other.listen()
        return other


def test_make_dev_still_starts_when_the_port_after_its_own_is_taken(tmp_path: Path) -> None:
    # Given another program on the port after the dev server's
    with listening_after_a_free_port() as other:
        taken = other.getsockname()[1]
        with (tmp_path / "log").open("w", encoding="utf-8") as log:
            # When make dev starts on the port before it
            server = DevServerProcess("--no-reload", "--port", str(taken - 1), log=log)
            try:
                # Then it serves the API, says in one line why there is no Invoke API, and its banner offers none
                assert requests.get(server.url + "/weekly", timeout=30).status_code == 200
                assert not any(LAMBDA_API.search(line) for line in server.banner)
            finally:
                server.stop()
        notes = (tmp_path / "log").read_text(encoding="utf-8")
        assert f"Lambda Invoke API not started: 127.0.0.1:{taken} is taken" in notes
