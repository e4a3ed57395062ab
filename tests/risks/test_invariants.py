"""The risk register's rules hold on every path that writes a risk: the page, the API and the
import (``risks.services``). Each test runs once per path and compares field-level errors."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from portal.audit import entries_for
from risks.acceptance import acceptance_criteria_approve, acceptance_criteria_draft
from risks.importexport import ImportFailed, import_risks, import_treatments
from risks.importexport.layouts import RISKS, TREATMENTS
from risks.models import Risk, TreatmentAction
from tests.mail import PORTAL_URL, assert_links_only, only_mail_to, use_portal_mail
from tests.risks.conftest import DEFAULT_VALUES, make_direktion, make_risk

PATHS = ["page", "api", "import"]

GOOD = {
    "title": "Ransomware rammer laboratoriesystemet",
    "threat": "ransomware",
    "attack_surface": "digital",
    "inherent_likelihood": 4,
    "inherent_consequence": 5,
    "residual_likelihood": 2,
    "residual_consequence": 4,
}
HIGH = {"residual_likelihood": 4, "residual_consequence": 4}  # 16: high on the default matrix


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _csv(layout, rows: list[dict]) -> SimpleUploadedFile:
    columns = [column for column in layout.columns if not column.export_only]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.da for column in columns])
    for row in rows:
        writer.writerow(["" if row.get(c.field) is None else row.get(c.field) for c in columns])
    return SimpleUploadedFile("rows.csv", buffer.getvalue().encode("utf-8"), "text/csv")


def _import_errors(failure: ImportFailed, layout) -> dict[str, list[str]]:
    fields = {column.da: column.field for column in layout.columns}
    errors: dict[str, list[str]] = {}
    for error in failure.errors:
        errors.setdefault(fields[error.column], []).append(error.message)
    return errors


class Paths:
    """Create a risk or a treatment action as ``user`` through one path; the answer is the
    field errors (empty when it was saved)."""

    def __init__(self, path: str, personas, threats, client_as, api_as) -> None:
        self.path, self.personas, self.threats = path, personas, threats
        self.client_as, self.api_as = client_as, api_as

    def create_risk(self, user, **values) -> dict[str, list[str]]:
        values = {**GOOD, **values}
        region = self.personas.region_a
        owner_name = values.pop("owner_name", "")
        if self.path == "page":
            owner = type(user).objects.filter(username=owner_name).first()
            data = {
                "status": "identified",
                **values,
                "organisation": region.pk,
                "threat": self.threats[values["threat"]].pk,
                "owner": (owner.pk if owner else 999_999) if owner_name else "",
            }
            response = self.client_as(user).post(reverse("risks:risk_add"), data)
            if response.status_code == 302:
                return {}
            assert response.status_code == 200, response.status_code
            return dict(response.context["form"].errors)
        if self.path == "api":
            data = {**values, "organisation": region.slug}
            if owner_name:
                data["owner"] = owner_name
            response = self.api_as(user).post(reverse("api:risk-list"), data, format="json")
            if response.status_code == 201:
                return {}
            assert response.status_code == 400, response.content
            return response.json()
        row = {**values, "owner": owner_name}
        try:
            import_risks(organisation=region, user=user, upload=_csv(RISKS, [row]))
        except ImportFailed as failure:
            return _import_errors(failure, RISKS)
        return {}

    def update_risk(self, user, risk: Risk, **changes) -> dict[str, list[str]]:
        """The page and the API change a risk; an import only adds (see the docstring of
        ``import_risks``), so it has no update path to check."""
        risk.refresh_from_db()
        if self.path == "page":
            data = {
                "organisation": risk.organisation_id,
                "title": risk.title,
                "threat": risk.threat_id,
                "attack_surface": risk.attack_surface,
                "inherent_likelihood": risk.inherent_likelihood,
                "inherent_consequence": risk.inherent_consequence,
                "residual_likelihood": risk.residual_likelihood,
                "residual_consequence": risk.residual_consequence,
                "owner": risk.owner_id or "",
                "status": risk.status,
                "treatment": risk.treatment,
                "acceptance_reason": risk.acceptance_reason,
                "version": risk.version,
                **changes,
            }
            response = self.client_as(user).post(
                reverse("risks:risk_edit", kwargs={"pk": risk.pk}), data
            )
            if response.status_code == 302:
                return {}
            assert response.status_code == 200, response.status_code
            return dict(response.context["form"].errors)
        response = self.api_as(user).patch(
            reverse("api:risk-detail", kwargs={"pk": risk.pk}), changes, format="json"
        )
        if response.status_code == 200:
            return {}
        assert response.status_code == 400, response.content
        return response.json()

    def create_treatment(self, user, risk: Risk, owner_name: str) -> dict[str, list[str]]:
        """``owner_name``: a user name (the page takes the person's id when they exist)."""
        due = (date.today() + timedelta(days=60)).isoformat()  # a new action is not due in the past
        values = {"title": "Patch serverne", "due": due}
        if self.path == "page":
            owner = type(user).objects.filter(username=owner_name).first()
            data = {**values, "status": "open", "owner": owner.pk if owner else 999_999}
            response = self.client_as(user).post(
                reverse("risks:treatment_add", kwargs={"risk": risk.pk}), data
            )
            if response.status_code == 302:
                return {}
            assert response.status_code == 200, response.status_code
            return dict(response.context["form"].errors)
        if self.path == "api":
            data = {**values, "risk": risk.pk, "owner": owner_name}
            response = self.api_as(user).post(
                reverse("api:treatmentaction-list"), data, format="json"
            )
            if response.status_code == 201:
                return {}
            assert response.status_code == 400, response.content
            return response.json()
        row = {**values, "risk": risk.pk, "owner": owner_name}
        try:
            import_treatments(
                organisation=risk.organisation, user=user, upload=_csv(TREATMENTS, [row])
            )
        except ImportFailed as failure:
            return _import_errors(failure, TREATMENTS)
        return {}


@pytest.fixture(params=PATHS)
def paths(request, personas, threats, client_as, api_as) -> Paths:
    return Paths(request.param, personas, threats, client_as, api_as)


def test_it_refuses_a_residual_rating_above_the_inherent_one(paths, personas):
    errors = paths.create_risk(personas.ciso_a, residual_likelihood=5, inherent_likelihood=3)
    assert list(errors) == ["residual_likelihood"]
    errors = paths.create_risk(personas.ciso_a, residual_consequence=5, inherent_consequence=2)
    assert list(errors) == ["residual_consequence"]
    assert not Risk.objects.exists()
    assert paths.create_risk(personas.ciso_a, residual_likelihood=4, residual_consequence=5) == {}


def test_it_wants_a_reason_to_accept_or_to_close_above_the_threshold(paths, personas):
    for decision in ({"status": "accepted"}, {"treatment": "accept"}, {"status": "closed", **HIGH}):
        errors = paths.create_risk(personas.ciso_a, **decision)
        assert list(errors) == ["acceptance_reason"], (decision, errors)
    assert not Risk.objects.exists()
    # Closing a low risk needs no reason; accepting a high one with a reason is the CISO's.
    assert paths.create_risk(personas.ciso_a, status="closed") == {}
    assert (
        paths.create_risk(personas.ciso_a, status="accepted", acceptance_reason="Dækket", **HIGH)
        == {}
    )
    accepted = Risk.objects.get(status="accepted")
    assert (accepted.accepted_by, accepted.residual_level) == (personas.ciso_a, "high")


def test_only_the_ciso_accepts_or_closes_above_the_threshold(paths, personas, threats):
    owner = personas.riskowner_a
    if paths.path == "import":
        # Importing adds risks, which is the CISO's alone: a risk owner cannot decide by file.
        with pytest.raises(PermissionDenied):
            paths.create_risk(owner, status="accepted", acceptance_reason="Dækket", **HIGH)
        return
    risk = make_risk(personas.region_a, threats, owner=owner, **HIGH)
    for decision, field in (
        ({"status": "accepted"}, "status"),
        ({"treatment": "accept"}, "treatment"),
        ({"status": "closed"}, "status"),
    ):
        errors = paths.update_risk(owner, risk, acceptance_reason="Dækket", **decision)
        assert list(errors) == [field], (decision, errors)
        assert "CISO" in errors[field][0]
    risk.refresh_from_db()
    assert (risk.status, risk.treatment, risk.accepted_by) == ("identified", "", None)
    # A region's criteria may let risk owners decide up to "high": then the same acceptance
    # stands (a new version, prepared by the CISO and approved by the direktion).
    criteria = acceptance_criteria_draft(
        organisation=personas.region_a,
        user=personas.ciso_a,
        values={**DEFAULT_VALUES, "high_acceptor": "by_owner"},
    )
    direktion = make_direktion(personas.region_a)
    acceptance_criteria_approve(criteria=criteria, user=direktion, reference="Direktionsmøde 1")
    personas.region_a.refresh_from_db()
    assert paths.update_risk(owner, risk, status="accepted", acceptance_reason="Dækket") == {}
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by) == ("accepted", owner)


