"""Checks what a deploy needs before anything is built, and names every missing piece at once, each with its fix.

Without it `make deploy` builds for seconds, then fails on the first missing prerequisite, then on the next one; and
a missing key or cache only shows after the deploy, as a 503 on every request. Four checks run, in order, all of
them even when an earlier one fails: the AWS region, the AWS credentials, the stage's Momento API key parameter, and
the Momento cache the stack will use. What cannot be checked says why ("not checked: ..."); Momento not answering is
a warning. Exit status 1 when any check failed.

    python scripts/deploy_preflight.py --stage feat-x --ssm-stage dev [--cache-name leaderboard]
        [--momento-endpoint cell-us-east-1-1.prod.a.momentohq.com]

`make preflight` and `make deploy` run it; MOMENTO_ENDPOINT=... reaches it as --momento-endpoint and the stack as
MomentoEndpoint.

The key is decrypted in memory only: it is never printed, logged or put in the environment. When the parameter does
not exist yet, the cache is checked with $MOMENTO_API_KEY if set: the key the suggested put-parameter would store.

For local testing only: MOMENTO_LOCAL_ADDRESS=host:port (this machine only) points the cache check at a local
Momento-compatible server, as it does for the functions; boto3 honours AWS_ENDPOINT_URL for every AWS call.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

if TYPE_CHECKING:
    from momento import CredentialProvider
    from momento.responses import ListCachesResponse
    from mypy_boto3_ssm import SSMClient

SRC = Path(__file__).resolve().parents[1] / "src"

REGION = "region"
CREDENTIALS = "credentials"
API_KEY = "api key"
CACHE = "cache"
DEFAULT_CACHE_NAME = "leaderboard"  # the template's MomentoCacheName default
# STS answers for every region of the partition: credentials can be verified before a region is chosen.
STS_REGION_WITHOUT_ONE = "us-east-1"
MOMENTO_TIMEOUT = timedelta(seconds=10)
# A small positive value: 0 crashes SDK 1.29 (see src/shared/stores/momento/index.py).
EAGER_CONNECTION_TIMEOUT = timedelta(milliseconds=500)
ACCESS_DENIED = {"AccessDenied", "AccessDeniedException"}
LOCAL_HOSTS = {"localhost"}
# How a v2 key's endpoint reaches the stack (MomentoEndpoint) and these checks: the same make variable everywhere.
ENDPOINT_FIX = "make deploy MOMENTO_ENDPOINT=<endpoint> (make preflight and make backfill take it too)"


class Status(StrEnum):
    OK = "ok"
    FAILED = "FAILED"
    WARNING = "warning"  # could not check, and that may matter: the deploy goes on
    SKIPPED = "skipped"  # could not check, and that is expected: the deploy goes on


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    message: str
    fix: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


@dataclass(frozen=True)
class Target:
    """What the deploy will use: the stage whose key it reads, its cache, and how its functions reach Momento."""

    key_stage: str
    cache_name: str = DEFAULT_CACHE_NAME
    momento_endpoint: str = ""
    momento_timeout: timedelta = MOMENTO_TIMEOUT

    @property
    def key_parameter(self) -> str:
        return f"/leaderboard-api/{self.key_stage}/momento-api-key"


class NotChecked(Exception):  # noqa: N818 - read as `raise NotChecked("no key to check it with")`
    """A check that could not be made, and why: reported as skipped, never as a failure."""


class UnusableKey(Exception):  # noqa: N818 - read as `raise UnusableKey("the key is not ...", fix)`
    """The SDK cannot read the key, so neither can the functions: a failure, with its fix. Never holds the key."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.fix = fix


def key_stage(stage: str, ssm_stage: str) -> str:
    """The stage whose key the stack reads: the template's SsmStageName, where empty means the stack's own stage."""
    return ssm_stage or stage


def run_checks(target: Target, environ: Mapping[str, str]) -> list[CheckResult]:
    """Every check, in order; each runs whatever the others found, unless what it needs is missing."""
    try:
        session = boto3.Session()
    except ProfileNotFound as error:
        return _no_such_profile(str(error.kwargs.get("profile", "")))
    region = check_region(session, environ)
    credentials = check_credentials(session)
    missing = [what for what, result in (("AWS region", region), ("AWS credentials", credentials)) if not result.ok]
    if missing:
        reason = "not checked: no " + " and no ".join(missing)
        skipped = [CheckResult(API_KEY, Status.SKIPPED, reason), CheckResult(CACHE, Status.SKIPPED, reason)]
        return [region, credentials, *skipped]
    ssm = session.client("ssm")
    return [region, credentials, check_key_parameter(ssm, target.key_parameter), check_cache(ssm, target, environ)]


