"""The dependency audit fails on a known vulnerability, and only then; an unreachable database is reported."""

from __future__ import annotations

from scripts.audit_dependencies import summarize


def test_a_known_vulnerability_fails_the_audit() -> None:
    report = {
        "dependencies": [
            {"name": "grpcio", "version": "1.0.0", "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["1.0.1"]}]},
            {"name": "boto3", "version": "1.43.108", "vulns": []},
        ]
    }
    lines, status = summarize(report)
    assert status == 1
    assert "pip-audit: grpcio 1.0.0: GHSA-xxxx (fixed in 1.0.1)" in lines


def test_an_unreachable_database_is_reported_not_failed() -> None:
    report = {"dependencies": [{"name": "boto3", "skip_reason": "Dependency not found on PyPI"}]}
    lines, status = summarize(report)
    assert status == 0
    assert "not audited" in lines[0]


def test_a_clean_audit_passes() -> None:
    lines, status = summarize({"dependencies": [{"name": "boto3", "version": "1", "vulns": []}]})
    assert (status, lines) == (0, ["pip-audit: 1 audited, 0 with known vulnerabilities"])
