"""What the deploy preflight prints and how it exits: one line per check, a fix under each failure, 1 on any failure."""

from __future__ import annotations

import pytest

from scripts.deploy_preflight import (
    CheckResult,
    Status,
    Target,
    UnusableKey,
    key_stage,
    momento_credentials_for,
    put_key_command,
    report,
)

REGION_OK = CheckResult("region", Status.OK, "us-east-1 (from AWS_DEFAULT_REGION)")
NO_CREDENTIALS = CheckResult("credentials", Status.FAILED, "no AWS credentials", fix="`aws configure`")
NOT_CHECKED = CheckResult("api key", Status.SKIPPED, "not checked: no AWS credentials")
SILENT = CheckResult("cache", Status.WARNING, "not checked: Momento did not answer within 10 s")


def test_when_every_check_passes_it_prints_one_line_each_and_exits_0() -> None:
    lines, status = report([REGION_OK, CheckResult("cache", Status.OK, "leaderboard exists")])
    assert status == 0
    assert lines == [
        "preflight ok       region: us-east-1 (from AWS_DEFAULT_REGION)",
        "preflight ok       cache: leaderboard exists",
    ]


def test_a_failure_prints_its_fix_under_it_and_exits_1() -> None:
    lines, status = report([REGION_OK, NO_CREDENTIALS, NOT_CHECKED, SILENT])
    assert status == 1
    assert lines[1:3] == [
        "preflight FAILED   credentials: no AWS credentials",
        "preflight          fix: `aws configure`",
    ]
    assert lines[-1] == "preflight: 1 of 4 checks failed; fix them before deploying."


def test_checks_not_made_and_warnings_do_not_stop_the_deploy() -> None:
    lines, status = report([REGION_OK, NOT_CHECKED, SILENT])
    assert status == 0
    assert lines[1] == "preflight skipped  api key: not checked: no AWS credentials"
    assert lines[2] == "preflight warning  cache: not checked: Momento did not answer within 10 s"


def test_the_key_parameter_is_the_one_of_the_stage_the_stack_reads() -> None:
    assert Target(key_stage("feat-x", "dev")).key_parameter == "/leaderboard-api/dev/momento-api-key"
    # The template's rule: an empty SsmStageName means the stack's own stage
    assert Target(key_stage("prod", "")).key_parameter == "/leaderboard-api/prod/momento-api-key"


def test_the_put_parameter_fix_names_the_variable_not_the_key() -> None:
    name = "/leaderboard-api/dev/momento-api-key"
    expected = f'aws ssm put-parameter --type SecureString --name {name} --value "$MOMENTO_API_KEY"'
    assert put_key_command(name) == expected
    assert "--overwrite" in put_key_command(name, overwrite=True)


def test_a_key_without_its_endpoint_is_told_the_make_variable_that_gives_it() -> None:
    # A v2 key carries no endpoint: what fixes that is what the user types, `make deploy MOMENTO_ENDPOINT=...`
    with pytest.raises(UnusableKey) as refused:
        momento_credentials_for("a-v2-key-given-no-endpoint", Target("dev"), None)
    assert "a v2 key needs an endpoint" in str(refused.value)
    assert refused.value.fix.startswith("a v2 key: make deploy MOMENTO_ENDPOINT=<endpoint> (make preflight and make")
    assert "a-v2-key-given-no-endpoint" not in f"{refused.value} {refused.value.fix}"