def check_region(session: boto3.Session, environ: Mapping[str, str]) -> CheckResult:
    if session.region_name:
        source = "AWS_DEFAULT_REGION" if environ.get("AWS_DEFAULT_REGION") else f"profile {session.profile_name}"
        return CheckResult(REGION, Status.OK, f"{session.region_name} (from {source})")
    if environ.get("AWS_REGION"):
        # boto3 and SAM CLI read AWS_DEFAULT_REGION; AWS_REGION alone leaves `sam deploy` without a region.
        return CheckResult(
            REGION,
            Status.FAILED,
            "AWS_REGION is set, but boto3 and SAM CLI read AWS_DEFAULT_REGION or the profile's region",
            fix=f"export AWS_DEFAULT_REGION={environ['AWS_REGION']}",
        )
    return CheckResult(
        REGION,
        Status.FAILED,
        "no AWS region",
        fix="export AWS_DEFAULT_REGION=us-east-1 (or `aws configure set region us-east-1`)",
    )


def check_credentials(session: boto3.Session) -> CheckResult:
    """sts:GetCallerIdentity with whatever credentials boto3 (and so SAM CLI) finds."""
    fix = _credentials_fix(session.profile_name)
    try:
        if session.get_credentials() is None:
            return CheckResult(CREDENTIALS, Status.FAILED, "no AWS credentials", fix)
        sts = session.client("sts", region_name=session.region_name or STS_REGION_WITHOUT_ONE)
        identity = sts.get_caller_identity()
    except ClientError as error:
        return CheckResult(CREDENTIALS, Status.FAILED, f"AWS rejected the credentials ({_code(error)})", fix)
    except BotoCoreError as error:
        # An expired SSO session, a failing credential_process, no route to STS: botocore's message says which.
        return CheckResult(CREDENTIALS, Status.FAILED, f"the credentials could not be verified: {error}", fix)
    return CheckResult(CREDENTIALS, Status.OK, f"account {identity['Account']}, {identity['Arn']}")


def _credentials_fix(profile: str | None) -> str:
    environment = "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if profile in (None, "default"):
        return f"`aws configure`, or `aws sso login --profile <name>` and export AWS_PROFILE=<name>, or {environment}"
    return f"`aws sso login --profile {profile}` (or `aws configure --profile {profile}`), or {environment}"


def check_key_parameter(ssm: SSMClient, name: str) -> CheckResult:
    """The parameter exists and is a SecureString. Its value is not decrypted here: only its type is read."""
    put = put_key_command(name)
    try:
        kind = ssm.get_parameter(Name=name, WithDecryption=False)["Parameter"].get("Type")
    except ssm.exceptions.ParameterNotFound:
        return CheckResult(API_KEY, Status.FAILED, f"{name} does not exist", fix=put)
    except ClientError as error:
        if _code(error) in ACCESS_DENIED:
            return CheckResult(API_KEY, Status.SKIPPED, f"not checked: ssm:GetParameter denied on {name}")
        return CheckResult(API_KEY, Status.WARNING, f"not checked: SSM answered {_code(error)} for {name}")
    except BotoCoreError as error:
        return CheckResult(API_KEY, Status.WARNING, f"not checked: {error}")
    if kind != "SecureString":
        return CheckResult(
            API_KEY,
            Status.FAILED,
            f"{name} is a {kind}, not a SecureString: the key is stored unencrypted",
            fix=f"recreate it encrypted: aws ssm delete-parameter --name {name} && {put}",
        )
    return CheckResult(API_KEY, Status.OK, f"{name} is a SecureString")


