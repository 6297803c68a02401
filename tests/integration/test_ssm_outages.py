"""SSM unreachable (not just a missing parameter): at cold start, and when the cached key expires."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from mypy_boto3_ssm import SSMClient

from momento_local import MomentoLocalServer
from tests.support.api_client import InProcessClient, assert_error
from tests.support.service import Service, start_service
from tests.support.switchable_proxy import SwitchableProxy


@pytest.fixture
def ssm_proxy(moto_ssm: str) -> Iterator[SwitchableProxy]:
    target = urlsplit(moto_ssm)
    with SwitchableProxy(target.hostname or "127.0.0.1", target.port or 0) as proxy:
        yield proxy


@pytest.fixture
def behind_proxy(
    service_environment: dict[str, str],
    ssm_proxy: SwitchableProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> SwitchableProxy:
    # The functions reach SSM through the proxy, and trust a fetched key 1 s, with 5 s of grace when SSM fails (the
    # key is fetched at the cold start's init, which a busy machine makes slow: the grace leaves room for it).
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", ssm_proxy.url)
    monkeypatch.setenv("MOMENTO_API_KEY_CACHE_SECONDS", "1")
    monkeypatch.setenv("MOMENTO_API_KEY_GRACE_SECONDS", "5")
    return ssm_proxy


@pytest.fixture
def service_behind_proxy(behind_proxy: SwitchableProxy, momento_local: MomentoLocalServer, ssm: SSMClient) -> Service:
    return start_service(momento_local, ssm)


def test_ssm_unreachable_at_cold_start_is_503_well_inside_the_timeout(
    behind_proxy: SwitchableProxy, momento_local: MomentoLocalServer, ssm: SSMClient
) -> None:
    # Given SSM unreachable from the functions' init on (which tries to fetch the key, and goes on without it)
    behind_proxy.up = False
    started = time.monotonic()
    service = start_service(momento_local, ssm)
    assert time.monotonic() - started < 30  # nine functions' inits, each failing fast: no init near its 10 s limit
    api = InProcessClient(service)
    started = time.monotonic()
    response = api.page("weekly")
    assert_error(response, 503, "configuration")
    assert response.headers["Retry-After"] == "1"
    assert time.monotonic() - started < 5  # short SSM timeouts, one retry: far below the 10 s function timeout
    # And once SSM answers, the next request fetches the key and is served
    behind_proxy.up = True
    assert api.submit("weekly", "v", {"score": 1}).status == 202


def test_a_cached_key_serves_through_an_ssm_outage_within_its_grace_then_503(
    service_behind_proxy: Service, ssm_proxy: SwitchableProxy
) -> None:
    api = InProcessClient(service_behind_proxy)
    # Given a warm function (each function is its own execution environment, with its own cache) that fetched the key
    assert api.submit("weekly", "v", {"score": 1}).status == 202
    # When SSM goes away and the cached key expires (1 s), requests within the grace period (5 s more) still work
    ssm_proxy.up = False
    time.sleep(1.2)
    assert api.submit("weekly", "v", {"score": 2}).status == 202
    # Then, past expiry + grace, the answer is 503 with Retry-After, never a 500
    time.sleep(5.0)
    assert_error(api.submit("weekly", "v", {"score": 3}), 503, "configuration")
    # And when SSM is back, the next request works again, and every accepted write is there
    ssm_proxy.up = True
    assert api.submit("weekly", "w", {"score": 4}).status == 202
    assert api.standing("weekly", "v").json() == {"score": 2, "rank": 1}
