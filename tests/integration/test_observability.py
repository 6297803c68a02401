"""Logs carry the API Gateway request id; metrics count cold starts and each outcome (Powertools, on stdout)."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest
from mypy_boto3_ssm import SSMClient

from momento_local import MomentoLocalServer
from tests.support.lambda_fakes import submit_event
from tests.support.service import Service, start_service


def emitted(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    lines = capsys.readouterr().out.splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_logs_are_correlated_by_request_id_and_metrics_count_outcomes(
    service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Powertools' JSON log handler writing to this test's captured stdout
    for handler in logging.getLogger("leaderboard-api").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stdout)
    # And a rejected request and an accepted one, on a cold function
    capsys.readouterr()
    bad = submit_event("weekly", "v", "{", raw_body=True)
    service.invoke("handlers.submit_score", bad)
    service.submit("weekly", "v", {"score": 1})
    records = emitted(capsys)
    # Then the rejection was logged with the request's API Gateway id as correlation id
    rejected = [r for r in records if r.get("message") == "Request rejected"]
    assert rejected
    assert rejected[0]["correlation_id"] == bad["requestContext"]["requestId"]
    assert rejected[0]["status"] == 400
    # And metrics counted a cold start once and one of each outcome
    metric_names = [m["Name"] for r in records if "_aws" in r for m in r["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert metric_names.count("ColdStart") == 1
    assert metric_names.count("Status400") == 1
    assert metric_names.count("Status202") == 1


def test_metrics_disabled_means_no_metric_lines_the_cold_start_included(
    service_environment: dict[str, str],
    momento_local: MomentoLocalServer,
    ssm: SSMClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given functions started cold with metrics disabled, as make dev runs them
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    cold = start_service(momento_local, ssm)
    capsys.readouterr()
    # When one serves a request
    assert cold.submit("weekly", "v", {"score": 1})["statusCode"] == 202
    # Then nothing it printed is a metric (Powertools would print the cold start anyway)
    assert not [record for record in emitted(capsys) if "_aws" in record]
