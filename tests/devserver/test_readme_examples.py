"""The README's API examples, run in order against a fresh dev server with the demo board (`make dev SEED=1`): each
answers exactly what its comment says.

A newcomer follows the README before anything else; an example whose printed answer differs from what they see is
the first thing that costs them time. Each example makes curl print the body, then the HTTP status
(`-s -w ' %{http_code}\\n'`), and the comment under it is that line: `# <body> <status>`. Request ids differ by
nature: the comments show them as "...". So do the dates of periods (today's, yesterday's): a JSON string that is an
ISO date, month, week id or instant (`2026-11-27`, `2026-10`, `2026-W47`, `2026-11-27T00:00:00+01:00`) has its
digits masked, in the README's body and the live one alike, before they are compared; its shape is still compared.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support import ROOT
from tests.support.dev_server import DevServerProcess

README = ROOT / "README.md"
REQUEST_ID = re.compile(r'("requestId": ?")[^"]+(")')
# A whole JSON string holding a period's id or boundary (the README's examples name no player or board like one).
ISO_DATE = re.compile(
    r'(?<=")[0-9]{4}-(?:W[0-9]{2}|[0-9]{2}(?:-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2})?)?)(?=")'
)


def normalized(body: str) -> str:
    """The body with request ids as "..." and the digits of dates masked (see the module's docstring)."""
    body = REQUEST_ID.sub(r"\1...\2", body)
    return ISO_DATE.sub(lambda date: re.sub("[0-9]", "#", date[0]), body)


def api_examples() -> list[tuple[list[str], int, str]]:
    """(curl arguments, status, body) for each `curl` line of the API section and the `# BODY STATUS` after it (an
    empty body prints the status alone: `# 204`)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The API\n") : text.index("### Rules and errors")]
    examples = []
    lines = iter(section.replace("\\\n", " ").splitlines())
    for line in lines:
        if line.startswith("curl "):
            body, _, status = next(lines).removeprefix("# ").rpartition(" ")
            examples.append((shlex.split(line), int(status), body))
    return examples


def call(arguments: list[str], api: str, key: str) -> requests.Response:
    """The request curl would make for these arguments (the README uses -s, -w, -X, -H, -d, a URL, and for admin
    calls --aws-sigv4 "aws:amz:<region>:<service>" with --user <access key>:<secret>, which sign the request)."""
    method, headers, data, url = "GET", {}, None, ""
    sigv4, user = None, None
    options = iter(arguments[1:])
    for option in options:
        if option == "-X":
            method = next(options)
        elif option == "-H":
            name, _, value = next(options).partition(": ")
            headers[name] = value.replace("$KEY", key)
        elif option == "-d":
            data = next(options).encode()
            method = "POST" if method == "GET" else method
        elif option == "--aws-sigv4":
            sigv4 = next(options)
        elif option == "--user":
            user = next(options)
        elif option in ("-o", "-w"):
            next(options)  # what curl prints instead of the body: see printed()
        elif option != "-s":
            url = option.replace("$API", api)
    if sigv4 is not None and user is not None:
        _, _, region, service = sigv4.split(":")
        access_key, _, secret = user.partition(":")
        request = AWSRequest(method=method, url=url, headers=headers, data=data or b"")
        SigV4Auth(Credentials(access_key, secret), service, region).add_auth(request)
        headers = dict(request.headers.items())
    return requests.request(method, url, headers=headers, data=data, timeout=30)


def printed(arguments: list[str], response: requests.Response) -> str:
    """What the README's comment shows before the status: the body (`-w ' %{http_code}\\n'`), or for `-o /dev/null
    -w '%{content_type} %{http_code}\\n'` (the board page, whose body is a whole HTML page) the content type curl
    prints. An example without a -w that prints its status is refused: its output would not show what its comment
    does."""
    assert "-w" in arguments, f"the README's example does not print its status: {' '.join(arguments)}"
    write_out = arguments[arguments.index("-w") + 1]
    if "-o" not in arguments:
        assert write_out == " %{http_code}\\n", f"the README's -w is not one this test renders: {write_out}"
        return normalized(response.text)
    assert arguments[arguments.index("-o") + 1] == "/dev/null", "the README's -o is not one this test renders"
    assert write_out == "%{content_type} %{http_code}\\n", f"the README's -w is not one this test renders: {write_out}"
    return response.headers["Content-Type"]


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_path: Path = tmp_path_factory.mktemp("readme") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        # The default key, local-dev-key, as the README says; the demo board, for the example of yesterday's winners
        # and pages never kept: run by hand, each example comes more than ReadCacheSeconds (2 s) after the one before
        server = DevServerProcess("--no-reload", "--seed", "--parameter-overrides", "ReadCacheSeconds=0", log=log)
        yield server.url
        server.stop()


def test_the_readme_shows_a_write_a_read_a_page_and_the_errors_a_newcomer_meets() -> None:
    statuses = [status for _, status, _ in api_examples()]
    assert {202, 200, 204, 403, 404} <= set(statuses)
    assert any(arguments[-1].startswith("$API/?") for arguments, _, _ in api_examples())  # the board page
    assert any("?startRank=" in " ".join(arguments) for arguments, _, _ in api_examples())
    assert any("period=daily:previous" in " ".join(arguments) for arguments, _, _ in api_examples())


def test_dates_are_masked_in_period_answers_only() -> None:
    period = '"period":{"kind":"weekly","id":"2026-W47","start":"2026-11-16T00:00:00+01:00","end":"2026-11-23"}'
    assert normalized(period) == (
        '"period":{"kind":"weekly","id":"####-W##","start":"####-##-##T##:##:##+##:##","end":"####-##-##"}'
    )
    untouched = '{"name":"player-2026-11-27","score":2026,"total":"2026-11-27 "}'
    assert normalized(untouched) == untouched


def test_every_api_example_answers_what_the_readme_prints(dev_server: str) -> None:
    for arguments, status, body in api_examples():
        response = call(arguments, dev_server, "local-dev-key")
        assert (response.status_code, printed(arguments, response)) == (status, normalized(body)), " ".join(arguments)
