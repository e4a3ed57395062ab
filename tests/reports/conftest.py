import hashlib
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

INITIATIVE_NUMBERS = [
    "1.1",
    "1.2",
    "2.1",
    "2.2",
    "2.3",
    "2.5",
    "2.6",
    "2.7",
    "2.8",
    "2.9",
    "3.1",
    "3.2",
    "4.3",
]
SECTION_HEADINGS = [
    "Introduction",
    "Focus areas",
    "Working groups and experience-exchange groups",
    "The sector strategy's implementation",
    "Threat assessment",
    "Conclusion",
]


@pytest.fixture
def sector(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
