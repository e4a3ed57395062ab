"""The layers contract (pyproject.toml) holds, and an import up a floor breaks it."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = ROOT / ".venv" / "bin" / "lint-imports"
PACKAGES = ("portal", "capabilities", "initiatives", "risks", "incidents", "reports", "composition")


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    command = [str(LINT_IMPORTS) if LINT_IMPORTS.exists() else "lint-imports", "--no-cache"]
    return subprocess.run(command, capture_output=True, text=True, cwd=where, check=False)


def test_the_code_keeps_its_floors():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_up_a_floor_breaks_the_contract(tmp_path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("migrations", "__pycache__", "*.html", "*.yaml"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint_imports(tmp_path).returncode == 0
    # The core reaching up into a domain app, as the dashboards once did from portal/.
    periods = tmp_path / "portal" / "periods.py"
    periods.write_text(periods.read_text() + "\nfrom risks.models import Risk  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "portal is not allowed to import risks" in result.stdout
    assert "portal.periods -> risks.models" in result.stdout
