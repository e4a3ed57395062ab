"""Translations: Danish first, English complete.

Every msgid is English; ``locale/da/LC_MESSAGES/django.po`` must translate all of them, the
catalogue must contain every string the code and templates mark for translation, templates must
not show words outside ``{% translate %}``/``{% blocktranslate %}``, and a user must be able to
switch the interface to English.

Regenerate the catalogues with::

    .venv/bin/python manage.py makemessages -l da -l en --ignore=.venv --ignore=static \
        --ignore=var --ignore=tests --no-obsolete
"""

import contextlib
import html
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.utils.translation.reloader import translation_file_changed

BASE_DIR = Path(django_settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
DANISH_PO = LOCALE_DIR / "da" / "LC_MESSAGES" / "django.po"

# The folders `makemessages` is told to ignore in the module docstring's command, plus the
# catalogues themselves: the same sources are scanned here as when the catalogue is generated.
NOT_SCANNED_FOR_MESSAGES = {".venv", "static", "var", "tests", "locale", "node_modules"}
# The extensions makemessages reads for the "django" domain.
MESSAGE_SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def _describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])
    context = f" [context {entry.msgctxt!r}]" if entry.msgctxt else ""
    return f"{entry.msgid!r}{context} ({where or 'no source reference'})"


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt or None, entry.msgid)


# --- the Danish catalogue is complete --------------------------------------------------------


def test_it_has_a_danish_translation_for_every_msgid():
    assert DANISH_PO.exists(), f"{DANISH_PO.relative_to(BASE_DIR)} is missing"
    po = polib.pofile(str(DANISH_PO))

    assert po.metadata.get("Language") == "da", "the catalogue's header must say Language: da"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert not po.metadata_is_fuzzy, "the catalogue's header is marked fuzzy"

    problems = []
    for entry in po:
        if entry.obsolete:
            problems.append(f"obsolete:     {_describe(entry)}")
        elif entry.fuzzy:
            problems.append(f"fuzzy:        {_describe(entry)}")
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                problems.append(f"untranslated: {_describe(entry)} (a plural form is empty)")
        elif not entry.msgstr.strip():
            problems.append(f"untranslated: {_describe(entry)}")
    assert not problems, (
        f"{len(problems)} entries in {DANISH_PO.relative_to(BASE_DIR)} need a Danish "
        "translation (translate them and drop '#, fuzzy' / '#~' entries):\n  "
        + "\n  ".join(problems)
    )


_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>")


def test_danish_translations_keep_placeholders_and_markup():
    po = polib.pofile(str(DANISH_PO))
    problems = []
    for entry in po.translated_entries():
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        wanted_placeholders = set().union(*(_PLACEHOLDER.findall(s) for s in sources))
        wanted_markup = sorted(_MARKUP.findall(entry.msgid))
        for translation in translations:
            placeholders = set(_PLACEHOLDER.findall(translation))
            # A singular form may leave out the count (e.g. "one item"), nothing else.
            if placeholders - wanted_placeholders or (
                wanted_placeholders - placeholders - {"%(count)s", "%(counter)s"}
            ):
                problems.append(
                    f"{_describe(entry)}: placeholders {sorted(placeholders)} "
                    f"instead of {sorted(wanted_placeholders)} in {translation!r}"
                )
            if sorted(_MARKUP.findall(translation)) != wanted_markup:
                problems.append(f"{_describe(entry)}: HTML markup differs in {translation!r}")
    assert not problems, "Danish translations that break placeholders or markup:\n  " + (
        "\n  ".join(problems)
    )


# --- the catalogue holds every string of the code and templates ------------------------------


