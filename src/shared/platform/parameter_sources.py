"""Where SSM parameters come from: Powertools parameters over boto3, or the AWS Parameters and Secrets Lambda
Extension's local HTTP endpoint when its layer is attached.

Both take `max_age` and `force_fetch` and cache alike. The extension path exists for cold starts: importing
Powertools parameters imports boto3 (about 200 ms of a cold start, measured by `make bench`), while the extension
needs only the standard library. Its small cache is written here because any Powertools parameters import brings
boto3 back.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.parse
from typing import Any, Protocol

EXTENSION_PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
# Short timeouts and one retry: an SSM outage must end in a 503 well inside the function's timeout.
CONNECT_TIMEOUT_S = 1
READ_TIMEOUT_S = 1


class ParameterSource(Protocol):
    def get(self, name: str, *, max_age: int, force_fetch: bool) -> str: ...


class PowertoolsSource:
    """Powertools' SSMProvider (boto3), created on first use: fetch and cache are Powertools'. Its client is made on
    boto3's default session, which the record's DynamoDB client shares: botocore reads its endpoint and partition
    data once per execution environment, not once per client."""

    def __init__(self, provider: Any = None) -> None:
        self._provider = provider
        self._lock = threading.Lock()

    def get(self, name: str, *, max_age: int, force_fetch: bool) -> str:
        # decrypt=True always: a SecureString read without it returns ciphertext, and `decrypt` is not part of
        # Powertools' cache key.
        return str(self._ssm().get(name, decrypt=True, max_age=max_age, force_fetch=force_fetch))

    def _ssm(self) -> Any:
        with self._lock:
            if self._provider is None:
                import boto3  # noqa: PLC0415 - boto3 only where the key is read through it
                from aws_lambda_powertools.utilities.parameters import SSMProvider  # noqa: PLC0415
                from botocore.config import Config  # noqa: PLC0415

                config = Config(
                    connect_timeout=CONNECT_TIMEOUT_S,
                    read_timeout=READ_TIMEOUT_S,
                    retries={"total_max_attempts": 2, "mode": "standard"},
                )
                self._provider = SSMProvider(boto3_client=boto3.client("ssm", config=config))
            return self._provider


class ExtensionError(RuntimeError):
    """The extension could not return the parameter."""


class ExtensionSource:
    """The Parameters and Secrets Lambda Extension on localhost (its own cache set to 0: this one governs)."""

    def __init__(self, port: int, session_token: str | None) -> None:
        self._port = port
        self._token = session_token or ""
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, name: str, *, max_age: int, force_fetch: bool) -> str:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(name)
        if cached is not None and not force_fetch and cached[1] > now:
            return cached[0]
        value = self._fetch(name)
        with self._lock:
            self._cache[name] = (value, now + max_age)
        return value

    def _fetch(self, name: str) -> str:
        path = "/systemsmanager/parameters/get?" + urllib.parse.urlencode({"name": name, "withDecryption": "true"})
        last_error: Exception | None = None
        for _ in range(2):
            connection = http.client.HTTPConnection("localhost", self._port, timeout=CONNECT_TIMEOUT_S + READ_TIMEOUT_S)
            try:
                connection.request("GET", path, headers={"X-Aws-Parameters-Secrets-Token": self._token})
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    raise ExtensionError(f"the extension answered {response.status} for {name}")
                return str(json.loads(body)["Parameter"]["Value"])
            except (OSError, ValueError, KeyError, ExtensionError) as error:
                last_error = error
            finally:
                connection.close()
        raise ExtensionError(f"the extension could not return {name}") from last_error


def default_source() -> ParameterSource:
    """The extension when its layer is attached (the template sets the port variable then), else Powertools."""
    port = os.environ.get(EXTENSION_PORT_VARIABLE, "")
    if port.isdigit():
        return ExtensionSource(int(port), os.environ.get("AWS_SESSION_TOKEN"))
    return PowertoolsSource()
