"""The deploy preflight against moto's server and momento-local: run as a user runs it (the script, `make deploy`),
then each way a check can end, in-process.

Every run gets an environment of its own: no AWS configuration files, no instance metadata, only what the test sets.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

import jwt
import pytest
from mypy_boto3_ssm import SSMClient

from devserver.local_aws import REGION
from momento_local import MomentoLocalServer
from scripts.deploy_preflight import CheckResult, Status, Target, run_checks
from tests.support import ROOT

KEY = "mk-7f3a9c0b1d-never-shown-e42"  # the Momento key in SSM; it must never show in the output
SCRIPT = ROOT / "scripts" / "deploy_preflight.py"
STAMP = ".venv/.installed-3.13"  # the Makefile's setup stamp, taken as up to date: tests never reinstall anything


@dataclass(frozen=True)
class Run:
    status: int
    output: str
    seconds: float

    def line(self, check: str) -> str:
        """The check's line, and its fix line when it has one."""
        lines = self.output.splitlines()
        index = next(i for i, line in enumerate(lines) if f" {check}: " in line)
        follows = lines[index + 1] if index + 1 < len(lines) else ""
        return lines[index] + ("\n" + follows if " fix: " in follows else "")


def nothing_configured() -> dict[str, str]:
    """No region, no credentials: no AWS files, no instance metadata (a CI runner may have one), no AWS_* variables."""
    return {
        "PATH": os.environ["PATH"],
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def run(command: list[str], environment: Mapping[str, str]) -> Run:
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env=dict(environment), capture_output=True, text=True, timeout=60, check=False
    )
    finished = Run(result.returncode, result.stdout + result.stderr, time.monotonic() - started)
    assert KEY not in finished.output
    return finished


def preflight(environment: Mapping[str, str], *arguments: str) -> Run:
    return run([sys.executable, str(SCRIPT), *arguments], environment)


def make(environment: Mapping[str, str], *arguments: str) -> Run:
    """`make` with sam replaced by echo: what would have run shows in the output, and nothing is built or deployed."""
    overrides = [f"PY={sys.executable}", "SAM=echo would run sam"]
    return run(["make", "--no-print-directory", "-o", STAMP, *arguments, *overrides], environment)


@pytest.fixture
def stage() -> str:
    """A stage no other test uses: moto's server is shared by the whole session."""
    return f"pf-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def configured(moto_ssm: str, momento_local: MomentoLocalServer) -> dict[str, str]:
    """Region and credentials in place, AWS at moto's server, Momento at momento-local, which accepts KEY."""
    momento_local.set_tokens([KEY])
    return {
        **nothing_configured(),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": moto_ssm,
        "MOMENTO_LOCAL_ADDRESS": momento_local.address,
    }


def parameter(stage: str) -> str:
    return f"/leaderboard-api/{stage}/momento-api-key"


def test_with_nothing_configured_make_deploy_names_region_and_credentials_at_once_and_builds_nothing() -> None:
    # Given no region and no credentials
    # When a user runs make deploy
    result = make(nothing_configured(), "deploy")
    # Then both problems are named, each with its fix, in one run
    assert result.status != 0
    assert "FAILED" in result.line("region")
    assert "export AWS_DEFAULT_REGION=us-east-1" in result.line("region")
    assert "no AWS credentials" in result.line("credentials")
    assert "aws configure" in result.line("credentials")
    assert "aws sso login" in result.line("credentials")
    # And what needs AWS says why it was not checked
    assert "not checked: no AWS region and no AWS credentials" in result.line("api key")
    assert "not checked: no AWS region and no AWS credentials" in result.line("cache")
    # And nothing was built or deployed, and that took about a second, not a build's time
    assert "would run sam" not in result.output
    assert result.seconds < 5


def test_a_missing_parameter_and_a_missing_cache_are_both_named_with_their_fixes(
    configured: dict[str, str], momento_local: MomentoLocalServer, stage: str
) -> None:
    # Given working AWS credentials, no key parameter for the stage, and no cache in Momento
    momento_local.store.delete_cache("leaderboard")
    # When the user, who holds the key they are about to store, runs the preflight
    result = preflight({**configured, "MOMENTO_API_KEY": KEY}, "--stage", "feat-x", "--ssm-stage", stage)
    # Then both are named, each with the command that fixes it
    assert result.status == 1
    assert f"FAILED   api key: {parameter(stage)} does not exist" in result.line("api key")
    put = f'aws ssm put-parameter --type SecureString --name {parameter(stage)} --value "$MOMENTO_API_KEY"'
    assert put in result.line("api key")
    assert "FAILED   cache: no Momento cache named leaderboard" in result.line("cache")
    assert "momento cache create leaderboard" in result.line("cache")
    assert "checked with $MOMENTO_API_KEY" in result.line("cache")
    # And what worked says so
    assert "ok" in result.line("region")
    assert "account 123456789012" in result.line("credentials")


