"""An object's history reads like a sentence: choices by their labels, related objects by
their names — only those the reader may see — yes/no, and times in local time."""

import re
from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext

from portal.audit import history_for
from portal.audit.trail import NOT_AVAILABLE
from risks.models import Risk, RiskStatus
from tests.factories import AssetFactory, RiskFactory


def _history(page) -> str:
    """The history section of a page, as text with the tags removed."""
    html = page.content.decode()
    start = html.index('id="history-heading"')
    section = html[start : html.index("</section>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_it_shows_the_label_of_a_choice(personas, client_as):
    risk = RiskFactory(organisation=personas.region_a)
    risk.status = RiskStatus.ASSESSED
    risk.save()
    text = _history(client_as(personas.viewer_a).get(risk.get_absolute_url()))
    assert str(RiskStatus.ASSESSED.label) in text
    assert "assessed" not in text.replace(str(RiskStatus.ASSESSED.label), "")


def test_it_names_a_related_person_the_reader_may_see(personas, client_as):
    owner = _named(personas.riskowner_a, "Rikke", "Ejersen")
    risk = RiskFactory(organisation=personas.region_a)
    risk.owner = owner
    risk.save()
    text = _history(client_as(personas.viewer_a).get(risk.get_absolute_url()))
    assert "Rikke Ejersen" in text
    label = capfirst(Risk._meta.get_field("owner").verbose_name)
    changes = [c for e in history_for(risk, reader=personas.viewer_a) for c in e.changes]
    assert [(c.old, c.new) for c in changes if c.field == label] == [("", "Rikke Ejersen")]


def test_it_never_names_a_related_object_of_another_region(personas, client_as):
    stranger = _named(personas.ciso_b, "Bente", "Fremmed")
    risk = RiskFactory(organisation=personas.region_a)
    risk.owner = stranger  # recorded in region A's history, then put right
    risk.save()
    risk.owner = personas.riskowner_a
    risk.save()
    text = _history(client_as(personas.viewer_a).get(risk.get_absolute_url()))
    assert "Bente" not in text and "ciso.b" not in text
    assert str(NOT_AVAILABLE) in text
    # The sector administrator may see both people, and reads both names.
    admin_text = _history(client_as(personas.admin).get(risk.get_absolute_url()))
    assert "Bente Fremmed" in admin_text


def test_it_shows_a_recorded_time_in_local_time_without_seconds(personas, client_as):
    risk = RiskFactory(organisation=personas.region_a)
    # 10:30:15.123456 UTC on 1 July is 12:30 in Copenhagen (summer time).
    risk.accepted_at = datetime(2026, 7, 1, 10, 30, 15, 123456, tzinfo=UTC)
    risk.save()
    text = _history(client_as(personas.viewer_a).get(risk.get_absolute_url()))
    assert "1.7.2026 12:30" in text
    assert "10:30:15" not in text and "2026-07-01" not in text
    assert "123456" not in text and "+00:00" not in text


def test_it_shows_booleans_as_yes_and_no(personas):
    asset = AssetFactory(organisation=personas.region_a, is_legacy=False)
    asset.is_legacy = True
    asset.save()
    (change,) = [c for c in history_for(asset, reader=personas.viewer_a)[0].changes]
    assert (change.old, change.new) == (gettext("No"), gettext("Yes"))


def test_it_names_related_objects_in_a_bounded_number_of_queries(personas):
    def queries_for(changes: int) -> int:
        risk = RiskFactory(organisation=personas.region_a)
        for n in range(changes):
            risk.owner = personas.riskowner_a if n % 2 else personas.ciso_a
            risk.save()
        with CaptureQueriesContext(connection) as captured:
            entries = history_for(risk, reader=personas.viewer_a)
        assert sum(len(entry.changes) for entry in entries) >= changes
        return len(captured)

    queries_for(1)  # (the principal and the content types, cached from here on)
    assert queries_for(2) == queries_for(12)


def test_the_history_page_has_no_raw_value_for_a_related_object(personas, client_as):
    risk = RiskFactory(organisation=personas.region_a)
    risk.owner = personas.riskowner_a
    risk.save()
    page = client_as(personas.viewer_a).get(reverse("risks:risk_detail", args=[risk.pk]))
    assert page.status_code == 200
    assert personas.riskowner_a.get_username() in _history(page)