def test_it_answers_an_owner_of_another_region_as_one_that_does_not_exist(paths, personas):
    foreign = paths.create_risk(personas.ciso_a, owner_name=personas.riskowner_b.username)
    missing = paths.create_risk(personas.ciso_a, owner_name="riskowner.nobody")
    assert list(foreign) == ["owner"]
    assert foreign["owner"] == [
        message.replace("riskowner.nobody", "riskowner.b") for message in missing["owner"]
    ]
    assert not Risk.objects.exists()
    assert paths.create_risk(personas.ciso_a, owner_name=personas.riskowner_a.username) == {}
    assert Risk.objects.get().owner == personas.riskowner_a


def test_it_answers_a_treatment_owner_of_another_region_as_one_that_does_not_exist(
    paths, personas, threats
):
    risk = make_risk(personas.region_a, threats)
    foreign = paths.create_treatment(personas.ciso_a, risk, personas.ciso_b.username)
    missing = paths.create_treatment(personas.ciso_a, risk, "ciso.nobody")
    assert list(foreign) == ["owner"]
    # The answer names what was asked for, in the same words as for a name that matches nobody.
    assert foreign["owner"] == [
        message.replace("ciso.nobody", "ciso.b") for message in missing["owner"]
    ]
    assert not TreatmentAction.objects.exists()
    assert paths.create_treatment(personas.ciso_a, risk, personas.riskowner_a.username) == {}