def test_with_everything_in_place_make_deploy_reports_each_check_ok_then_builds_and_deploys(
    configured: dict[str, str], ssm: SSMClient, stage: str
) -> None:
    # Given the ephemeral stage's key stage holds the key, and the cache exists
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="SecureString")
    # When a user deploys an ephemeral stage reading that stage's key
    result = make(configured, "deploy", "STAGE=feat-x", f"SSM_STAGE={stage}")
    # Then each check is one ok line, and the build and the deploy follow, in that order
    assert result.status == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[1] for line in lines[:4]] == ["ok"] * 4
    assert "region: us-east-1" in lines[0]
    assert "credentials: account 123456789012, arn:aws:" in lines[1]
    assert f"api key: {parameter(stage)} is a SecureString" in lines[2]
    assert "cache: leaderboard exists" in lines[3]
    ran = [line for line in lines if line.startswith("would run sam")]
    assert ran[0] == "would run sam build"
    assert ran[1].startswith("would run sam deploy --stack-name leaderboard-api-feat-x")


@pytest.mark.parametrize(("stage", "key_stage"), [("dev", "dev"), ("prod", "prod"), ("feat-x", "shared")])
def test_make_preflight_reads_the_key_of_the_stage_the_stack_reads(stage: str, key_stage: str) -> None:
    # dev and prod read their own key whatever SSM_STAGE says; an ephemeral stage reads SSM_STAGE's
    command = ["make", "--no-print-directory", "-n", "-o", STAMP, "preflight", f"STAGE={stage}", "SSM_STAGE=shared"]
    result = run(command, nothing_configured())
    assert f"--stage {stage} --ssm-stage {key_stage}" in result.output


@pytest.mark.parametrize(
    ("stage", "overrides"),
    [
        ("dev", "--parameter-overrides StageName=dev MomentoEndpoint='cell-1.example.com'"),
        ("prod", "--config-env prod --parameter-overrides StageName=prod MomentoEndpoint='cell-1.example.com'"),
        ("feat-x", "StageName=feat-x SsmStageName=dev LeaderboardTtlSeconds=3600 MomentoEndpoint='cell-1.example.com'"),
    ],
)
def test_make_deploy_hands_momento_endpoint_to_the_preflight_and_to_the_stack(stage: str, overrides: str) -> None:
    # A v2 key's endpoint: the preflight checks the key with it, and the stack gets it as MomentoEndpoint (dev and
    # prod repeat StageName: on the command line the overrides replace samconfig's)
    command = ["make", "--no-print-directory", "-n", "-o", STAMP, "deploy", f"STAGE={stage}"]
    result = run([*command, "MOMENTO_ENDPOINT=cell-1.example.com"], nothing_configured())
    joined = result.output.replace("\\\n", " ")
    assert "scripts/deploy_preflight.py" in joined
    assert "--momento-endpoint 'cell-1.example.com'" in joined
    deploy = next(line for line in joined.splitlines() if " deploy " in line and "sam" in line)
    assert " ".join(overrides.split()) in " ".join(deploy.split())
    # And without it, neither hears of an endpoint (the stack keeps the one it has)
    unset = run(command, nothing_configured()).output
    assert "momento-endpoint" not in unset
    assert "MomentoEndpoint" not in unset


