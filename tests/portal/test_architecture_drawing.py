"""ARCHITECTURE.md's drawing of the floors is made from the code and must stay so."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "architecture-drawing"


def drawing_check(document: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", str(document)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_architecture_document_matches_the_imports():
    result = drawing_check(ROOT / "ARCHITECTURE.md")
    assert result.returncode == 0, result.stderr


def test_a_stale_drawing_is_caught(tmp_path):
    text = (ROOT / "ARCHITECTURE.md").read_text()
    stale = tmp_path / "ARCHITECTURE.md"
    # An arrow that runs up a floor, as a stale drawing would still show it.
    stale.write_text(
        text.replace(
            "```\n<!-- end of drawing -->", "  portal --> risks\n```\n<!-- end of drawing -->"
        )
    )
    assert stale.read_text() != text
    result = drawing_check(stale)
    assert result.returncode == 1
    assert "differs from the code" in result.stderr
