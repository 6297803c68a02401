"""The template's DynamoDB tables as local stand-ins make them: one definition, read from the template, for `make dev`,
`make invoke`, `make sam-local`, the bench and the tests, so a local table cannot drift from the one AWS creates.

Locally a table needs only what shapes its items and queries (name, keys, billing, indexes) and its stream, which the
dev server reads as Lambda's event source mappings do (devserver/streams.py). Encryption, point-in-time recovery and
deletion protection have no local meaning, so they are left out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devserver.intrinsics import TemplateValues

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE_TYPE = "AWS::DynamoDB::Table"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
CREATE_TABLE_FIELDS = (
    "TableName",
    "KeySchema",
    "AttributeDefinitions",
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    create_request: dict[str, Any]  # CreateTable's parameters

    @property
    def name(self) -> str:
        name: str = self.create_request["TableName"]
        return name

    @property
    def has_stream(self) -> bool:
        return bool(self.create_request.get("StreamSpecification", {}).get("StreamEnabled"))


def table_specs(template: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> dict[str, TableSpec]:
    """Every table of the template (a raw SAM or CloudFormation template), resolved for these parameter values."""
    resolved = TemplateValues(template, overrides or {}).resolved_template()
    specs = {}
    for logical_id, resource in resolved.get("Resources", {}).items():
        if resource.get("Type") != TABLE_TYPE:
            continue
        properties = resource.get("Properties", {})
        request = {field: properties[field] for field in CREATE_TABLE_FIELDS if field in properties}
        if "StreamViewType" in properties.get("StreamSpecification", {}):
            # CloudFormation's property names the view; CreateTable also wants the stream turned on.
            view = properties["StreamSpecification"]["StreamViewType"]
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        # Without a TableName CloudFormation makes one up; locally the logical id is as good.
        request.setdefault("TableName", logical_id)
        specs[logical_id] = TableSpec(logical_id, request)
    return specs


def table_variables(template: Mapping[str, Any]) -> dict[str, str]:
    """The functions' environment variables that hold a table's name (`!Ref` of a table): variable -> logical id."""
    resources = template.get("Resources", {})
    tables = {logical_id for logical_id, resource in resources.items() if resource.get("Type") == TABLE_TYPE}
    globals_variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    declared = [globals_variables] + [
        resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        for resource in resources.values()
        if resource.get("Type") in FUNCTION_TYPES
    ]
    return {
        name: value["Ref"]
        for variables in declared
        for name, value in (variables or {}).items()
        if isinstance(value, dict) and value.get("Ref") in tables
    }


def create_tables(client: DynamoDBClient, specs: Iterable[TableSpec]) -> None:
    """Each table, new and empty. moto's servers in one process share its backends, which outlive a server: a
    table left by an earlier one is made again."""
    for spec in specs:
        recreate_table(client, spec)


def recreate_table(client: DynamoDBClient, spec: TableSpec) -> None:
    """The table, empty: deleted if it exists, then created again (cheap in moto, which answers at once)."""
    with contextlib.suppress(client.exceptions.ResourceNotFoundException):
        client.delete_table(TableName=spec.name)
    client.create_table(**spec.create_request)