def check_cache(ssm: SSMClient, target: Target, environ: Mapping[str, str]) -> CheckResult:
    """The stack's cache exists, as seen with the stage's key; only a control call the key may make can tell."""
    try:
        key, key_source = _key_to_check_with(ssm, target.key_parameter, environ)
        credentials, where = momento_credentials_for(key, target, environ.get("MOMENTO_LOCAL_ADDRESS"))
    except NotChecked as reason:
        return CheckResult(CACHE, Status.SKIPPED, f"not checked: {reason}")
    except UnusableKey as problem:
        return CheckResult(CACHE, Status.FAILED, str(problem), fix=problem.fix)
    answer = _list_caches(credentials, target.momento_timeout)
    return _cache_result(answer, target, f"{where}{key_source}")


def _key_to_check_with(ssm: SSMClient, name: str, environ: Mapping[str, str]) -> tuple[str, str]:
    """The key, decrypted in memory, and where it came from when that is not the parameter."""
    try:
        return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"], ""
    except ssm.exceptions.ParameterNotFound:
        if environ.get("MOMENTO_API_KEY"):
            return environ["MOMENTO_API_KEY"], ", checked with $MOMENTO_API_KEY as the parameter does not exist"
        raise NotChecked(
            "no key to check it with (the parameter does not exist; export MOMENTO_API_KEY to check with yours)"
        ) from None
    except ClientError as error:
        raise NotChecked(f"the key could not be read ({_code(error)})") from None
    except BotoCoreError as error:
        raise NotChecked(f"the key could not be read ({type(error).__name__})") from None


def momento_credentials_for(key: str, target: Target, local_address: str | None) -> tuple[CredentialProvider, str]:
    """Credentials built as the functions build them, and where they lead."""
    from shared.stores.momento.credentials import momento_credentials  # noqa: PLC0415 - the SDK loads only with a key

    if local_address:
        host, _, port = local_address.rpartition(":")
        if not port.isdigit():
            raise NotChecked(f"MOMENTO_LOCAL_ADDRESS (for local testing only) is not host:port ({local_address})")
        if not _is_this_machine(host):
            # The local channel is unencrypted: the real key must not travel over a network in clear text.
            raise NotChecked(f"MOMENTO_LOCAL_ADDRESS (for local testing only) names another machine ({host})")
        return momento_credentials(key, None, local_address), f" (local Momento server at {local_address})"
    store_a_valid_key = f"store a valid key: {put_key_command(target.key_parameter, overwrite=True)}"
    endpoint = target.momento_endpoint
    try:
        return momento_credentials(key, endpoint, None), ""
    except Exception:
        # The SDK's message is not repeated: a decoding error can quote part of the key.
        if endpoint:
            problem = f"the key is not a v2 Momento API key, which MomentoEndpoint={endpoint} expects"
            raise UnusableKey(problem, store_a_valid_key) from None
        problem = "the key is not a legacy Momento API key (one that carries its endpoint); a v2 key needs an endpoint"
        fix = f"a v2 key: {ENDPOINT_FIX}; else {store_a_valid_key}"
        raise UnusableKey(problem, fix) from None


def _list_caches(credentials: CredentialProvider, timeout: timedelta) -> ListCachesResponse | Exception | None:
    """list_caches' answer, the exception that stopped it, or None when Momento has not answered within `timeout`.

    The SDK's control calls wait up to a minute; a daemon thread bounds the wait without keeping the process alive.
    """
    from momento import CacheClient, Configurations  # noqa: PLC0415 - see momento_credentials_for

    answers: list[ListCachesResponse | Exception] = []

    def list_them() -> None:
        try:
            # list_caches writes nothing: the client's default TTL is never used.
            with CacheClient.create(
                Configurations.Laptop.latest(), credentials, timedelta(minutes=1), EAGER_CONNECTION_TIMEOUT
            ) as client:
                answers.append(client.list_caches())
        except Exception as error:  # the eager connection gives up by raising, not with a response
            answers.append(error)

    worker = threading.Thread(target=list_them, name="momento-list-caches", daemon=True)
    worker.start()
    worker.join(timeout.total_seconds())
    return answers[0] if answers else None


