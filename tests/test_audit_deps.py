"""scripts/audit-deps: the dependency audit fails on a known vulnerability, and never passes
quietly when it could not look (pip-audit is stood in for by a script here: no network)."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

VULNERABLE = """\
Name   Version ID                  Fix Versions
------ ------- ------------------- ------------
django 4.2.0   PYSEC-2023-100      4.2.2
"""
UNREACHABLE = "django Dependency not found on PyPI and could not be audited: django (4.2.0)\n"


def run_audit(tmp_path, *, canary: str, locks_exit: int, **env) -> subprocess.CompletedProcess:
    fake = tmp_path / "pip-audit"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        'if [[ " $* " == *" --require-hashes "* ]]; then echo "audited $*"; '
        f"exit {locks_exit}; fi\n"
        f"cat <<'OUT'\n{canary}OUT\n"
    )
    fake.chmod(0o755)
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "audit-deps")],
        env={**os.environ, "PIP_AUDIT": str(fake), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_it_fails_when_a_pin_has_a_known_vulnerability(tmp_path):
    result = run_audit(tmp_path, canary=VULNERABLE, locks_exit=1)
    assert result.returncode == 1
    assert "-r requirements/lock.txt -r requirements/lock-test.txt" in result.stdout
    assert "--strict" in result.stdout


def test_it_passes_clean_locks(tmp_path):
    assert run_audit(tmp_path, canary=VULNERABLE, locks_exit=0).returncode == 0


@pytest.mark.parametrize(("required", "code"), [("false", 0), ("true", 2)])
def test_it_says_so_when_it_cannot_reach_the_vulnerability_data(tmp_path, required, code):
    result = run_audit(tmp_path, canary=UNREACHABLE, locks_exit=0, AUDIT_DEPS_REQUIRED=required)
    assert result.returncode == code
    assert "NOT RUN" in result.stderr
    assert "audited" not in result.stdout
