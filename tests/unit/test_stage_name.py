"""Branch name -> stage name: valid, stable, unique enough, never a permanent stage."""

from __future__ import annotations

import re

import pytest

from scripts.stage_name import MAX_STAGE_LENGTH, main, stage_name

VALID_STAGE = re.compile(r"[a-z][a-z0-9-]{0,31}")  # the template's StageName pattern (checked in tests/template)
AWKWARD = [
    "feature/ABP-1734_fix",
    "refs/heads/feature/ABP-1734_fix",
    "Feature/ABP-1734_FIX",
    "feat_x",
    "feat/x",
    "Feat-X",
    "123-hotfix",
    "-leading-dash",
    "trailing-dash-",
    "dev",
    "prod",
    "main",
    "ÜBER/größe",
    "🚀",
    "release/2026.11.27",
    "a" * 300,
    "dependabot/npm_and_yarn/frontend/some-package-1.2.3",
    "x--y__z//w",
]


@pytest.mark.parametrize("branch", AWKWARD)
def test_every_stage_is_valid_for_every_resource_name(branch: str) -> None:
    stage = stage_name(branch)
    assert VALID_STAGE.fullmatch(stage), stage
    assert len(stage) <= MAX_STAGE_LENGTH
    assert "--" not in stage
    assert not stage.endswith("-")


def test_a_typical_branch_stays_readable() -> None:
    assert stage_name("feature/ABP-1734_fix").startswith("feature-abp-1734-fix-")


def test_the_same_branch_always_gets_the_same_stage() -> None:
    assert stage_name("feature/ABP-1734_fix") == stage_name("feature/ABP-1734_fix")
    assert stage_name("refs/heads/feature/ABP-1734_fix") == stage_name("feature/ABP-1734_fix")


def test_branches_that_differ_only_in_punctuation_or_case_get_different_stages() -> None:
    stages = {stage_name(branch) for branch in ["feat/x", "feat_x", "feat-x", "Feat-X", "feat.x"]}
    assert len(stages) == 5


def test_long_branches_with_a_common_prefix_get_different_stages() -> None:
    prefix = "feature/a-very-long-description-of-the-work-"
    assert stage_name(prefix + "part-one") != stage_name(prefix + "part-two")


@pytest.mark.parametrize("branch", ["dev", "prod", "refs/heads/prod"])
def test_no_branch_can_deploy_over_a_permanent_stage(branch: str) -> None:
    assert stage_name(branch) not in {"dev", "prod"}


def test_an_empty_branch_is_refused() -> None:
    with pytest.raises(ValueError, match="branch name is required"):
        stage_name("  ")


def test_the_command_line_prints_the_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stage_name.py", "feat/x"]) == 0
    assert capsys.readouterr().out.strip() == stage_name("feat/x")
    assert main(["stage_name.py"]) == 2
