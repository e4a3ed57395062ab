from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from risks.models import Asset


def test_it_creates_a_user_for_every_role_in_every_region(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", verbosity=0, stdout=StringIO())
    names = set(get_user_model().objects.values_list("username", flat=True))
    for region in ("hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland"):
        for role in ("ciso", "riskowner", "viewer"):
            assert f"{role}.{region}" in names
    assert {"secretariat", "admin"} <= names
    systems = Asset.objects.filter(organisation__slug="hovedstaden", kind=Asset.Kind.SYSTEM)
    assert systems.count() == 75 + 1  # 1,500 x 0.05, plus a shared system


def test_it_is_deterministic_and_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    first = list(Asset.objects.order_by("pk").values_list("name", "supplier"))
    users = get_user_model().objects.count()
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    assert list(Asset.objects.order_by("pk").values_list("name", "supplier")) == first
    assert get_user_model().objects.count() == users


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--scale", "0.05")
    call_command("seed_demo", "--scale", "0.05", force=True, stdout=StringIO())


def test_it_rejects_a_bad_scale(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "lots")


def test_it_signs_every_demo_user_in_with_the_demo_password(db, settings, client):
    settings.DEBUG = True
    settings.MFA_REQUIRED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    for user in get_user_model().objects.all():
        response = client.post(
            reverse("login"), {"username": user.username, "password": settings.DEMO_PASSWORD}
        )
        assert response.status_code == 302, user.username
        client.logout()


def test_its_data_is_plausible_accepted_risks_and_device_makers(db, settings):
    """Every accepted risk names its acceptor (the region's CISO), when and why; each kind of
    medical device comes from one of its own makers, scanners far fewer than infusion pumps."""
    import random

    from risks.demo import _DEVICE_KINDS, _device_categories
    from risks.models import Risk

    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    accepted = Risk.objects.filter(status="accepted").select_related("accepted_by")
    assert accepted.exists()
    for risk in accepted:
        assert risk.accepted_by is not None and risk.accepted_at is not None, risk
        assert risk.accepted_by.memberships.filter(
            organisation=risk.organisation_id, role="ciso"
        ).exists()
        assert len(risk.acceptance_reason) > 40
    makers = {kind: set(names) for kind, names, _share in _DEVICE_KINDS}
    devices = Asset.objects.filter(
        organisation__slug="hovedstaden", kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY
    )
    for device in devices:
        kind = device.name.rsplit(" gruppe ", 1)[0]
        assert device.supplier in makers[kind], device
    # At full scale: forty groups holding about 150,000 devices.
    region = devices.first().organisation
    quantity = {}
    for device in _device_categories(region, 40, 150_000, random.Random(1)):
        kind = device.name.rsplit(" gruppe ", 1)[0]
        quantity[kind] = quantity.get(kind, 0) + device.quantity
    assert 149_000 <= sum(quantity.values()) <= 150_000
    assert quantity["Infusionspumper"] > 50 * quantity["CT-scannere"]


def test_it_seeds_a_few_incidents_per_region_over_two_years(db, settings):
    """Incidents in every region within the last two years, each as its register would
    accept it; some clocks met, some submitted late with the reasons for the delay, some
    run out; personal data breaches among them; in some region a clock running out today.
    Seeding again adds none."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents.models import Incident, IncidentSubmission
    from portal.models import Organisation

    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    now = timezone.now()
    incidents = list(Incident.objects.prefetch_related("submissions").order_by("pk"))
    regions = Organisation.objects.regions()
    for region in regions:
        theirs = [incident for incident in incidents if incident.organisation_id == region.pk]
        assert 5 <= len(theirs) <= 10, region
        assert len({incident.title for incident in theirs}) == len(theirs)
    for incident in incidents:
        incident.full_clean()  # field rules, the owner a member, closed only with no clock open
        assert now - timedelta(days=731) < incident.detected_at <= incident.aware_at < now
        assert incident.affected_systems.exists()
    late = [
        submission
        for submission in IncidentSubmission.objects.select_related("incident")
        if submission.submitted_at > _due(submission)
    ]
    assert late and all(len(submission.late_reason) > 40 for submission in late)
    on_time = IncidentSubmission.objects.exclude(pk__in=[s.pk for s in late])
    assert on_time.exists() and not on_time.exclude(late_reason="").exists()
    deadlines = [deadline for incident in incidents for deadline in incident.deadlines(now)]
    assert any(deadline.overdue for deadline in deadlines)  # a clock breached
    assert any(
        deadline.is_open and not deadline.overdue and deadline.due_at - now < timedelta(hours=24)
        for deadline in deadlines
    )
    assert any(i.gdpr_breach and not i.gdpr_exception_unlikely_risk for i in incidents)
    assert any(i.gdpr_exception_unlikely_risk for i in incidents)
    assert {i.category for i in incidents} >= {"ransomware", "phishing", "personal_data_breach"}
    count = Incident.objects.count()
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    assert Incident.objects.count() == count


def _due(submission):
    from incidents.clocks import due_at, first_submissions

    earlier = first_submissions(
        (s.kind, s.submitted_at)
        for s in submission.incident.submissions.all()
        if s.submitted_at < submission.submitted_at
    )
    due, _provisional = due_at(
        submission.kind, aware_at=submission.incident.aware_at, submitted=earlier
    )
    return due


def test_its_quarterly_snapshots_run_into_the_register_as_it_is_now(db, settings):
    """Each region has the current quarter's snapshot, holding its register's figures now
    (as the daily beat takes it), and six quarters before it that lead up to them: the
    register grows quarter by quarter, the last past quarter within a few per cent of now.
    The larger regions hold more risks."""
    from datetime import date

    from portal.models import Organisation
    from portal.periods import Period
    from risks.models import RiskSnapshot
    from risks.selectors import risk_picture_live

    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    quarter = Period.containing(date.today(), "Q")
    totals = {}
    for region in Organisation.objects.regions():
        snapshots = list(RiskSnapshot.objects.filter(organisation=region).order_by("period"))
        assert [s.period for s in snapshots][-1] == quarter.label, region
        assert len(snapshots) == 7, region
        now = snapshots[-1]
        live = risk_picture_live(region)
        assert {
            level: getattr(now, f"residual_{level}") for level in live.residual
        } == live.residual
        opened = [
            s.residual_low + s.residual_medium + s.residual_high + s.residual_critical
            for s in snapshots
        ]
        assert opened == sorted(opened), region  # growing up to now
        assert opened[-2] >= 0.9 * opened[-1], region  # no jump into the current quarter
        totals[region.slug] = opened[-1]
    assert totals["hovedstaden"] > totals["midtjylland"] > totals["nordjylland"]
