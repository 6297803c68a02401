"""Turns a git branch name into the stage of its ephemeral stack: `feature/ABP-1734_fix` -> `feature-abp-1734-fix-…`.

Stable (the same branch always gets the same stage), valid everywhere the stage appears (API Gateway stage, stack
`leaderboard-api-<stage>`, function names: lower-case letters, digits and hyphens, starting with a letter, at most 32
characters, the template's StageName pattern), and unique enough: a 6-hex-digit hash of the exact branch name is
always appended, so `feat/x`, `feat_x` and `Feat-X` get different stacks, and no branch can land on `dev` or `prod`.
Standard library only: CI runs it before any dependency is installed.

    python3 scripts/stage_name.py "feature/ABP-1734_fix"
"""

from __future__ import annotations

import hashlib
import re
import sys

MAX_STAGE_LENGTH = 32
HASH_LENGTH = 6
READABLE_LENGTH = MAX_STAGE_LENGTH - HASH_LENGTH - 1
BRANCH_PREFIX = "refs/heads/"


def stage_name(branch: str) -> str:
    branch = branch.strip()
    if branch.startswith(BRANCH_PREFIX):
        branch = branch[len(BRANCH_PREFIX) :]
    if not branch:
        raise ValueError("a branch name is required")
    slug = re.sub(r"[^a-z0-9]+", "-", branch.lower()).strip("-")
    if not slug[:1].isalpha():
        slug = f"b-{slug}".rstrip("-")  # stages start with a letter; "b" for branch
    readable = slug[:READABLE_LENGTH].rstrip("-")
    digest = hashlib.sha256(branch.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    return f"{readable}-{digest}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: stage_name.py <branch>", file=sys.stderr)
        return 2
    try:
        print(stage_name(argv[1]))
    except ValueError as error:
        print(f"stage_name.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