def test_a_v2_key_deploys_through_make_with_momento_endpoint(
    configured: dict[str, str], ssm: SSMClient, stage: str
) -> None:
    # Given a v2 key (it carries no endpoint) in the parameter, and Momento itself, not a local server, to check with
    v2_key = jwt.encode({"t": "g", "id": "preflight-test"}, "signing-secret-for-tests-only-32bytes!", algorithm="HS256")
    ssm.put_parameter(Name=parameter(stage), Value=v2_key, Type="SecureString")
    environment = {**configured}
    del environment["MOMENTO_LOCAL_ADDRESS"]
    # When make deploy runs without the endpoint, it stops before the build and names the make variable to set
    without = make(environment, "deploy", "STAGE=feat-x", f"SSM_STAGE={stage}")
    assert without.status != 0
    assert "a v2 key needs an endpoint" in without.line("cache")
    assert "fix: a v2 key: make deploy MOMENTO_ENDPOINT=<endpoint>" in without.line("cache")
    assert "would run sam" not in without.output
    # And with it, the key reads as a v2 key (the .invalid endpoint cannot answer: a warning), and the stack gets it
    endpoint = "cell-1.invalid"
    with_it = make(environment, "deploy", "STAGE=feat-x", f"SSM_STAGE={stage}", f"MOMENTO_ENDPOINT={endpoint}")
    assert with_it.status == 0, with_it.output
    assert "warning  cache: not checked: Momento" in with_it.line("cache")
    deploy = next(line for line in with_it.output.splitlines() if line.startswith("would run sam deploy"))
    assert f"MomentoEndpoint={endpoint}" in deploy.split()
    assert v2_key not in without.output + with_it.output


def test_the_key_never_appears_in_the_output(
    configured: dict[str, str], ssm: SSMClient, momento_local: MomentoLocalServer, stage: str
) -> None:
    # Every run in this module asserts it (see run()); this one reads the key, uses it and has it rejected
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="String")
    momento_local.set_tokens(["another-key"])
    result = preflight(configured, "--stage", stage)
    assert "is a String, not a SecureString" in result.line("api key")
    assert "Momento rejected the key" in result.line("cache")
    assert KEY not in result.output
    assert KEY[:8] not in result.output  # nor the part of it the SDK's own repr would show
    assert KEY[-8:] not in result.output


# Each way a check can end, in-process (a run costs a tenth of a process's): the same code, the same servers.


@pytest.fixture
def checks(configured: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, CheckResult]]:
    """Runs the checks in this process, in `configured` plus `changes` (None removes a variable), by check name."""

    def run_in_process(target: Target, **changes: str | None) -> dict[str, CheckResult]:
        for name in os.environ:
            if name.startswith(("AWS_", "MOMENTO_")):
                monkeypatch.delenv(name)
        for name, value in (configured | changes).items():
            if value is not None:
                monkeypatch.setenv(name, value)
        results = run_checks(target, os.environ)
        assert [result.name for result in results] == ["region", "credentials", "api key", "cache"]
        assert all(KEY not in f"{result.message} {result.fix}" for result in results)
        return {result.name: result for result in results}

    return run_in_process


def test_a_string_parameter_fails_with_how_to_recreate_it_encrypted(
    checks: Callable[..., dict[str, CheckResult]], ssm: SSMClient, stage: str
) -> None:
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="String")
    results = checks(Target(stage))
    assert results["api key"].status is Status.FAILED
    assert "is a String, not a SecureString" in results["api key"].message
    assert f"aws ssm delete-parameter --name {parameter(stage)} && aws ssm put-parameter" in str(results["api key"].fix)
    assert results["cache"].status is Status.OK  # the key itself works: only how it is stored is wrong


def test_without_the_parameter_or_a_key_at_hand_the_cache_is_not_checked(
    checks: Callable[..., dict[str, CheckResult]], stage: str
) -> None:
    results = checks(Target(stage))
    assert results["api key"].status is Status.FAILED
    assert results["cache"].status is Status.SKIPPED
    assert "not checked: no key to check it with" in results["cache"].message


def test_a_key_that_cannot_list_caches_is_not_a_failure(
    checks: Callable[..., dict[str, CheckResult]], ssm: SSMClient, momento_local: MomentoLocalServer, stage: str
) -> None:
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="SecureString")
    momento_local.faults.set(return_error="permission-denied", error_rpcs=["list-caches"])
    cache = checks(Target(stage))["cache"]
    assert cache.status is Status.SKIPPED
    assert cache.message.startswith("not checked: this key cannot list caches")


def test_a_key_momento_rejects_fails_with_how_to_store_a_valid_one(
    checks: Callable[..., dict[str, CheckResult]], ssm: SSMClient, momento_local: MomentoLocalServer, stage: str
) -> None:
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="SecureString")
    momento_local.set_tokens(["another-key"])
    cache = checks(Target(stage))["cache"]
    assert cache.status is Status.FAILED
    assert cache.message.startswith("Momento rejected the key")
    assert f"aws ssm put-parameter --overwrite --type SecureString --name {parameter(stage)}" in str(cache.fix)


