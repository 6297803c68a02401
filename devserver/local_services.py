"""The local stand-ins for the cloud: momento-local (with the caches) and moto's SSM server (with the keys).

What to create comes from the functions' own configuration: every MOMENTO_CACHE_NAME becomes a cache and every
MOMENTO_API_KEY_PARAM_NAME a SecureString holding a key momento-local accepts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from devserver.local_aws import ssm_client
from devserver.template import Application
from momento_local import MomentoLocalServer

LOCAL_MOMENTO_KEY = "local-momento-api-key"  # what the SSM parameters hold locally; momento-local accepts it
DEFAULT_CACHE = "leaderboard"


@dataclass
class LocalServices:
    momento: MomentoLocalServer
    ssm: ThreadedMotoServer
    ssm_endpoint: str
    cache_names: list[str]
    key_parameters: list[str]

    def function_environment(self) -> dict[str, str]:
        """Where the functions reach these servers (replacing env-vars values meant for containers), and quiet
        local runs: no metrics lines in the terminal, no X-Ray."""
        return {
            "MOMENTO_LOCAL_ADDRESS": self.momento.address,
            "AWS_ENDPOINT_URL_SSM": self.ssm_endpoint,
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }

    def stop(self) -> None:
        self.momento.stop()
        self.ssm.stop()


def start_local_services(
    app: Application, host: str = "127.0.0.1", momento_port: int = 0, ssm_port: int = 0
) -> LocalServices:
    """Starts both servers (free ports unless given), creates the caches and seeds the key parameters."""
    cache_names = sorted({f.environment.get("MOMENTO_CACHE_NAME", "") for f in app.functions.values()} - {""})
    key_parameters = sorted(
        {f.environment.get("MOMENTO_API_KEY_PARAM_NAME", "") for f in app.functions.values()} - {""}
    )
    cache_names = cache_names or [DEFAULT_CACHE]
    momento = MomentoLocalServer(host=host, port=momento_port, tokens=[LOCAL_MOMENTO_KEY], caches=cache_names).start()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    ssm = ThreadedMotoServer(ip_address=host, port=ssm_port, verbose=False)
    ssm.start()
    ssm_host, port = ssm.get_host_and_port()
    endpoint = f"http://{ssm_host}:{port}"
    client = ssm_client(endpoint)
    for name in key_parameters:
        client.put_parameter(Name=name, Value=LOCAL_MOMENTO_KEY, Type="SecureString", Overwrite=True)
    return LocalServices(momento, ssm, endpoint, cache_names, key_parameters)
