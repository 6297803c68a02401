"""The local stand-in for an AWS account: its region, account id and the credentials every local service accepts.

Published values, not secrets: moto accepts any credentials, and `make dev WRITE_AUTH=IAM` checks SigV4 signatures
made with these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_ssm import SSMClient

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
ACCESS_KEY_ID = "local"
SECRET_ACCESS_KEY = "local"  # noqa: S105 - the local stand-in's published credential


def function_arn(function_name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"


def ssm_client(endpoint: str) -> SSMClient:
    """A client of the local SSM server at `endpoint`."""
    import boto3  # noqa: PLC0415 - only callers that talk to a local service pay for boto3

    return boto3.client("ssm", **_local(endpoint))


def dynamodb_client(endpoint: str, config: Config | None = None) -> DynamoDBClient:
    """A client of the local DynamoDB (moto's server, the same one as SSM's) at `endpoint`."""
    import boto3  # noqa: PLC0415

    return boto3.client("dynamodb", config=config, **_local(endpoint))


def dynamodb_streams_client(endpoint: str) -> Any:
    """A client of the local DynamoDB Streams API (moto's server, DynamoDB's) at `endpoint` (untyped: the stubs of
    boto3's dynamodbstreams client are not among the dev dependencies)."""
    import boto3  # noqa: PLC0415

    return boto3.client("dynamodbstreams", **_local(endpoint))


def lambda_client(endpoint: str, config: Config | None = None) -> LambdaClient:
    """A client of the local Lambda Invoke API at `endpoint` (a dev server's, or `make invoke`'s own)."""
    import boto3  # noqa: PLC0415

    return boto3.client("lambda", config=config, **_local(endpoint))


def _local(endpoint: str) -> dict[str, Any]:
    return {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": ACCESS_KEY_ID,
        "aws_secret_access_key": SECRET_ACCESS_KEY,
    }


def credentials_environment() -> dict[str, str]:
    """The AWS_* variables that point boto3 (in a function, or in sam local's containers) at the local account."""
    return {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
    }
