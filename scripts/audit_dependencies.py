"""Audits the functions' pinned runtime dependencies for known vulnerabilities with pip-audit.

Fails (exit 1) when a vulnerability is known. When the vulnerability database cannot be reached (an offline
machine, a registry mirror without it), it says so, package by package, and does not fail: no answer is not a
finding. `python scripts/audit_dependencies.py src/requirements.txt`
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main(requirements: str) -> int:
    # Every runtime dependency is pinned, transitive ones included: no resolution needed (--no-deps --disable-pip).
    command = [str(PIP_AUDIT), "-r", requirements, "--no-deps", "--disable-pip", "--progress-spinner", "off"]
    result = subprocess.run([*command, "--format", "json"], capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: the vulnerability database could not be reached ({reason}); not audited")
        return 0
    lines, status = summarize(report)
    print("\n".join(lines))
    return status


def summarize(report: dict[str, Any]) -> tuple[list[str], int]:
    """What to print for a pip-audit JSON report, and the exit status: 1 only for a known vulnerability."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            lines.append(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if skipped:
        lines.append(
            f"pip-audit: the vulnerability database had no answer for {len(skipped)} of {len(dependencies)} "
            "packages (offline, or a registry mirror): those were not audited"
        )
    lines.append(f"pip-audit: {len(dependencies) - len(skipped)} audited, {len(vulnerable)} with known vulnerabilities")
    return lines, 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src/requirements.txt"))
