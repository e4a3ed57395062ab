import hashlib
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command

from portal.celery import app

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


def pdf_text(content: bytes, tmp_path, *, layout: bool = True) -> str:
    """The PDF's text, pages split by form feeds; ``layout=False`` reads it in content-stream
    order instead (rotated text, such as the draft mark, stays one word)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout" if layout else "-raw", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_fonts(content: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@contextmanager
def celery_broker(settings, url: str) -> Iterator[None]:
    """Send tasks to the broker at ``url`` instead of running them in-process."""
    # Read (and so load) the app's configuration before the settings change: its first read
    # would otherwise take the changed value as the one to restore.
    previous = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url=url)
    forget_connections()  # pools made by earlier tests point at the previous broker
    try:
        yield
    finally:
        app.conf.update(previous)
        forget_connections()


def forget_connections() -> None:
    """Drop the connection pools made for the previous broker. (Not ``app.close()``: that
    also deregisters the app, and shared tasks imported afterwards would not find it.)"""
    app._pool = None
    app.amqp._producer_pool = None
