"""The README shows every kind of report in Danish and in English, from images that exist.

The report images are made by ``scripts/report-images`` (``make report-images``):
``docs/images/report-<kind>-<edition>-<language>-<what>.png``. A new kind of report without
its images, an image the README names but nobody made, and one left in docs/images that the
README no longer shows all fail here."""

import re
from pathlib import Path

import pytest

from reports.models import ReportKind

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: ``![alt text](docs/images/name.png)`` in the README.
SHOWN = {
    name: alt.strip() for alt, name in re.findall(r"!\[([^\]]*)\]\(docs/images/([^)\s]+)\)", README)
}
LANGUAGES = {"da": "Danish", "en": "English"}
#: A page image of a report stays small: A4 at 60 dpi, scaled to 900 pixels.
MAX_BYTES = 250_000


def report_images(kind: str, language: str) -> list[str]:
    pattern = re.compile(
        rf"report-{re.escape(kind.replace('_', '-'))}-[a-z0-9-]+-{language}-.+\.png"
    )
    return sorted(name for name in SHOWN if pattern.fullmatch(name))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ReportKind.values)
def test_the_readme_shows_each_kind_of_report_in_both_languages(kind, language):
    shown = report_images(kind, language)
    assert shown, (
        f"README.md shows no {LANGUAGES[language]} page of the report {kind!r}: run "
        "`make report-images` and add its images to README.md"
    )
    for name in shown:
        assert (IMAGES / name).is_file(), name
        # The alt text says what the page is, and in which language.
        assert LANGUAGES[language] in SHOWN[name], (name, SHOWN[name])


def test_every_image_the_readme_shows_exists_and_every_image_is_shown():
    on_disk = {path.name for path in IMAGES.glob("*.png")}
    assert sorted(set(SHOWN) - on_disk) == [], "shown in README.md, missing in docs/images"
    assert sorted(on_disk - set(SHOWN)) == [], "in docs/images, shown nowhere in README.md"


def test_the_report_images_are_small_and_have_alt_texts():
    names = [name for name in SHOWN if name.startswith("report-")]
    assert names
    for name in names:
        assert (IMAGES / name).stat().st_size <= MAX_BYTES, name
        assert len(SHOWN[name]) >= 20, (name, SHOWN[name])
