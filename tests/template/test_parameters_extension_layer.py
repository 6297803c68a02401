"""How the functions read the Momento key: through the AWS Parameters and Secrets Lambda Extension layer AWS publishes
in the region (ParametersSecretsExtensionLayerArn=auto, the default), through a layer given by ARN, or with boto3
(none, or a region and architecture the template's table of layers does not list)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.template import load_template, resources, stack

TEMPLATE = load_template()
TABLE: dict[str, dict[str, str]] = TEMPLATE["Mappings"]["ParametersSecretsExtension"]
PARAMETER = TEMPLATE["Parameters"]["ParametersSecretsExtensionLayerArn"]
# A layer ARN as AWS publishes them: the region's partition, the region, the publishing account (one per region),
# the layer's name (with -Arm64 for arm64) and its version.
PUBLISHED_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov):lambda:(?P<region>[a-z]{2}(-gov)?-[a-z]+-[0-9]):(?P<account>[0-9]{12})"
    r":layer:AWS-Parameters-and-Secrets-Lambda-Extension(?P<arm64>-Arm64)?:(?P<version>[1-9][0-9]*)"
)
US_EAST_1_ARM64 = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:4"
US_EAST_1_X86_64 = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:4"
EU_WEST_1_ARM64 = "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:4"
BOTO3 = {((), "", "")}


def key_paths(template: dict[str, Any]) -> set[tuple[tuple[str, ...], str, str]]:
    """Each function's layers, extension port and extension cache TTL (one entry when all functions agree)."""
    return {
        (
            tuple(function.get("Layers", ())),
            function["Environment"]["Variables"]["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"],
            function["Environment"]["Variables"]["SSM_PARAMETER_STORE_TTL"],
        )
        for function in resources(template, "AWS::Lambda::Function").values()
    }


def through(layer: str) -> set[tuple[tuple[str, ...], str, str]]:
    """Every function carries the layer, knows its port, and turns its cache off (the functions' own cache and
    forced refresh on rotation govern)."""
    return {((layer,), "2773", "0")}


@pytest.mark.parametrize(("region", "layer"), [("us-east-1", US_EAST_1_ARM64), ("eu-west-1", EU_WEST_1_ARM64)])
def test_by_default_the_functions_read_the_key_through_the_regions_arm64_layer(region: str, layer: str) -> None:
    # Given a stack deployed with the defaults in a region the table lists
    template = stack(region)

    # When reading how its functions read the key, Then it is through the extension layer AWS publishes there
    assert key_paths(template) == through(layer)


def test_x86_64_functions_get_the_regions_x86_64_layer() -> None:
    # Given the functions built for x86_64 (as `make sam-local` does on such a host)
    template = stack("us-east-1", Architecture="x86_64")

    # Then they carry the x86_64 layer, which has no -Arm64 in its name
    assert key_paths(template) == through(US_EAST_1_X86_64)


def test_none_reads_the_key_with_boto3() -> None:
    # Given the extension turned off in a region that has it
    template = stack("us-east-1", ParametersSecretsExtensionLayerArn="none")

    # Then no layer is attached and the port is empty: the code reads the key with boto3
    assert key_paths(template) == BOTO3


def test_a_layer_given_by_arn_is_used_as_given() -> None:
    # Given a newer layer version than the table's
    layer = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:12"

    # When deploying with it, Then every function carries that one
    assert key_paths(stack("us-east-1", ParametersSecretsExtensionLayerArn=layer)) == through(layer)


def test_empty_means_auto_for_stacks_deployed_when_it_was_the_default() -> None:
    # Given the value a stack deployed before `auto` holds (sam deploy keeps a parameter's previous value)
    template = stack("eu-west-1", ParametersSecretsExtensionLayerArn="")

    # Then it reads the key as a new stack does
    assert key_paths(template) == through(EU_WEST_1_ARM64)


@pytest.mark.parametrize(
    ("region", "architecture"),
    [
        ("xx-hypothetical-1", "arm64"),  # a region the table cannot know, such as one opened after it
        ("xx-hypothetical-1", "x86_64"),
        ("eu-central-2", "arm64"),  # a region the table lists for x86_64 only
    ],
)
def test_where_the_table_has_no_layer_the_functions_read_the_key_with_boto3(region: str, architecture: str) -> None:
    # Given the defaults in a region and architecture without a layer in the table
    template = stack(region, Architecture=architecture)

    # Then the stack still deploys, with no layer: the code reads the key with boto3
    assert key_paths(template) == BOTO3


def test_a_region_listed_for_x86_64_only_still_gets_its_x86_64_layer() -> None:
    # Given x86_64 functions in a region of the China partition
    template = stack("cn-north-1", Architecture="x86_64")

    # Then they get that region's layer, with its partition in the ARN
    layer = "arn:aws-cn:lambda:cn-north-1:287114880934:layer:AWS-Parameters-and-Secrets-Lambda-Extension:4"
    assert key_paths(template) == through(layer)


def test_every_layer_of_the_table_is_the_one_published_in_its_region() -> None:
    # Given the table (the AWS CDK's copy of AWS's list for extension 1.0.103: 30 regions, 21 of them with arm64)
    assert (len(TABLE), sum("arm64" in layers for layers in TABLE.values())) == (30, 21)

    for region, layers in TABLE.items():
        # When reading each region's layers
        published = {architecture: PUBLISHED_ARN.fullmatch(arn) for architecture, arn in layers.items()}

        # Then each is a layer version ARN of that region, in its partition, named for its architecture, and both
        # architectures come from the region's one publishing account
        assert set(layers) in ({"arm64", "x86"}, {"x86"}), region
        partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
        for architecture, match in published.items():
            assert match is not None, layers[architecture]
            assert (match["region"], match["partition"]) == (region, partition), layers[architecture]
            assert bool(match["arm64"]) == (architecture == "arm64"), layers[architecture]
            # And a deployer could give it explicitly too
            assert re.fullmatch(PARAMETER["AllowedPattern"], layers[architecture])
        assert len({match["account"] for match in published.values() if match}) == 1, region


def test_each_architecture_names_a_column_of_the_table() -> None:
    # Given the Architecture values, When the template looks one up (its part before "_": mapping keys take letters
    # and digits only), Then it names a column of the table
    for architecture in TEMPLATE["Parameters"]["Architecture"]["AllowedValues"]:
        assert architecture.split("_")[0] in {"arm64", "x86"}


@pytest.mark.parametrize(
    "value",
    [
        "auto",
        "none",
        "",
        US_EAST_1_ARM64,
        US_EAST_1_X86_64,
        "arn:aws-us-gov:lambda:us-gov-west-1:127562683043:layer:AWS-Parameters-and-Secrets-Lambda-Extension:4",
    ],
)
def test_the_parameter_accepts_auto_none_or_an_extension_layer_version(value: str) -> None:
    assert re.fullmatch(PARAMETER["AllowedPattern"], value)


@pytest.mark.parametrize(
    "value",
    [
        "AUTO",
        "boto3",
        "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64",  # no version
        "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:*",
        "arn:aws:lambda:us-east-1:123456789012:layer:SomeOtherLayer:1",
    ],
)
def test_the_parameter_rejects_anything_else(value: str) -> None:
    assert not re.fullmatch(PARAMETER["AllowedPattern"], value)
