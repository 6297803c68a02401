"""The local stand-ins for the cloud: momento-local (with the caches) and moto's server, which is SSM (with the keys)
and DynamoDB (with the tables) on one port.

What to create comes from the template: every MOMENTO_CACHE_NAME becomes a cache, every MOMENTO_API_KEY_PARAM_NAME a
SecureString holding a key momento-local accepts, and every AWS::DynamoDB::Table a table of the same name and keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from devserver.local_aws import dynamodb_client, ssm_client
from devserver.local_aws_server import LocalAwsServer
from devserver.snapshot import load_snapshot, save_snapshot
from devserver.tables import TableSpec, create_tables
from devserver.template import Application
from devserver.time_travel import offset_environment
from momento_local import MomentoLocalServer

LOCAL_MOMENTO_KEY = "local-momento-api-key"  # what the SSM parameters hold locally; momento-local accepts it
DEFAULT_CACHE = "leaderboard"


@dataclass
class LocalServices:
    momento: MomentoLocalServer
    moto: LocalAwsServer
    moto_endpoint: str  # SSM's and DynamoDB's
    cache_names: list[str]
    key_parameters: list[str]
    tables: list[TableSpec]
    table_variables: dict[str, str]  # the functions' variables that name a table -> its name
    data_dir: Path | None = None  # where the record is saved on stop and was loaded from (--data-dir)
    loaded_items: int = 0
    clock_offset_s: float = 0.0  # the stack's clock from the system's (NOW=...): momento-local runs by it already

    def function_environment(self) -> dict[str, str]:
        """Where the functions reach these servers (replacing env-vars values meant for containers), and quiet
        local runs: no metrics lines in the terminal, no X-Ray."""
        return {
            "MOMENTO_LOCAL_ADDRESS": self.momento.address,
            "AWS_ENDPOINT_URL_SSM": self.moto_endpoint,
            "AWS_ENDPOINT_URL_DYNAMODB": self.moto_endpoint,
            **self.table_variables,
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
            **offset_environment(self.clock_offset_s),
        }

    def save_record(self) -> dict[str, int]:
        """Saves the tables into data_dir (nothing without one); items saved per table."""
        if self.data_dir is None:
            return {}
        return save_snapshot(dynamodb_client(self.moto_endpoint), self.tables, self.data_dir)

    def stop(self) -> None:
        """Stops both servers, saving the record first when there is a data_dir."""
        try:
            self.save_record()
        finally:
            self.momento.stop()
            self.moto.stop()


def start_local_services(
    app: Application,
    host: str = "127.0.0.1",
    momento_port: int = 0,
    moto_port: int = 0,
    data_dir: Path | None = None,
    *,
    clock_offset_s: float = 0.0,
    momento_ops_per_second: int | None = None,
) -> LocalServices:
    """Starts both servers (free ports unless given), creates the caches, the key parameters and the tables, and
    loads the record saved in data_dir, if any. momento-local's clock runs `clock_offset_s` from the system's, as
    the functions' will (function_environment); `momento_ops_per_second` is its account rate limit (None: none)."""
    cache_names = sorted({f.environment.get("MOMENTO_CACHE_NAME", "") for f in app.functions.values()} - {""})
    key_parameters = sorted(
        {f.environment.get("MOMENTO_API_KEY_PARAM_NAME", "") for f in app.functions.values()} - {""}
    )
    cache_names = cache_names or [DEFAULT_CACHE]
    momento = MomentoLocalServer(
        host=host,
        port=momento_port,
        tokens=[LOCAL_MOMENTO_KEY],
        caches=cache_names,
        clock_offset_s=clock_offset_s,
        ops_per_second=momento_ops_per_second,
    ).start()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    moto = LocalAwsServer(host, moto_port).start()
    endpoint = moto.endpoint
    services = LocalServices(
        momento,
        moto,
        endpoint,
        cache_names,
        key_parameters,
        list(app.tables.values()),
        app.table_variables,
        data_dir,
        clock_offset_s=clock_offset_s,
    )
    try:
        ssm = ssm_client(endpoint)
        for name in key_parameters:
            ssm.put_parameter(Name=name, Value=LOCAL_MOMENTO_KEY, Type="SecureString", Overwrite=True)
        dynamodb = dynamodb_client(endpoint)
        create_tables(dynamodb, services.tables)
        if data_dir is not None:
            services.loaded_items = sum(load_snapshot(dynamodb, services.tables, data_dir).values())
    except Exception:
        momento.stop()
        moto.stop()
        raise
    return services
