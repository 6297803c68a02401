"""The CI workflows do what the README promises: test, deploy per branch with OIDC, test end to end, clean up."""

from __future__ import annotations

import re
from typing import Any

import yaml

from scripts.stage_name import MAX_STAGE_LENGTH
from tests.support import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    loaded["on"] = loaded.pop(True)
    return loaded


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    return next(step for step in job["steps"] if step.get("uses", "").startswith(action + "@"))


def test_every_push_and_pull_request_runs_make_test() -> None:
    pipeline = workflow("pipeline.yml")
    assert set(pipeline["on"]) == {"pull_request", "push"}
    assert pipeline["on"]["push"] == {"branches": ["**"], "tags": ["v*"]}
    assert [step.get("run") for step in pipeline["jobs"]["test"]["steps"] if "run" in step] == ["make test"]
    assert uses(pipeline["jobs"]["test"], "actions/setup-python")["with"]["python-version"] == "3.13"


def test_deploys_go_through_oidc_one_branch_at_a_time() -> None:
    deploy = workflow("pipeline.yml")["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert deploy["permissions"]["id-token"] == "write"
    credentials = uses(deploy, "aws-actions/configure-aws-credentials")["with"]
    assert credentials == {"role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}"}
    assert deploy["concurrency"] == {
        "group": "stack-${{ github.head_ref || github.ref_name }}",
        "cancel-in-progress": False,
    }


def test_branches_get_their_own_stack_reading_devs_key_and_are_tested_end_to_end() -> None:
    script = runs(workflow("pipeline.yml")["jobs"]["deploy"])
    assert 'python3 scripts/stage_name.py "$BRANCH"' in script
    assert 'make deploy STAGE="$STAGE" SSM_STAGE=dev' in script
    assert 'make e2e URL="$url" API_KEY="$key"' in script
    assert "output ApiUrl" in script
    assert 'echo "::add-mask::$key"' in script  # the write key never shows in the job's log
    # main deploys dev and a v* tag deploys prod (make deploy STAGE=prod uses --config-env prod)
    assert 'echo "stage=dev"' in script
    assert 'echo "stage=prod"' in script


def test_untrusted_branch_names_never_reach_a_script_unquoted() -> None:
    for name in ("pipeline.yml", "cleanup.yml"):
        for job in workflow(name)["jobs"].values():
            for step in job["steps"]:
                assert "github.head_ref" not in step.get("run", ""), (name, step)
                assert "github.event" not in step.get("run", ""), (name, step)


def test_a_deleted_branch_or_closed_pull_request_deletes_its_stack() -> None:
    cleanup = workflow("cleanup.yml")
    assert set(cleanup["on"]) == {"delete", "pull_request"}
    assert cleanup["on"]["pull_request"] == {"types": ["closed"]}
    destroy = cleanup["jobs"]["destroy"]
    assert destroy["concurrency"]["group"].startswith("stack-")  # the deploy job's group for the same branch
    assert destroy["concurrency"]["cancel-in-progress"] is False
    script = runs(destroy)
    assert 'stage=$(python3 scripts/stage_name.py "$BRANCH")' in script
    assert 'make destroy STAGE="$stage"' in script


def test_the_stage_function_and_the_template_agree_on_what_a_stage_is() -> None:
    template = (ROOT / "template.yaml").read_text(encoding="utf-8")
    pattern = re.search(r'StageName:\n(?:\s+.*\n)*?\s+AllowedPattern: "(.+)"', template)
    assert pattern is not None
    assert pattern.group(1) == f"^[a-z][a-z0-9-]{{0,{MAX_STAGE_LENGTH - 1}}}$"