def test_every_path_gives_a_treatment_action_its_risk_organisation(paths, personas, threats):
    risk = make_risk(personas.region_b, threats)
    assert paths.create_treatment(personas.ciso_b, risk, personas.ciso_b.username) == {}
    action = TreatmentAction.objects.get()
    assert action.organisation_id == personas.region_b.pk
    # A region's actions are then found by their own column, without a join to the risks.
    region = TreatmentAction.objects.restrict_to(personas.ciso_b, "view", personas.region_b)
    assert list(region) == [action]
    assert "risks_risk" not in str(region.query)


@pytest.mark.parametrize("path", ["page", "api"])
def test_raising_an_accepted_risk_above_its_acceptor_reopens_it_and_tells_the_ciso(
    path, personas, threats, client_as, api_as, django_capture_on_commit_callbacks, settings
):
    use_portal_mail(settings)
    paths = Paths(path, personas, threats, client_as, api_as)
    owner = personas.riskowner_a
    risk = make_risk(
        personas.region_a,
        threats,
        title="Fortrolig titel",
        owner=owner,
        residual_likelihood=2,
        residual_consequence=4,
    )
    assert paths.update_risk(owner, risk, status="accepted", acceptance_reason="Lav nok") == {}
    risk.refresh_from_db()
    assert (risk.status, risk.residual_level, risk.accepted_by) == ("accepted", "medium", owner)
    # Still within what the risk owner may accept: the acceptance stands.
    assert paths.update_risk(owner, risk, residual_likelihood=1) == {}
    risk.refresh_from_db()
    assert risk.status == "accepted"

    with django_capture_on_commit_callbacks(execute=True):
        assert paths.update_risk(owner, risk, residual_likelihood=4, residual_consequence=5) == {}
    risk.refresh_from_db()
    assert (risk.status, risk.residual_level, risk.accepted_by) == ("assessed", "critical", None)
    assert risk.acceptance_reason == ""
    # The acceptance is kept in the history.
    changes = [dict(entry.changes_dict) for entry in entries_for(risk)]
    assert any(
        change.get("accepted_by", [None])[0] in (str(owner), str(owner.pk)) for change in changes
    )
    assert any(change.get("acceptance_reason", [None])[0] == "Lav nok" for change in changes)
    # The region's CISO is told, with a link and without the risk's confidential text.
    assert_links_only(
        only_mail_to(personas.ciso_a.email),
        links=[f"{PORTAL_URL}{risk.get_absolute_url()}"],
        secrets=["Fortrolig", "Lav nok"],
    )
    # The CISO may accept it again, with a reason of their own.
    assert (
        paths.update_risk(personas.ciso_a, risk, status="accepted", acceptance_reason="CISO") == {}
    )
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by) == ("accepted", personas.ciso_a)
