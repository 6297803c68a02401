"""The key fetched through the Parameters and Secrets Lambda Extension's HTTP endpoint (its layer attached)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mypy_boto3_ssm import SSMClient

from momento_local import MomentoLocalServer
from shared.platform.parameter_sources import ExtensionError, ExtensionSource
from tests.support.api_client import InProcessClient
from tests.support.parameters_extension import ParametersExtension
from tests.support.service import API_KEY, API_KEY_PARAMETER, Service, start_service

TOKEN = "session-token-of-this-invocation"


@pytest.fixture
def extension(moto_ssm: str, ssm: SSMClient) -> Iterator[ParametersExtension]:
    ssm.put_parameter(Name=API_KEY_PARAMETER, Value=API_KEY, Type="SecureString", Overwrite=True)
    server = ParametersExtension(moto_ssm, TOKEN)
    yield server
    server.stop()


def test_the_extension_source_fetches_decrypted_caches_and_refreshes(
    extension: ParametersExtension, ssm: SSMClient
) -> None:
    source = ExtensionSource(extension.port, TOKEN)
    assert source.get(API_KEY_PARAMETER, max_age=300, force_fetch=False) == API_KEY
    ssm.put_parameter(Name=API_KEY_PARAMETER, Value="rotated", Type="SecureString", Overwrite=True)
    assert source.get(API_KEY_PARAMETER, max_age=300, force_fetch=False) == API_KEY  # cached
    assert source.get(API_KEY_PARAMETER, max_age=300, force_fetch=True) == "rotated"


def test_a_wrong_token_or_missing_parameter_is_an_error(extension: ParametersExtension) -> None:
    with pytest.raises(ExtensionError):
        ExtensionSource(extension.port, "not-the-token").get(API_KEY_PARAMETER, max_age=300, force_fetch=False)
    with pytest.raises(ExtensionError):
        ExtensionSource(extension.port, TOKEN).get("/no/such/parameter", max_age=300, force_fetch=False)


def test_the_functions_use_the_extension_when_its_port_is_set(
    service_environment: dict[str, str],
    momento_local: MomentoLocalServer,
    ssm: SSMClient,
    extension: ParametersExtension,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the variables the template sets when the extension layer is attached, and no route to SSM otherwise
    monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", str(extension.port))
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9")  # a closed port: boto3 could not fetch
    service: Service = start_service(momento_local, ssm)
    # When the API is used, rotation included
    api = InProcessClient(service)
    assert api.submit("weekly", "v", {"score": 1}).status == 202
    service.rotate_key("rotated-through-the-extension")
    assert api.submit("weekly", "w", {"score": 2}).status == 202
    # Then the key came through the extension (SSM itself was unreachable), before and after the rotation
    assert api.standing("weekly", "w").json() == {"score": 2, "rank": 0}