def _copy_message_sources(destination: Path) -> None:
    """Copy the files makemessages reads (and nothing else) into ``destination``."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                # makemessages' --ignore=NAME skips a folder of that name at any depth.
                if (
                    name.startswith(".")
                    or name == "__pycache__"
                    or name in NOT_SCANNED_FOR_MESSAGES
                ):
                    ignored.add(name)
            elif path.suffix not in MESSAGE_SOURCE_SUFFIXES:
                ignored.add(name)
        return ignored

    shutil.copytree(BASE_DIR, destination, ignore=ignore)


def test_the_catalogue_is_up_to_date(tmp_path, settings, monkeypatch):
    # makemessages writes temporary files next to the templates it reads and its catalogue into
    # the first LOCALE_PATHS entry, so it runs on a copy: the real locale/ is never touched.
    source = tmp_path / "source"
    _copy_message_sources(source)
    generated_locale = source / "locale"
    settings.LOCALE_PATHS = [str(generated_locale)]
    monkeypatch.chdir(source)

    call_command("makemessages", locale=["da"], no_obsolete=True, verbosity=0)

    generated = polib.pofile(str(generated_locale / "da" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(DANISH_PO))
    committed_keys = {_key(entry): entry for entry in committed if not entry.obsolete}

    missing = [entry for entry in generated if _key(entry) not in committed_keys]
    plural_changed = [
        entry
        for entry in generated
        if _key(entry) in committed_keys
        and (entry.msgid_plural or "") != (committed_keys[_key(entry)].msgid_plural or "")
    ]
    assert len(generated) > 0, "makemessages found no translatable strings at all"
    assert not missing and not plural_changed, (
        f"{len(missing) + len(plural_changed)} translatable strings of the code and templates "
        f"are not in {DANISH_PO.relative_to(BASE_DIR)}; run makemessages (see this module's "
        "docstring) and translate them:\n  "
        + "\n  ".join(_describe(entry) for entry in missing)
        + "".join(f"\n  (plural form changed) {_describe(entry)}" for entry in plural_changed)
    )


# --- templates show no untranslated words ----------------------------------------------------

# Words that read the same in Danish and English and need no translation: names and acronyms.
ALLOWED_WORDS = {
    "CISO",  # a role title, used as is in Danish
    "TSI",  # the sector's acronym
    "API",  # technical term, the same in both languages
    "DKFDS",  # the design system's name
    "htmx",  # a library's name
}
# Attributes whose values people read (screen readers, tooltips, empty inputs).
HUMAN_READ_ATTRIBUTES = {
    "title",
    "alt",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
    "placeholder",
    "label",
}
# ``value`` is shown on these buttons.
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
RAW_TEXT_ELEMENTS = {"script", "style"}
_WORD = re.compile(r"[^\W\d_]+")
_TAG_START = re.compile(r"<[a-zA-Z/!?]")
_TEMPLATE_PART = "\x00"  # stands for a {{ variable }} or {% tag %} inside an attribute value


def _untranslated_words(text: str) -> list[str]:
    text = html.unescape(text.replace(_TEMPLATE_PART, " "))
    return [word for word in _WORD.findall(text) if word not in ALLOWED_WORDS]


@dataclass
class _Attribute:
    name: str
    line: int
    value: str = ""


@dataclass
class _TemplateScanner:
    """A small HTML tokenizer over Django's template tokens.

    Only the TEXT tokens are HTML; template tags and variables are opaque. The state (inside a
    tag, an attribute value, a comment or a <script>) carries over from one text token to the
    next, because a tag may be split by template tags: ``<li{% if a %} class="x"{% endif %}>``.
    """

    path: str
    problems: list[str] = field(default_factory=list)
    state: str = "data"
    quote: str = ""
    tag_name: str = ""
    attributes: list[_Attribute] = field(default_factory=list)
    raw_text_end: str = ""
    text: str = ""
    text_line: int = 0

    # Problems

    def report(self, line: int, what: str, text: str) -> None:
        shown = " ".join(html.unescape(text.replace(_TEMPLATE_PART, "…")).split())
        self.problems.append(f"{self.path}:{line}: {what}: {shown!r}")

    def flush_text(self) -> None:
        if _untranslated_words(self.text):
            self.report(self.text_line, "untranslated text", self.text)
        self.text = ""

    def finish_tag(self) -> None:
        attributes = {attribute.name: attribute for attribute in self.attributes}
        input_type = attributes.get("type", _Attribute("type", 0)).value.strip().lower()
        for attribute in self.attributes:
            human_read = attribute.name in HUMAN_READ_ATTRIBUTES or (
                attribute.name == "value"
                and self.tag_name == "input"
                and input_type in BUTTON_INPUT_TYPES
            )
            if human_read and _untranslated_words(attribute.value):
                self.report(attribute.line, f'untranslated {attribute.name}="…"', attribute.value)
        self.state = "data"
        if self.tag_name in RAW_TEXT_ELEMENTS:
            self.state = "raw"
            self.raw_text_end = f"</{self.tag_name}"
        self.tag_name = ""
        self.attributes = []

    # Tokens

    def template_part(self) -> None:
        """A {{ variable }} or {% tag %} between two text tokens."""
        if self.state == "data":
            self.flush_text()
        elif self.state == "tag_name":
            self.state = "before_attribute"
        elif self.state in {"value_quoted", "value_unquoted"}:
            self.attributes[-1].value += _TEMPLATE_PART
        elif self.state == "before_value":
            self.attributes[-1].value += _TEMPLATE_PART
            self.state = "value_unquoted"

    def feed(self, chunk: str, line: int) -> None:
        i = 0
        while i < len(chunk):
            char = chunk[i]
            if self.state == "data":
                if char == "<" and chunk.startswith("<!--", i):
                    self.flush_text()
                    self.state = "comment"
                    i += 4
                    continue
                if char == "<" and _TAG_START.match(chunk, i):
                    self.flush_text()
                    i += 1
                    if chunk[i] == "/":
                        self.state = "end_tag"
                    elif chunk[i] in "!?":  # <!DOCTYPE …>: a declaration, not text
                        self.state = "declaration"
                    else:
                        self.state = "tag_name"
                        continue
                    i += 1
                    continue
                if not self.text.strip() and not char.isspace():
                    self.text_line = line
                self.text += char
            elif self.state == "comment":
                end = chunk.find("-->", i)
                if end == -1:
                    return
                line += chunk.count("\n", i, end)
                self.state = "data"
                i = end + 3
                continue
            elif self.state in {"declaration", "end_tag"}:
                if char == ">":
                    self.state = "data"
            elif self.state == "raw":
                end = chunk.lower().find(self.raw_text_end, i)
                if end == -1:
                    return
                line += chunk.count("\n", i, end)
                i = end + 2  # past "</"
                self.state = "end_tag"
                continue
            elif self.state == "tag_name":
                if char.isspace() or char == "/":
                    self.state = "before_attribute"
                elif char == ">":
                    self.finish_tag()
                else:
                    self.tag_name += char.lower()
            elif self.state == "before_attribute":
                if char == ">":
                    self.finish_tag()
                elif not char.isspace() and char != "/":
                    self.attributes.append(_Attribute(char.lower(), line))
                    self.state = "attribute_name"
            elif self.state == "attribute_name":
                if char == "=":
                    self.state = "before_value"
                elif char == ">":
                    self.finish_tag()
                elif char.isspace() or char == "/":
                    self.state = "before_attribute"
                else:
                    self.attributes[-1].name += char.lower()
            elif self.state == "before_value":
                if char in "\"'":
                    self.quote = char
                    self.state = "value_quoted"
                elif char == ">":
                    self.finish_tag()
                elif not char.isspace():
                    self.attributes[-1].value += char
                    self.state = "value_unquoted"
            elif self.state == "value_quoted":
                if char == self.quote:
                    self.state = "before_attribute"
                else:
                    self.attributes[-1].value += char
            elif self.state == "value_unquoted":
                if char.isspace():
                    self.state = "before_attribute"
                elif char == ">":
                    self.finish_tag()
                else:
                    self.attributes[-1].value += char
            if char == "\n":
                line += 1
            i += 1


_TRANSLATION_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
_SKIPPED_BLOCKS = {"comment": "endcomment", **_TRANSLATION_BLOCKS}


def _scan_template(source: str, name: str) -> list[str]:
    """``file:line: what: text`` for every untranslated text of the template ``source``."""
    scanner = _TemplateScanner(name)
    skip_until = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents.split() else ""
            if skip_until:
                if tag == skip_until:
                    skip_until = None
                    scanner.template_part()
                continue
            if tag in _SKIPPED_BLOCKS:
                skip_until = _SKIPPED_BLOCKS[tag]
                continue
            scanner.template_part()
        elif token.token_type == TokenType.TEXT:
            if not skip_until:
                scanner.feed(token.contents, token.lineno)
        elif token.token_type == TokenType.VAR and not skip_until:
            scanner.template_part()
        # TokenType.COMMENT ({# … #}) is never shown.
    scanner.template_part()
    return scanner.problems


def _template_directories() -> list[Path]:
    directories = [Path(directory) for directory in django_settings.TEMPLATES[0]["DIRS"]]
    for app_config in apps.get_app_configs():
        # The project's own apps (portal, capabilities, initiatives, risks, reports), not the
        # installed packages.
        if Path(app_config.path).parent == BASE_DIR:
            directories.append(Path(app_config.path) / "templates")
    return [directory for directory in directories if directory.is_dir()]


def test_templates_have_no_untranslated_text():
    templates = sorted(
        path for directory in _template_directories() for path in directory.rglob("*.html")
    )
    assert templates, "no templates found"
    problems = [
        problem
        for path in templates
        for problem in _scan_template(
            path.read_text(encoding="utf-8"), str(path.relative_to(BASE_DIR))
        )
    ]
    assert not problems, (
        f"{len(problems)} places in the templates show text outside {{% translate %}} / "
        "{% blocktranslate %}:\n  " + "\n  ".join(problems)
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<p>{% translate 'Hi' %}</p>", []),
        ("<p>Hello</p>", ["x.html:1: untranslated text: 'Hello'"]),
        ('<li{% if a %} class="active current"{% endif %}>{{ x }}</li>', []),
        ("{% comment %}<p>Note</p>{% endcomment %}<!-- a\nnote -->\n<b>API</b> —", []),
        ("{% blocktranslate %}<b>{{ n }}</b> items{% endblocktranslate %}", []),
        ("<script>let a = 'b';</script><style>p { color: red }</style>", []),
        ('<a\n  title="Open {{ x }}">·</a>', ["x.html:2: untranslated title=\"…\": 'Open …'"]),
        ("<button aria-label=\"{% translate 'Close' %}\">×</button>", []),
        ('<input type="submit" value="Save">', ["x.html:1: untranslated value=\"…\": 'Save'"]),
        ('<input type="hidden" name="next" value="next">', []),
    ],
)
def test_the_template_scanner_finds_untranslated_text(template, expected):
    # The scanner itself, so that a silent template test cannot mean a blind scanner.
    assert _scan_template(template, "x.html") == expected


# --- switching the language ------------------------------------------------------------------


@pytest.fixture(scope="session")
def compiled_catalogues():
    """Compile the .po files to .mo when a .mo is missing or older (fresh clones have none)."""
    catalogues = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
    stale = [
        po
        for po in catalogues
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        with contextlib.chdir(BASE_DIR):
            call_command(
                "compilemessages",
                ignore=[".venv", "var", "static", "node_modules"],
                verbosity=0,
            )
        # Translations already loaded in this process must be read again from the new files.
        translation_file_changed(sender=None, file_path=stale[0].with_suffix(".mo"))
    return catalogues


def test_english_is_served_after_switching(client, db, compiled_catalogues):
    user = get_user_model().objects.create_user(username="sprog", password="et-langt-kodeord-1")
    signed_in = client.post("/login/", {"username": "sprog", "password": "et-langt-kodeord-1"})
    assert signed_in.status_code == 302

    danish = client.get("/")
    assert danish.status_code == 200
    page = danish.content.decode()
    assert "Cyberrobusthedsportalen" in page
    assert '<html lang="da">' in page
    assert "Cyber resilience portal" not in page

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/"

    english = client.get("/")
    assert english.status_code == 200
    page = english.content.decode()
    assert "Cyber resilience portal" in page
    assert '<html lang="en">' in page
    assert "Cyberrobusthedsportalen" not in page
    assert user.username in page