def test_a_key_the_sdk_cannot_read_fails_for_a_real_deploy(
    checks: Callable[..., dict[str, CheckResult]], ssm: SSMClient, stage: str
) -> None:
    # Given no local server: the key must read as a legacy key, or as a v2 key when there is an endpoint
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="SecureString")
    legacy = checks(Target(stage), MOMENTO_LOCAL_ADDRESS=None)["cache"]
    v2 = checks(Target(stage, momento_endpoint="cell-1.example.com"), MOMENTO_LOCAL_ADDRESS=None)["cache"]
    assert legacy.status is v2.status is Status.FAILED
    assert "the key is not a legacy Momento API key" in legacy.message
    assert "make deploy MOMENTO_ENDPOINT=<endpoint>" in str(legacy.fix)
    assert v2.message == "the key is not a v2 Momento API key, which MomentoEndpoint=cell-1.example.com expects"


def test_momento_unreachable_is_a_warning_not_a_failure(
    checks: Callable[..., dict[str, CheckResult]], ssm: SSMClient, momento_local: MomentoLocalServer, stage: str
) -> None:
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="SecureString")
    # Nothing listens: the connection is refused
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        refused = checks(Target(stage), MOMENTO_LOCAL_ADDRESS=f"127.0.0.1:{closed.getsockname()[1]}")["cache"]
    # Something accepts connections and never speaks
    with socket.socket() as silent_socket:
        silent_socket.bind(("127.0.0.1", 0))
        silent_socket.listen()
        silent = checks(Target(stage), MOMENTO_LOCAL_ADDRESS=f"127.0.0.1:{silent_socket.getsockname()[1]}")["cache"]
    # Momento answers, too late: the wait is the timeout, not the SDK's minute
    momento_local.faults.set(delay_ms=5_000, delay_rpcs=["list-caches"])
    started = time.monotonic()
    late = checks(Target(stage, momento_timeout=timedelta(seconds=0.3)))["cache"]
    assert time.monotonic() - started < 2
    assert refused.status is silent.status is late.status is Status.WARNING
    assert refused.message.startswith("not checked: Momento answered SERVER_UNAVAILABLE")
    assert silent.message.startswith("not checked: Momento unreachable")
    assert late.message.startswith("not checked: Momento did not answer within 0.3 s")


def test_the_local_server_address_is_for_this_machine_only(
    checks: Callable[..., dict[str, CheckResult]], ssm: SSMClient, stage: str
) -> None:
    # The local channel is unencrypted: the key is never sent to another machine over it
    ssm.put_parameter(Name=parameter(stage), Value=KEY, Type="SecureString")
    cache = checks(Target(stage), MOMENTO_LOCAL_ADDRESS="192.0.2.10:8080")["cache"]
    assert cache.status is Status.SKIPPED
    assert "MOMENTO_LOCAL_ADDRESS (for local testing only) names another machine" in cache.message


def test_aws_region_alone_is_named_with_the_variable_sam_reads(
    checks: Callable[..., dict[str, CheckResult]], stage: str
) -> None:
    # boto3 and SAM CLI read AWS_DEFAULT_REGION: `sam deploy` with only AWS_REGION fails for want of a region
    results = checks(Target(stage), AWS_DEFAULT_REGION=None, AWS_REGION="eu-west-1")
    assert results["region"].status is Status.FAILED
    assert "AWS_REGION is set, but boto3 and SAM CLI read AWS_DEFAULT_REGION" in results["region"].message
    assert results["region"].fix == "export AWS_DEFAULT_REGION=eu-west-1"
    assert results["credentials"].status is Status.OK  # checked all the same
    assert results["api key"].message == "not checked: no AWS region"


def test_partial_credentials_are_named_with_their_fix(
    checks: Callable[..., dict[str, CheckResult]], stage: str
) -> None:
    # moto accepts any credentials; partial ones fail before any request, as they do against AWS
    results = checks(Target(stage), AWS_SECRET_ACCESS_KEY=None)
    assert results["credentials"].status is Status.FAILED
    assert "aws configure" in str(results["credentials"].fix)
    assert results["cache"].message == "not checked: no AWS credentials"


def test_a_profile_that_does_not_exist_is_named(checks: Callable[..., dict[str, CheckResult]], stage: str) -> None:
    results = checks(Target(stage), AWS_PROFILE="deployer")
    assert results["region"].status is Status.FAILED
    assert results["region"].message == "the AWS profile deployer does not exist"
    assert "aws configure sso --profile deployer" in str(results["region"].fix)
    assert results["credentials"].message == "not checked: no AWS profile deployer"
