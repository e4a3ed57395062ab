"""The incident's and the submission's rules, as field errors (``Model.clean``)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.clocks import EARLIEST
from incidents.models import Incident, IncidentSubmission, SectorIncident
from incidents.models.submission import SubmissionIsAppendOnly
from incidents.reporting_rules import DeadlineKind
from portal.access import Action, can
from tests.factories import IncidentFactory, IncidentSubmissionFactory

pytestmark = pytest.mark.django_db


def field_errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def incident(personas, **fields) -> Incident:
    now = timezone.now()
    values = {
        "organisation": personas.region_a,
        "title": "Ransomware på laboratoriesystemet",
        "category": "ransomware",
        "severity": "critical",
        "detected_at": now - timedelta(hours=5),
        "aware_at": now - timedelta(hours=4),
    }
    values.update(fields)
    return Incident(**values)


def test_a_plain_incident_is_valid(personas):
    incident(personas, owner=personas.riskowner_a).full_clean()


def test_it_refuses_becoming_aware_before_detection(personas):
    now = timezone.now()
    errors = field_errors(
        incident(personas, detected_at=now - timedelta(hours=1), aware_at=now - timedelta(hours=2))
    )
    assert list(errors) == ["aware_at"]


def test_it_refuses_times_in_the_future(personas):
    later = timezone.now() + timedelta(hours=1)
    errors = field_errors(incident(personas, detected_at=later, aware_at=later))
    assert set(errors) == {"detected_at", "aware_at"}


def test_it_refuses_times_before_the_year_2000(personas):
    # Before 1894 Copenhagen's offset had seconds, which no RFC 3339 time in the API can write.
    old = datetime(1418, 4, 27, 3, 26, tzinfo=UTC)
    errors = field_errors(incident(personas, detected_at=old, aware_at=old))
    assert set(errors) == {"detected_at", "aware_at"}
    sector_incident = SectorIncident(title="Leverandørnedbrud", opened_at=old)
    assert list(field_errors(sector_incident)) == ["opened_at"]
    incident(personas, detected_at=EARLIEST, aware_at=EARLIEST).full_clean()


def test_a_significant_incident_states_its_reason(personas):
    assert list(field_errors(incident(personas, nis2_significant=True))) == ["nis2_reason"]
    incident(personas, nis2_significant=True, nis2_reason="Akutmodtagelsen er nede.").full_clean()


def test_the_gdpr_exception_needs_its_reason(personas):
    breach = incident(personas, personal_data=True, gdpr_breach=True)
    breach.gdpr_exception_unlikely_risk = True
    assert list(field_errors(breach)) == ["gdpr_exception_reason"]
    breach.gdpr_exception_reason = "Data var krypteret, og nøglen er ikke kompromitteret."
    breach.full_clean()


def test_the_gdpr_exception_and_art_34_exclude_each_other(personas):
    breach = incident(
        personas,
        personal_data=True,
        gdpr_breach=True,
        gdpr_exception_unlikely_risk=True,
        gdpr_exception_reason="Krypteret.",
        gdpr_art34_communication=True,
    )
    assert list(field_errors(breach)) == ["gdpr_art34_communication"]


def test_a_breach_involves_personal_data(personas):
    assert list(field_errors(incident(personas, gdpr_breach=True))) == ["personal_data"]


def test_the_owner_is_a_member_of_the_region(personas):
    assert list(field_errors(incident(personas, owner=personas.ciso_b))) == ["owner"]


def test_it_cannot_close_while_a_clock_is_open(personas):
    significant = IncidentFactory(organisation=personas.region_a)
    significant.status = "closed"
    errors = field_errors(significant)
    assert list(errors) == ["status"]
    assert str(DeadlineKind.NIS2_EARLY_WARNING.label) in errors["status"][0]
    for kind in ("nis2_early_warning", "nis2_notification", "nis2_final_report"):
        IncidentSubmissionFactory(incident=significant, kind=kind, by=personas.ciso_a)
    significant.full_clean()


def test_an_unclassified_incident_closes_freely(personas):
    incident(personas, status="closed").full_clean()


def test_a_late_submission_gives_reasons(personas):
    now = timezone.now()
    late = IncidentFactory(
        organisation=personas.region_a,
        detected_at=now - timedelta(hours=40),
        aware_at=now - timedelta(hours=30),
    )
    submission = IncidentSubmission(
        incident=late,
        kind="nis2_early_warning",
        submitted_at=now - timedelta(hours=1),
        recipient="virk.dk",
        by=personas.ciso_a,
    )
    assert list(field_errors(submission)) == ["late_reason"]
    submission.late_reason = "Hændelsen blev først klassificeret efter weekenden."
    submission.full_clean()
    submission.submitted_at = now - timedelta(hours=7)  # 23 hours after becoming aware
    submission.late_reason = ""
    submission.full_clean()


@pytest.mark.parametrize(
    ("kind", "hours_after_aware", "field"),
    [
        ("gdpr_notification", 1, "kind"),  # not a personal data breach
        ("nis2_early_warning", 40, "submitted_at"),  # in the future
        ("nis2_early_warning", -1, "submitted_at"),  # before becoming aware
    ],
)
def test_a_submission_fits_its_incident(personas, kind, hours_after_aware, field):
    significant = IncidentFactory(organisation=personas.region_a)
    submission = IncidentSubmission(
        incident=significant,
        kind=kind,
        submitted_at=significant.aware_at + timedelta(hours=hours_after_aware),
        recipient="virk.dk",
        by=personas.ciso_a,
    )
    assert list(field_errors(submission)) == [field]


def test_a_submission_is_append_only(personas):
    submission = IncidentSubmissionFactory(
        incident=IncidentFactory(organisation=personas.region_a), by=personas.ciso_a
    )
    for user in (personas.ciso_a, personas.riskowner_a):
        assert not can(user, Action.CHANGE, submission)
        assert not can(user, Action.DELETE, submission)
    assert can(personas.ciso_a, Action.ADD, submission)
    with pytest.raises(SubmissionIsAppendOnly):
        submission.delete()
    assert IncidentSubmission.objects.filter(pk=submission.pk).exists()