def _cache_result(answer: ListCachesResponse | Exception | None, target: Target, where: str) -> CheckResult:
    from momento.errors import MomentoErrorCode  # noqa: PLC0415 - see momento_credentials_for
    from momento.responses import ListCaches  # noqa: PLC0415 - see momento_credentials_for

    name = target.cache_name
    if answer is None:
        seconds = target.momento_timeout.total_seconds()
        return CheckResult(CACHE, Status.WARNING, f"not checked: Momento did not answer within {seconds:g} s{where}")
    if isinstance(answer, Exception):
        return CheckResult(CACHE, Status.WARNING, f"not checked: Momento unreachable ({type(answer).__name__}){where}")
    if isinstance(answer, ListCaches.Success):
        names = sorted(cache.name for cache in answer.caches)
        if name in names:
            return CheckResult(CACHE, Status.OK, f"{name} exists{where}")
        seen = ", ".join(names) or "none"
        return CheckResult(
            CACHE,
            Status.FAILED,
            f"no Momento cache named {name}{where} (this key sees: {seen})",
            fix=f"create it in the Momento console, or with the Momento CLI: momento cache create {name}",
        )
    code = answer.error_code if isinstance(answer, ListCaches.Error) else None
    if code == MomentoErrorCode.PERMISSION_ERROR:
        return CheckResult(CACHE, Status.SKIPPED, f"not checked: this key cannot list caches{where}")
    if code == MomentoErrorCode.AUTHENTICATION_ERROR:
        fix = f"store a valid key: {put_key_command(target.key_parameter, overwrite=True)}"
        return CheckResult(CACHE, Status.FAILED, f"Momento rejected the key{where}", fix=fix)
    answered = code.name if code is not None else type(answer).__name__
    return CheckResult(CACHE, Status.WARNING, f"not checked: Momento answered {answered}{where}")


def put_key_command(name: str, *, overwrite: bool = False) -> str:
    """The command that stores the key; "$MOMENTO_API_KEY" keeps the key itself out of the shell's history."""
    replace = " --overwrite" if overwrite else ""
    return f'aws ssm put-parameter{replace} --type SecureString --name {name} --value "$MOMENTO_API_KEY"'


def _no_such_profile(profile: str) -> list[CheckResult]:
    reason = f"not checked: no AWS profile {profile}"
    return [
        CheckResult(
            REGION,
            Status.FAILED,
            f"the AWS profile {profile} does not exist",
            fix=f"`aws configure --profile {profile}` or `aws configure sso --profile {profile}`, or unset AWS_PROFILE",
        ),
        CheckResult(CREDENTIALS, Status.SKIPPED, reason),
        CheckResult(API_KEY, Status.SKIPPED, reason),
        CheckResult(CACHE, Status.SKIPPED, reason),
    ]


def _is_this_machine(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "an error"))


def report(results: Sequence[CheckResult]) -> tuple[list[str], int]:
    """The lines to print, one per check (and its fix when it failed), and the exit status."""
    width = max(len(status.value) for status in Status)
    lines = []
    for result in results:
        lines.append(f"preflight {result.status.value:<{width}}  {result.name}: {result.message}")
        if result.fix:
            lines.append(f"preflight {'':<{width}}  fix: {result.fix}")
    failed = sum(result.status is Status.FAILED for result in results)
    if failed:
        lines.append(f"preflight: {failed} of {len(results)} checks failed; fix them before deploying.")
    return lines, 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stage", required=True, help="the stack's stage (StageName)")
    parser.add_argument("--ssm-stage", default="", help="the stage whose Momento API key it reads (empty: --stage)")
    parser.add_argument("--cache-name", default=DEFAULT_CACHE_NAME, help="MomentoCacheName (default: %(default)s)")
    parser.add_argument("--momento-endpoint", default="", help="MomentoEndpoint, for a v2 API key")
    parser.add_argument(
        "--momento-timeout",
        type=float,
        default=MOMENTO_TIMEOUT.total_seconds(),
        help="seconds to wait for Momento (default: %(default)g)",
    )
    options = parser.parse_args(argv)
    sys.path.insert(0, str(SRC))  # the functions' own rule for turning a key into credentials
    # The SDK logs connection trouble as warnings; each check reports its outcome once, in its own line.
    logging.getLogger("momentosdk").setLevel(logging.CRITICAL)
    target = Target(
        key_stage=key_stage(options.stage, options.ssm_stage),
        cache_name=options.cache_name,
        momento_endpoint=options.momento_endpoint,
        momento_timeout=timedelta(seconds=options.momento_timeout),
    )
    lines, status = report(run_checks(target, os.environ))
    print("\n".join(lines), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
