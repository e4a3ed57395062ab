"""The incident pages: list with filters, detail with clocks, forms with field errors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentSubmission
from tests.factories import AssetFactory
from tests.incidents.conftest import make_incident

pytestmark = pytest.mark.django_db

MOMENT = "%Y-%m-%dT%H:%M"


def form_data(personas, **overrides) -> dict:
    now = timezone.localtime()
    data = {
        "organisation": personas.region_a.pk,
        "title": "Ransomware på røntgensystemet",
        "description": "",
        "category": "ransomware",
        "severity": "critical",
        "status": "new",
        "detected_at": (now - timedelta(hours=3)).strftime(MOMENT),
        "aware_at": (now - timedelta(hours=2)).strftime(MOMENT),
        "owner": personas.riskowner_a.pk,
        "supplier": "",
        "personal_data": "on",
        "personal_data_categories": "Helbredsoplysninger",
        "data_subjects_approx": "1200",
        "records_approx": "5000",
        "nis2_significant": "on",
        "nis2_reason": "Billeddiagnostik er nede.",
        "gdpr_breach": "on",
        "gdpr_exception_reason": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_ciso_registers_an_incident_and_sees_its_clocks(personas, client_as):
    client = client_as(personas.ciso_a)
    system = AssetFactory(organisation=personas.region_a, name="Røntgensystem")
    response = client.post(
        reverse("incidents:incident_add"),
        form_data(personas, affected_systems=[system.pk]),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    incident = Incident.objects.get()
    assert incident.organisation == personas.region_a
    assert list(incident.affected_systems.all()) == [system]
    page = client.get(response["Location"]).content.decode()
    assert [d.kind for d in incident.deadlines()] == [
        "nis2_early_warning",
        "nis2_notification",
        "nis2_final_report",
        "gdpr_notification",
    ]
    for deadline in incident.deadlines():
        assert f'id="deadline-{deadline.kind}"' in page
    assert "Røntgensystem" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"aware_at": "shift:-5"}, "aware_at"),
        ({"detected_at": "shift:+2", "aware_at": "shift:+3"}, "detected_at"),
        ({"nis2_reason": ""}, "nis2_reason"),
        ({"gdpr_exception_unlikely_risk": "on"}, "gdpr_exception_reason"),
        ({"personal_data": None}, "personal_data"),
        ({"status": "closed"}, "status"),
        ({"data_subjects_approx": "-3"}, "data_subjects_approx"),
        # A time the change to summer time skips.
        ({"detected_at": "2026-03-29T01:00", "aware_at": "2026-03-29T02:30"}, "aware_at"),
        ({"category": "meteor"}, "category"),
    ],
)
def test_bad_input_gets_field_errors(personas, client_as, overrides, field):
    now = timezone.localtime()
    for key, value in list(overrides.items()):
        if isinstance(value, str) and value.startswith("shift:"):
            overrides[key] = (now + timedelta(hours=int(value[6:]))).strftime(MOMENT)
    response = client_as(personas.ciso_a).post(
        reverse("incidents:incident_add"), form_data(personas, **overrides)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert not Incident.objects.exists()


def test_an_owner_from_another_region_is_not_a_choice(personas, client_as):
    response = client_as(personas.ciso_a).post(
        reverse("incidents:incident_add"), form_data(personas, owner=personas.ciso_b.pk)
    )
    assert "owner" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_another_regions_system_is_not_a_choice(personas, client_as):
    theirs = AssetFactory(organisation=personas.region_b)
    response = client_as(personas.ciso_a).post(
        reverse("incidents:incident_add"), form_data(personas, affected_systems=[theirs.pk])
    )
    assert "affected_systems" in response.context["form"].errors


def test_recording_a_late_submission_asks_for_reasons(personas, client_as):
    now = timezone.now()
    incident = make_incident(
        personas.region_a,
        detected_at=now - timedelta(hours=40),
        aware_at=now - timedelta(hours=30),
    )
    client = client_as(personas.riskowner_a)
    url = reverse("incidents:submission_add", kwargs={"incident": incident.pk})
    data = {
        "kind": "nis2_early_warning",
        "submitted_at": timezone.localtime(now - timedelta(hours=1)).strftime(MOMENT),
        "recipient": "virk.dk",
        "reference": "CFCS-1",
        "late_reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "late_reason" in response.context["form"].errors
    data["late_reason"] = "Klassificeret som væsentlig efter weekenden."
    response = client.post(url, data)
    assert response.status_code == 302
    submission = IncidentSubmission.objects.get()
    assert (submission.by, submission.reference) == (personas.riskowner_a, "CFCS-1")
    early = next(d for d in incident.deadlines() if d.kind == "nis2_early_warning")
    assert early.late and not early.overdue


def test_a_submission_for_a_clock_the_incident_lacks_is_refused(personas, client_as):
    incident = make_incident(personas.region_a)
    response = client_as(personas.ciso_a).post(
        reverse("incidents:submission_add", kwargs={"incident": incident.pk}),
        {
            "kind": "gdpr_notification",
            "submitted_at": timezone.localtime().strftime(MOMENT),
            "recipient": "Datatilsynet",
        },
    )
    assert "kind" in response.context["form"].errors
    assert not IncidentSubmission.objects.exists()


def test_the_list_filters(personas, client_as):
    make_incident(personas.region_a, title="Ransomware A", category="ransomware")
    make_incident(
        personas.region_a,
        title="Phishing A",
        category="phishing",
        nis2_significant=False,
        nis2_reason="",
    )
    client = client_as(personas.viewer_a)
    page = client.get(reverse("incidents:incident_list"), {"category": "phishing"})
    assert [i.title for i in page.context["object_list"]] == ["Phishing A"]
    page = client.get(reverse("incidents:incident_list"), {"nis2_significant": "true"})
    assert [i.title for i in page.context["object_list"]] == ["Ransomware A"]
    page = client.get(reverse("incidents:incident_list"), {"aware_from": "not a date"})
    assert page.status_code == 200


def counted(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_detail_queries_are_bounded(personas, client_as, django_assert_max_num_queries):
    client = client_as(personas.ciso_a)
    first = make_incident(personas.region_a, title="Hændelse 0")
    first.affected_systems.add(AssetFactory(organisation=personas.region_a))
    other = make_incident(personas.region_a, title="Hændelse 1")
    client.get(reverse("incidents:incident_list"))  # the session's first request
    few = counted(client, reverse("incidents:incident_list"))
    for n in range(2, 12):
        make_incident(personas.region_a, title=f"Hændelse {n}")
    assert counted(client, reverse("incidents:incident_list")) == few
    for kind in ("nis2_early_warning", "nis2_notification", "nis2_early_warning"):
        IncidentSubmission.objects.create(
            incident=first,
            kind=kind,
            submitted_at=first.aware_at + timedelta(minutes=5),
            recipient="virk.dk",
            by=personas.ciso_a,
        )
    detail = reverse("incidents:incident_detail", args=[first.pk])
    assert counted(client, detail) == counted(
        client, reverse("incidents:incident_detail", args=[other.pk])
    )
    with django_assert_max_num_queries(INCIDENT_PAGE_QUERIES):
        client.get(detail)


#: The incident page: the session, the user, the person's memberships; the incident and its
#: submissions (the clocks and the drafts read these); its history (entries, names);
#: the timeline, its owners to choose from, the lessons learned and the risks to link; the
#: systems and critical functions it names; the open sector incidents it may be linked to.
INCIDENT_PAGE_QUERIES = 15
#: The list: the session, the user, the memberships, the count, the page of incidents, their
#: submissions (the next clock of each), the regions to filter by.
INCIDENT_LIST_QUERIES = 7


def _everything(incident, personas, n: int) -> None:
    """``n`` of each thing the incident page shows about the incident."""
    from incidents.models import IncidentRiskLink, IncidentTimelineEntry
    from tests.factories import CriticalFunctionFactory, RiskFactory

    for index in range(n):
        incident.affected_systems.add(AssetFactory(organisation=incident.organisation))
        incident.critical_functions.add(CriticalFunctionFactory(organisation=incident.organisation))
        IncidentTimelineEntry.objects.create(
            incident=incident,
            author=personas.ciso_a,
            kind="action",
            text=f"Handling {index}",
            owner=personas.riskowner_a,
            occurred_at=incident.aware_at,
            due=timezone.localdate(),
        )
        IncidentTimelineEntry.objects.create(
            incident=incident,
            author=personas.riskowner_a,
            kind="observation",
            text=f"Observation {index}",
            occurred_at=incident.aware_at,
        )
        IncidentRiskLink.objects.create(
            incident=incident,
            risk=RiskFactory(organisation=incident.organisation),
            created_by=personas.ciso_a,
        )
    for kind in ("nis2_early_warning", "nis2_notification", "gdpr_notification")[:n]:
        IncidentSubmission.objects.create(
            incident=incident,
            kind=kind,
            submitted_at=incident.aware_at + timedelta(hours=1),
            recipient="virk.dk",
            by=personas.ciso_a,
        )


@pytest.mark.parametrize("status", ["investigating", "resolved"])
def test_the_incident_page_asks_a_fixed_number_of_queries(
    personas, client_as, django_assert_max_num_queries, status
):
    """Whatever the incident holds — submissions, timeline, lessons, systems — and whether
    its lessons are open (resolved) or not."""
    client = client_as(personas.ciso_a)
    small = make_incident(
        personas.region_a, status=status, gdpr_breach=True, personal_data=True, title="Lille"
    )
    large = make_incident(
        personas.region_a, status=status, gdpr_breach=True, personal_data=True, title="Stor"
    )
    _everything(small, personas, 1)
    _everything(large, personas, 3)
    client.get(small.get_absolute_url())  # the session's first request
    for incident in (small, large):
        with django_assert_max_num_queries(INCIDENT_PAGE_QUERIES):
            response = client.get(incident.get_absolute_url())
        assert response.status_code == 200
    assert len(response.context["timeline"]) == 6
    assert len(response.context["lesson_links"]) == 3


def test_the_incident_list_asks_a_fixed_number_of_queries(
    personas, client_as, django_assert_max_num_queries
):
    client = client_as(personas.ciso_a)
    url = reverse("incidents:incident_list")
    make_incident(personas.region_a, title="Hændelse 0")
    client.get(url)  # the session's first request
    with django_assert_max_num_queries(INCIDENT_LIST_QUERIES):
        assert len(client.get(url).context["object_list"]) == 1
    for n in range(1, 30):
        incident = make_incident(personas.region_a, title=f"Hændelse {n}", owner=personas.ciso_a)
        IncidentSubmission.objects.create(
            incident=incident,
            kind="nis2_early_warning",
            submitted_at=incident.aware_at + timedelta(hours=1),
            recipient="virk.dk",
            by=personas.ciso_a,
        )
    with django_assert_max_num_queries(INCIDENT_LIST_QUERIES):
        assert len(client.get(url).context["object_list"]) > 20
