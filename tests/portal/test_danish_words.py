"""The Danish catalogue speaks as a Danish CISO would sign (issue 13, item 8): the words of
the health sector's own documents, none of the literal translations they replaced."""

import re
from pathlib import Path

import polib
import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "da" / "LC_MESSAGES" / "django.po"

#: msgid → the Danish it must be.
SIGNED = {
    "Treatment planned": "Håndtering planlagt",
    "treatment decision": "håndteringsbeslutning",
    "residual likelihood": "sandsynlighed efter tiltag",
    "done on": "udført den",
    "Gap to target": "Gab til mål",
    "Maturity %(current)s of target %(target)s": "Modenhed %(current)s (mål %(target)s)",
    "Generated %(date)s from the cyber resilience portal.": (
        "Udarbejdet %(date)s i Cyberrobusthedsportalen."
    ),
    "The health-sector regions (sector edition)": "Fællesregional udgave – TSI",
    "H%(index)s %(year)s": "%(index)s. halvår %(year)s",
    "Q%(index)s %(year)s": "%(index)s. kvartal %(year)s",
}

#: Words the portal no longer says, and what it says instead.
REPLACED = {
    r"behandlingshandling": "tiltag",
    r"RAG-status": "trafiklys",
    r"Halvåret \d{4}": "2. halvår 2025",
    r"\brestniveau": "restrisikoniveau",
    r"\brisiko-?review|\breview\b": "revurdering",
}


@pytest.fixture(scope="module")
def entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def _danish(entry: polib.POEntry) -> str:
    return " ".join([entry.msgstr, *entry.msgstr_plural.values()])


def test_the_signed_words_are_the_catalogues(entries):
    found = {e.msgid: e.msgstr for e in entries if e.msgid in SIGNED and not e.msgctxt}
    assert found == SIGNED


@pytest.mark.parametrize("pattern", REPLACED)
def test_no_text_says_a_replaced_word(entries, pattern):
    said = [e.msgid for e in entries if re.search(pattern, _danish(e), re.IGNORECASE)]
    assert said == [], f"say {REPLACED[pattern]!r} instead"


def test_a_treatment_action_is_a_tiltag_and_a_rag_status_a_trafiklys(entries):
    for english, danish in ((r"treatment actions?\b", "tiltag"), (r"\bRAG\b", "trafiklys")):
        wrong = [
            e.msgid
            for e in entries
            if re.search(english, e.msgid, re.IGNORECASE) and danish not in _danish(e).lower()
        ]
        assert wrong == [], danish


def test_a_risks_review_is_a_revurdering(entries):
    """ "Review" of a risk (its next review, overdue reviews) is a revurdering; reading through
    a maturity campaign before approving it ("Gennemgå og godkend") and the access review are
    other things."""
    other = {"I have reviewed the levels and approve them.", "Review and approve"}
    wrong = [
        e.msgid
        for e in entries
        if re.search(r"\breview", e.msgid, re.IGNORECASE)
        and "access review" not in e.msgid.lower()
        and e.msgid not in other
        and "revurder" not in _danish(e).lower()
    ]
    assert wrong == []
