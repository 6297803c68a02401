"""The SSM middleware against moto's server over HTTP: decryption, caching, expiry, grace on failure, rotation."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

import pytest
from aws_lambda_powertools.utilities.parameters import SSMProvider
from mypy_boto3_ssm import SSMClient

from shared.domain.errors import KeyUnavailable
from shared.http.middlewares.http_error_handler import http_error_handler
from shared.http.middlewares.ssm_parameters import CachedParameter, ssm_parameter
from shared.http.middy import Request, Slot
from shared.platform.parameter_sources import PowertoolsSource
from shared.platform.secret import Secret

NAME = "/leaderboard-api/unit/momento-api-key"
SHORT = timedelta(seconds=1)
CACHE = timedelta(minutes=5)
GRACE = timedelta(minutes=15)


@pytest.fixture
def provider(ssm: SSMClient) -> PowertoolsSource:
    ssm.put_parameter(Name=NAME, Value="key-1", Type="SecureString", Overwrite=True)
    return PowertoolsSource(SSMProvider(boto3_client=ssm))


def request() -> Request:
    return Request(event={}, context=None)


def test_a_secure_string_is_fetched_decrypted(provider: PowertoolsSource) -> None:
    # moto returns ciphertext-like "kms:..." text when decryption is not asked for; the plain value proves decrypt=True
    assert CachedParameter(NAME, provider, CACHE, GRACE).get() == "key-1"


def test_the_value_is_cached_until_it_expires(provider: PowertoolsSource, ssm: SSMClient) -> None:
    parameter = CachedParameter(NAME, provider, cache_expiry=SHORT, grace_period=GRACE)
    assert parameter.get() == "key-1"
    ssm.put_parameter(Name=NAME, Value="key-2", Type="SecureString", Overwrite=True)
    assert parameter.get() == "key-1"  # still cached
    time.sleep(1.1)
    assert parameter.get() == "key-2"  # expired, fetched again


def test_a_forced_refresh_bypasses_the_cache(provider: PowertoolsSource, ssm: SSMClient) -> None:
    parameter = CachedParameter(NAME, provider, CACHE, GRACE)
    secret = parameter.secret()
    ssm.put_parameter(Name=NAME, Value="key-2", Type="SecureString", Overwrite=True)
    assert secret.reveal() == "key-1"
    assert secret.refresh().reveal() == "key-2"
    assert parameter.get() == "key-2"  # and the cache now holds the new value


def test_a_failed_refresh_serves_the_cached_value_within_the_grace_period(
    provider: PowertoolsSource, ssm: SSMClient, caplog: pytest.LogCaptureFixture
) -> None:
    parameter = CachedParameter(NAME, provider, cache_expiry=SHORT, grace_period=timedelta(seconds=1))
    assert parameter.get() == "key-1"
    ssm.delete_parameter(Name=NAME)  # every fetch fails from now on
    time.sleep(1.1)
    with caplog.at_level(logging.WARNING):
        assert parameter.get() == "key-1"  # expired, refresh failed, within grace
    assert "grace period" in caplog.text
    time.sleep(1.0)
    with pytest.raises(KeyUnavailable):
        parameter.get()  # past expiry + grace


def test_a_forced_refresh_that_fails_does_not_fall_back_to_the_rejected_value(
    provider: PowertoolsSource, ssm: SSMClient
) -> None:
    parameter = CachedParameter(NAME, provider, CACHE, GRACE)
    parameter.get()
    ssm.delete_parameter(Name=NAME)
    with pytest.raises(KeyUnavailable):
        parameter.get(force_refresh=True)


def test_middleware_puts_a_secret_in_its_slot_and_never_on_the_environment(provider: PowertoolsSource) -> None:
    key: Slot[Secret] = Slot("key")
    middleware = ssm_parameter(CachedParameter(NAME, provider, CACHE, GRACE), key)
    assert middleware.before is not None
    req = request()
    middleware.before(req)
    secret = key.take(req)
    assert isinstance(secret, Secret)
    assert secret.reveal() == "key-1"
    assert "key-1" not in repr(secret)
    assert "key-1" not in str(secret)
    assert "key-1" not in os.environ.values()


def test_middleware_answers_503_when_there_is_no_value_at_all(provider: PowertoolsSource, ssm: SSMClient) -> None:
    ssm.delete_parameter(Name=NAME)
    middleware = ssm_parameter(CachedParameter(NAME, provider, CACHE, GRACE), Slot("key"))
    assert middleware.before is not None
    with pytest.raises(KeyUnavailable) as raised:
        middleware.before(request())
    on_error = http_error_handler().on_error
    assert on_error is not None
    answer = on_error(Request(event={}, context=None, error=raised.value))
    assert answer is not None
    assert answer["statusCode"] == 503
    assert answer["headers"]["Retry-After"] == "1"
