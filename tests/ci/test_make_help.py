"""`make help` is where a newcomer looks for what to type: it names every target the Makefile offers."""

from __future__ import annotations

import re
import shutil
import subprocess

from tests.support import ROOT


def test_make_help_lists_every_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony is not None
    targets = set(phony.group(1).split()) - {"help"}
    make = shutil.which("make") or "make"
    shown = subprocess.run([make, "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    named = set(re.findall(r"^\s*make ([a-z0-9-]+)", shown, re.MULTILINE))
    assert targets <= named, f"make help does not mention: {sorted(targets - named)}"
    assert not re.search(r"\[[^\]]*[A-Z_]=(\s|\])", shown), "a default in brackets printed empty"


def test_make_help_says_how_a_v2_key_gets_its_endpoint() -> None:
    # make preflight and make deploy take the endpoint a v2 Momento key needs, as make backfill does
    make = shutil.which("make") or "make"
    shown = subprocess.run([make, "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("preflight", "deploy", "backfill"):
        entry = re.search(rf"^  make {target}\b.*?(?=^  make |^\S)", shown, re.MULTILINE | re.DOTALL)
        assert entry is not None, target
        assert "MOMENTO_ENDPOINT=" in entry.group(0), f"make help's {target} does not name MOMENTO_ENDPOINT="
