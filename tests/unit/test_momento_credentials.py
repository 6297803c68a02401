"""Which Momento credentials the store builds from its configuration and the fetched key."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from momento.auth import momento_endpoint_resolver

from shared.domain.errors import KeyUnavailable
from shared.http.middlewares.http_error_handler import http_error_handler
from shared.http.middy import Request
from shared.stores.momento.index import MomentoIndex
from tests.support.settings import settings_for_tests


def store(endpoint: str | None = None, local: str | None = None) -> MomentoIndex:
    return MomentoIndex(settings_for_tests(momento_endpoint=endpoint, momento_local_address=local))


def test_a_local_address_sends_the_fetched_key_over_an_insecure_channel() -> None:
    credentials = store(local="127.0.0.1:9999")._credentials("local-key")
    assert (credentials.cache_endpoint, credentials.port, credentials.auth_token) == ("127.0.0.1", 9999, "local-key")


def test_a_legacy_key_carries_its_own_endpoint() -> None:
    legacy = base64.b64encode(json.dumps({"endpoint": "cell-x.example.com", "api_key": "secret"}).encode()).decode()
    credentials = store()._credentials(legacy)
    assert credentials.cache_endpoint == "cache.cell-x.example.com"
    assert credentials.port == 443


def test_a_v2_key_uses_the_configured_endpoint() -> None:
    claims = {momento_endpoint_resolver._API_KEY_TYPE_CLAIM_ID: momento_endpoint_resolver._GLOBAL_API_KEY_TYPE}
    v2_key = jwt.encode(claims, "signing-secret-for-tests-only-32bytes!", algorithm="HS256")
    credentials = store(endpoint="cell-y.example.com")._credentials(v2_key)
    assert credentials.cache_endpoint == "cache.cell-y.example.com"
    assert credentials.auth_token == v2_key


def test_a_malformed_key_is_503_and_the_error_does_not_hold_the_key() -> None:
    with pytest.raises(KeyUnavailable) as raised:
        store(endpoint="cell-y.example.com")._create_client("not-a-v2-key-abc123")
    on_error = http_error_handler().on_error
    assert on_error is not None
    answer = on_error(Request(event={}, context=None, error=raised.value))
    assert answer is not None
    assert answer["statusCode"] == 503
    assert "abc123" not in raised.value.message
    assert "abc123" not in answer["body"]
