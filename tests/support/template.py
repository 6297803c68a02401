"""template.yaml as tests read it: the raw YAML, and the stack SAM deploys with every intrinsic resolved, offline."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]
from samtranslator.translator.transform import transform  # type: ignore[import-untyped,unused-ignore]

from devserver.intrinsics import TemplateValues
from tests.support import ROOT

TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"
# The AWS-managed policies SAM attaches to every function role (basic logging; X-Ray because Tracing is Active).
AWS_MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
}


def _intrinsic(loader: Any, tag_suffix: str, node: Any) -> dict[str, Any]:
    """`!Ref x` -> {"Ref": "x"}, `!Sub ...` -> {"Fn::Sub": ...}: CloudFormation's short forms in long form."""
    name = tag_suffix if tag_suffix in {"Ref", "Condition"} else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


# A private subclass, so the short-form tags are not registered on yaml.SafeLoader for the whole test session.
_CfnLoader: Any = type("_CfnLoader", (yaml.SafeLoader,), {})
_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template() -> dict[str, Any]:
    loader = _CfnLoader(TEMPLATE.read_text(encoding="utf-8"))
    try:
        template: dict[str, Any] = loader.get_single_data()
    finally:
        loader.dispose()
    return template


class _AwsManagedPolicies:
    """Stands in for SAM's loader, which would list AWS-managed policies through IAM."""

    def load(self) -> dict[str, str]:
        return dict(AWS_MANAGED_POLICIES)


@cache
def _translated(overrides: tuple[tuple[str, str], ...], region: str) -> dict[str, Any]:
    template = load_template()
    # `sam package` replaces the local code folder by the uploaded artifact; the transform only accepts the latter.
    template["Globals"]["Function"]["CodeUri"] = "s3://artifacts/leaderboard-api.zip"
    with pytest.MonkeyPatch.context() as env:
        # The transform asks boto3 for the region; keep it away from any real profile or credentials.
        env.setenv("AWS_DEFAULT_REGION", region)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.delenv("AWS_PROFILE", raising=False)
        translated: dict[str, Any] = transform(template, dict(overrides), _AwsManagedPolicies())
    return translated


@cache
def _stack(overrides: tuple[tuple[str, str], ...], region: str) -> dict[str, Any]:
    translated = _translated(overrides, region)
    stage = dict(overrides).get("StageName", "dev")
    pseudo = {"AWS::Region": region, "AWS::AccountId": ACCOUNT, "AWS::StackName": f"leaderboard-api-{stage}"}
    return TemplateValues(translated, dict(overrides), pseudo).resolved_template()


def stack(region: str = REGION, **overrides: str) -> dict[str, Any]:
    """The CloudFormation template SAM deploys in this region for these parameter values, with every intrinsic
    resolved (the AWS::LanguageExtensions ones too)."""
    return _stack(tuple(sorted(overrides.items())), region)


def resources(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }
