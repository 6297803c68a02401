"""The Momento API key never appears in os.environ, in logs at any level, in responses or in trace segments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest
from mypy_boto3_ssm import SSMClient

from momento_local import MomentoLocalServer
from tests.security.key_leak_probe import PREFIX
from tests.support import ROOT
from tests.support.service import API_KEY_PARAMETER

KEY_1 = "leak-probe-key-one-7f3a9c"
KEY_2 = "leak-probe-key-two-51d0e8"


class Probe:
    """The probe process, driven one step at a time."""

    def __init__(self, environment: dict[str, str], log: IO[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("key_leak_probe.py"))],
            env=environment,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        self.stdout: list[str] = []

    def step(self, name: str) -> int:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the probe exited")
            self.stdout.append(line)
            if line.startswith(PREFIX):
                status: int = json.loads(line.removeprefix(PREFIX))["status"]
                return status

    def finish(self) -> dict[str, Any]:
        out, _ = self.process.communicate("done\n", timeout=60)
        self.stdout.append(out)
        report: dict[str, Any] = {}
        for line in out.splitlines():
            if line.startswith(PREFIX):
                report |= json.loads(line.removeprefix(PREFIX))
        return report


@pytest.fixture
def probe_environment(
    moto_server: str, momento_local: MomentoLocalServer, ssm: SSMClient, leaderboard_table: str, tmp_path: Path
) -> dict[str, str]:
    ssm.put_parameter(Name=API_KEY_PARAMETER, Value=KEY_1, Type="SecureString", Overwrite=True)
    momento_local.set_tokens([KEY_1])
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        # As the Lambda runtime sets them: tracing therefore turns on, as it does in AWS.
        "LAMBDA_TASK_ROOT": str(ROOT / "src"),
        "AWS_LAMBDA_FUNCTION_NAME": "leaderboard-api-probe",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # The template's variables, at their most verbose
        "MOMENTO_API_KEY_PARAM_NAME": API_KEY_PARAMETER,
        "MOMENTO_CACHE_NAME": "leaderboard",
        "MOMENTO_LOCAL_ADDRESS": momento_local.address,
        "AWS_ENDPOINT_URL_SSM": moto_server,
        "AWS_ENDPOINT_URL_DYNAMODB": moto_server,
        "LEADERBOARD_TABLE_NAME": leaderboard_table,
        "LEADERBOARD_TTL_SECONDS": "86400",
        "BOARD_RETENTION_DAYS": "0",
        "REBUILD_ELEMENTS_PER_SECOND": "0",
        "POWERTOOLS_SERVICE_NAME": "leaderboard-api",
        "POWERTOOLS_METRICS_NAMESPACE": "leaderboard-api",
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
        "POWERTOOLS_LOGGER_LOG_EVENT": "true",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "MOMENTO_API_KEY_CACHE_SECONDS": "300",
    }


def test_the_key_appears_nowhere_during_a_full_run(
    probe_environment: dict[str, str], momento_local: MomentoLocalServer, ssm: SSMClient, tmp_path: Path
) -> None:
    log_path = tmp_path / "probe.log"
    with log_path.open("w", encoding="utf-8") as log:
        probe = Probe(probe_environment, log)
        statuses = [probe.step("submit"), probe.step("standing"), probe.step("page"), probe.step("bad-submit")]
        # Momento failing in each way the SDK reports
        for error in ("unavailable", "resource-exhausted", "internal", "unauthenticated"):
            momento_local.faults.set(return_error=error, error_rpcs=["sorted-set-put"])
            statuses.append(probe.step("submit"))
        momento_local.faults.clear()
        # A rotation: new key in SSM, old one revoked, so the warm function refreshes
        ssm.put_parameter(Name=API_KEY_PARAMETER, Value=KEY_2, Type="SecureString", Overwrite=True)
        momento_local.set_tokens([KEY_2])
        statuses += [probe.step("submit"), probe.step("standing"), probe.step("page")]
        # The durable paths: a flushed board rebuilt from the record by a read, by a write, and by the schedule
        momento_local.store.flush_cache("leaderboard")
        statuses.append(probe.step("page"))
        momento_local.store.flush_cache("leaderboard")
        statuses.append(probe.step("submit"))
        momento_local.store.flush_cache("leaderboard")
        statuses.append(probe.step("keep-alive"))
        # The board rules' routes: settings, periods (a periodic write, a past period's read), around-me, friends,
        # removals
        for step in ("settings", "periods", "submit", "past", "around", "friends", "remove-player", "remove-board"):
            statuses.append(probe.step(step))
        report = probe.finish()
    # The run covered successes and failures
    assert statuses[:3] == [202, 200, 200]
    assert statuses[3] == 400
    assert set(statuses[4:8]) >= {503, 429}
    assert statuses[8:14] == [202, 200, 200, 200, 202, 200]
    assert json.loads(report["responses"][13]["body"])["rebuilt"] == 1
    assert statuses[14:] == [200, 200, 202, 200, 200, 200, 204, 204]
    # Traces were recorded (so the search below covers them)
    assert report["segments"], "no X-Ray segment was captured"
    # Then neither key appears anywhere: logs (all libraries, DEBUG), stdout, responses, traces, environment
    everything = log_path.read_text(encoding="utf-8") + "".join(probe.stdout)
    assert "DEBUG" in everything  # the logs were captured at their most verbose
    for key in (KEY_1, KEY_2):
        assert key not in everything
        assert key not in json.dumps(report["environ"])
