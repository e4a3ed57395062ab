"""Importing an edited export updates the risks it names by ID (risks/importexport/updating.py),
refuses stale rows and IDs the user may not change, lists the allowed values of an unknown
value, and offers a template with the allowed values (risks/importexport/template.py)."""

import io
from datetime import date

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from portal.models import AuditRead
from risks.importexport import ImportFailed, export_risks, import_risks
from risks.importexport.jobs import import_job_run
from risks.models import ImportJob, Risk, Threat
from risks.services import risk_update
from tests.conftest import Personas
from tests.factories import AssetFactory
from tests.risks.test_importexport import (
    RISK_HEADERS,
    csv_upload,
    make_risks,
    read_csv,
    risk_row,
    upload_of,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def sector(personas: Personas) -> Personas:
    call_command("load_reference", verbosity=0)
    return personas


def exported(user, fmt: str = "csv") -> tuple[bytes, str]:
    """The register ``user`` sees, exported as the export page does."""
    content, _type, suffix = export_risks(queryset=Risk.objects.restrict(user, "view"), fmt=fmt)
    return content, suffix


def edited(
    content: bytes, suffix: str, changes: dict[int, dict[str, object]]
) -> SimpleUploadedFile:
    """The exported file with cells changed, as someone editing it in a spreadsheet would:
    ``{risk id: {header: new value}}``."""
    if suffix == "csv":
        header, *rows = read_csv(content)
        for row in rows:
            for name, value in changes.get(int(row[0]), {}).items():
                row[header.index(name)] = str(value)
        return csv_upload([header, *rows], name="risikoregister.csv")
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for name, value in changes.get(int(row[0].value), {}).items():
            row[header.index(name)].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("risikoregister.xlsx", buffer.getvalue())


def messages_of(excinfo) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.message) for error in excinfo.value.errors]


# --- updating by ID ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_updates_the_risk_a_row_names_by_id(sector: Personas, fmt: str):
    first, second = make_risks(sector.region_a, 2, owner=sector.riskowner_a)
    content, suffix = exported(sector.ciso_a, fmt)
    upload = edited(
        content,
        suffix,
        {first.pk: {"Titel": "Ny titel", "Sandsynlighed efter tiltag": 1, "Status": "vurderet"}},
    )

    count = import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    assert count == 1
    assert Risk.objects.count() == 2  # updated in place, nothing added
    first.refresh_from_db()
    assert (first.title, first.residual_likelihood, first.status) == ("Ny titel", 1, "assessed")
    assert (first.residual_score, first.version) == (2, 2)
    assert first.owner == sector.riskowner_a
    # The row as exported is not written again: no new version, no audit entry.
    second.refresh_from_db()
    assert (second.title, second.owner, second.version) == (
        "region-a risiko 1",
        sector.riskowner_a,
        1,
    )
    assert not LogEntry.objects.get_for_object(second).filter(action=LogEntry.Action.UPDATE)


def test_an_update_is_an_edit_in_the_audit_trail(sector: Personas):
    (risk,) = make_risks(sector.region_a, 1)
    content, suffix = exported(sector.ciso_a)

    import_risks(
        organisation=sector.region_a,
        user=sector.ciso_a,
        upload=edited(content, suffix, {risk.pk: {"Titel": "Rettet"}}),
    )

    entry = LogEntry.objects.get_for_object(risk).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["title"] == ["region-a risiko 0", "Rettet"]
    assert entry.actor == sector.ciso_a
    risk.refresh_from_db()
    assert risk.version == 2


def test_an_update_goes_through_the_registers_rules(sector: Personas):
    (risk,) = make_risks(sector.region_a, 1, owner=sector.riskowner_a)
    content, suffix = exported(sector.ciso_a)
    # Accepting a risk needs a reason; accepting it records who accepted it.
    upload = edited(content, suffix, {risk.pk: {"Status": "accepteret"}})
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    assert messages_of(excinfo) == [(2, "Begrundelse for accept", "Say why the risk is accepted.")]

    upload = edited(
        content, suffix, {risk.pk: {"Status": "accepteret", "Begrundelse for accept": "Lav"}}
    )
    import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by, risk.acceptance_reason) == (
        "accepted",
        sector.ciso_a,
        "Lav",
    )


def test_columns_left_out_and_an_empty_status_change_nothing(sector: Personas):
    (risk,) = make_risks(
        sector.region_a,
        1,
        owner=sector.riskowner_a,
        status="treatment_planned",
        next_review=date(2026, 5, 31),
    )
    headers = [
        "ID",
        "Version",
        *(name for name in RISK_HEADERS if name not in ("Ejer", "Næste revurdering")),
    ]
    row = dict(zip(RISK_HEADERS, risk_row("Kortere fil"), strict=True))
    row.update({"ID": risk.pk, "Version": risk.version, "Status": ""})
    upload = csv_upload([headers, [row[name] for name in headers]])

    import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    risk.refresh_from_db()
    assert risk.title == "Kortere fil"
    assert (risk.owner, risk.status, risk.next_review) == (
        sector.riskowner_a,
        "treatment_planned",
        date(2026, 5, 31),
    )


def test_rows_without_an_id_still_add_risks(sector: Personas):
    (risk,) = make_risks(sector.region_a, 1)
    header, *rows = read_csv(exported(sector.ciso_a)[0])
    new = ["", "", *rows[0][2:]]
    new[header.index("Titel")] = "Helt ny"

    count = import_risks(
        organisation=sector.region_a,
        user=sector.ciso_a,
        upload=csv_upload([header, *rows, new]),
    )

    assert count == 1  # the exported row, unchanged, is not written again
    assert sorted(Risk.objects.values_list("title", flat=True)) == ["Helt ny", risk.title]


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_stale_row_is_refused_naming_row_column_author_and_time(sector: Personas, fmt: str):
    first, second = make_risks(sector.region_a, 2)
    content, suffix = exported(sector.ciso_a, fmt)
    # Someone changes the second risk after the export.
    sector.riskowner_a.first_name, sector.riskowner_a.last_name = "Rikke", "Ejer"
    sector.riskowner_a.save()
    with set_actor(sector.riskowner_a):
        risk_update(risk=second, user=sector.riskowner_a, values={"description": "Ændret"})
    upload = edited(content, suffix, {first.pk: {"Titel": "A"}, second.pk: {"Titel": "B"}})

    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    ((row, column, message),) = messages_of(excinfo)
    second_row = 2 + [int(r[0]) for r in read_csv(exported(sector.ciso_a)[0])[1:]].index(second.pk)
    assert (row, column) == (second_row, "Version")
    assert message.startswith("the risk has been changed since the export (by Rikke Ejer, ")
    assert "export it again" in message
    # All or nothing: the good row is not written either.
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, first.version) == ("region-a risiko 0", 1)
    assert (second.title, second.description, second.version) == ("region-a risiko 1", "Ændret", 2)


def test_another_regions_id_is_answered_like_an_id_that_does_not_exist(sector: Personas):
    (own,) = make_risks(sector.region_a, 1)
    (other,) = make_risks(sector.region_b, 1)
    # Region B's risk on a system shared with region A: region A may read it, not change it.
    (shared,) = make_risks(sector.region_b, 1, title="Delt")
    asset = AssetFactory(organisation=sector.region_b)
    asset.shared_with.add(sector.region_a)
    shared.assets.add(asset)
    assert Risk.objects.restrict(sector.ciso_a, "view").filter(pk=shared.pk).exists()
    missing = max(own.pk, other.pk, shared.pk) + 1000

    def refusal(risk_id: int, version: int) -> str:
        row = dict(zip(RISK_HEADERS, risk_row("Forsøg"), strict=True))
        upload = csv_upload([["ID", "Version", *RISK_HEADERS], [risk_id, version, *row.values()]])
        with pytest.raises(ImportFailed) as excinfo:
            import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
        ((_row, column, message),) = messages_of(excinfo)
        assert column == "ID"
        return message.replace(str(risk_id), "<id>")

    answers = {
        refusal(other.pk, 1),
        refusal(shared.pk, 1),
        refusal(missing, 1),
        refusal(other.pk, 7),
    }
    assert answers == {
        "Region A has no risk with the ID <id> that you may change; "
        "leave the ID empty to add a new risk"
    }
    other.refresh_from_db()
    shared.refresh_from_db()
    assert (other.title, other.version, shared.title, shared.version) == (
        "region-b risiko 0",
        1,
        "Delt",
        1,
    )


def test_the_same_id_twice_is_refused(sector: Personas):
    (risk,) = make_risks(sector.region_a, 1)
    header, row = read_csv(exported(sector.ciso_a)[0])

    with pytest.raises(ImportFailed) as excinfo:
        import_risks(
            organisation=sector.region_a, user=sector.ciso_a, upload=csv_upload([header, row, row])
        )

    assert messages_of(excinfo) == [
        (3, "ID", f"the ID {risk.pk} is already on row 2; a risk is updated by one row")
    ]


def test_a_row_with_an_id_needs_its_version(sector: Personas):
    make_risks(sector.region_a, 1)
    header, row = read_csv(exported(sector.ciso_a)[0])
    row[1] = ""

    with pytest.raises(ImportFailed) as excinfo:
        import_risks(
            organisation=sector.region_a, user=sector.ciso_a, upload=csv_upload([header, row])
        )

    assert messages_of(excinfo) == [
        (2, "Version", "is required when the row has an ID (export the risks again)")
    ]


def test_one_bad_row_leaves_the_updated_and_added_risks_as_they_were(sector: Personas):
    first, second = make_risks(sector.region_a, 2)
    content, suffix = exported(sector.ciso_a)
    header, *rows = read_csv(
        edited(
            content, suffix, {first.pk: {"Titel": "Ændret"}, second.pk: {"Trussel": "xyz"}}
        ).read()
    )
    new = ["", "", *rows[0][2:]]

    with pytest.raises(ImportFailed) as excinfo:
        import_risks(
            organisation=sector.region_a,
            user=sector.ciso_a,
            upload=csv_upload([header, *rows, new]),
        )

    assert [(row, column) for row, column, _message in messages_of(excinfo)] == [
        (2 + [int(r[0]) for r in rows].index(second.pk), "Trussel")
    ]
    assert Risk.objects.count() == 2
    first.refresh_from_db()
    assert (first.title, first.version) == ("region-a risiko 0", 1)
    assert not LogEntry.objects.get_for_model(Risk).filter(action=LogEntry.Action.UPDATE).exists()


def test_a_risk_changed_between_check_and_write_fails_the_whole_file(sector: Personas, monkeypatch):
    first, second = make_risks(sector.region_a, 2)
    content, suffix = exported(sector.ciso_a)
    upload = edited(content, suffix, {first.pk: {"Titel": "A"}, second.pk: {"Titel": "B"}})
    from risks.importexport import updating

    checked = updating.Targets.stale_errors

    def change_meanwhile(targets):
        Risk.objects.filter(pk=second.pk).update(version=5)  # a save in another request
        return checked(targets)

    monkeypatch.setattr(updating.Targets, "stale_errors", change_meanwhile)
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    ((_row, column, message),) = messages_of(excinfo)
    assert column == "Version" and message.startswith("the risk has been changed")
    assert set(Risk.objects.values_list("title", flat=True)) == {
        "region-a risiko 0",
        "region-a risiko 1",
    }


# --- unknown values list the allowed ones -----------------------------------------------------


def test_an_unknown_value_lists_the_allowed_ones_the_user_may_see(sector: Personas):
    for number in range(25):
        AssetFactory(organisation=sector.region_a, name=f"System {number:02d}")
    AssetFactory(organisation=sector.region_b, name="Region B's hemmelige system")
    upload = csv_upload(
        [
            RISK_HEADERS,
            risk_row("X", Trussel="Meteor", Ejer="ciso.b", Aktiver="Ukendt", Status="glemt"),
        ]
    )

    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    messages = {column: message for _row, column, message in messages_of(excinfo)}
    threats = list(Threat.objects.order_by("name_da").values_list("name_da", flat=True))
    assert messages["Trussel"] == (
        f"unknown threat 'Meteor'; allowed values: {', '.join(threats[:20])}"
        + (", …" if len(threats) > 20 else "")
    )
    assert messages["Ejer"] == (
        "'ciso.b' is not a user with a role in Region A; "
        "allowed values: ciso.a, riskowner.a, viewer.a"
    )
    listed = ", ".join(f"System {number:02d}" for number in range(20))
    assert messages["Aktiver"] == (
        f"no asset named 'Ukendt' in Region A; allowed values: {listed}, …"
    )
    assert "hemmelige" not in " ".join(messages.values())
    assert messages["Status"] == (
        "'glemt' is not one of: identificeret, vurderet, håndtering planlagt, accepteret, lukket"
    )


# --- the page, the template, the API and the job -----------------------------------------------


def template_of(client, **params):
    return client.get(
        reverse("risks:import_template", kwargs={"kind": "risks"}),
        params,
        HTTP_ACCEPT_LANGUAGE="da",
    )


def test_the_template_has_the_columns_and_the_allowed_values_the_user_may_see(
    sector: Personas, client_as
):
    AssetFactory(organisation=sector.region_a, name="=EPJ")
    AssetFactory(organisation=sector.region_b, name="B-system")
    client = client_as(sector.ciso_a)

    response = template_of(client)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="risikoregister-skabelon-region-a.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Risici", "Tilladte værdier"]
    headers = [cell.value for cell in workbook["Risici"][1]]
    assert headers[:3] == ["ID", "Version", "Titel"]
    assert "Iboende score" not in headers and "Delt med" not in headers
    allowed = workbook["Tilladte værdier"]
    columns = {
        column[0].value: [cell.value for cell in column[1:] if cell.value is not None]
        for column in allowed.iter_cols()
    }
    assert columns["Ejer"] == ["ciso.a", "riskowner.a", "viewer.a"]
    assert columns["Aktiver"] == ["'=EPJ"]  # never a formula
    assert allowed["A2"].data_type == "s"
    assert columns["Status"] == [
        "identificeret",
        "vurderet",
        "håndtering planlagt",
        "accepteret",
        "lukket",
    ]
    assert columns["Iboende sandsynlighed"] == ["1", "2", "3", "4", "5"]
    assert set(columns["Trussel"]) == set(Threat.objects.values_list("name_da", flat=True))
    # The download is a read of region A's material, as an export is.
    (read,) = AuditRead.objects.all()
    assert (read.actor, read.additional_data["organisation"]) == (sector.ciso_a, sector.region_a.pk)
    assert read.additional_data["template"] is True


def test_the_template_of_a_region_the_user_may_not_import_into_is_not_found(
    sector: Personas, client_as
):
    client = client_as(sector.ciso_a)
    assert template_of(client, organisation=sector.region_b.pk).status_code == 404
    assert template_of(client, organisation="x").status_code == 200  # the one region
    assert template_of(client_as(sector.viewer_a)).status_code == 403
    assert not AuditRead.objects.filter(actor=sector.viewer_a).exists()
    admin = client_as(sector.admin)
    assert template_of(admin).status_code == 404  # several regions: say which
    response = template_of(admin, organisation=sector.region_b.pk)
    columns = {
        column[0].value: [cell.value for cell in column[1:] if cell.value is not None]
        for column in load_workbook(io.BytesIO(response.content))["Tilladte værdier"].iter_cols()
    }
    assert columns["Ejer"] == ["ciso.b", "riskowner.b", "viewer.b"]


def test_the_import_page_explains_updates_and_offers_the_template(sector: Personas, client_as):
    page = client_as(sector.ciso_a).get(
        reverse("risks:import", kwargs={"kind": "risks"}), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "A row with an ID updates that risk" in text
    assert (
        f"{reverse('risks:import_template', kwargs={'kind': 'risks'})}?organisation={sector.region_a.pk}"
        in text
    )


def test_the_page_reports_a_stale_row_with_its_row_and_column(sector: Personas, client_as):
    (risk,) = make_risks(sector.region_a, 1)
    content, suffix = exported(sector.ciso_a)
    risk_update(risk=risk, user=sector.ciso_a, values={"title": "Ændret i portalen"})

    response = client_as(sector.ciso_a).post(
        reverse("risks:import", kwargs={"kind": "risks"}),
        {"organisation": sector.region_a.pk, "file": upload_of(content, suffix)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert (
        '<td class="numeric">2</td><td>Version</td><td>the risk has been changed since the export'
        in text
    )


def test_the_api_updates_by_id_and_refuses_a_stale_row(sector: Personas, api_as):
    (risk,) = make_risks(sector.region_a, 1)
    content, suffix = exported(sector.ciso_a)
    client = api_as(sector.ciso_a)
    url = reverse("api:risk-import-file")

    upload = edited(content, suffix, {risk.pk: {"Titel": "Via API"}})
    response = client.post(url, {"file": upload}, format="multipart")
    assert (response.status_code, response.json()) == (201, {"count": 1})
    risk.refresh_from_db()
    assert (risk.title, risk.version, Risk.objects.count()) == ("Via API", 2, 1)

    response = client.post(url, {"file": upload_of(content, suffix)}, format="multipart")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "Version")


def test_a_background_job_updates_by_id_the_same_way(sector: Personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    first, _second = make_risks(sector.region_a, 2)
    content, suffix = exported(sector.ciso_a)
    upload = edited(content, suffix, {first.pk: {"Titel": "Job"}})
    job = ImportJob(
        organisation=sector.region_a,
        kind="risks",
        created_by=sector.ciso_a,
        language="en",
        rows_total=2,
    )
    job.file.save("job.csv", upload, save=False)
    job.save()

    import_job_run(job, seconds=10)

    job.refresh_from_db()
    assert (job.status, job.imported) == ("done", 1)
    first.refresh_from_db()
    assert (first.title, first.version, Risk.objects.count()) == ("Job", 2, 2)
    entry = LogEntry.objects.get_for_object(first).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == sector.ciso_a  # outside a request, still the importing user

    # The same (now stale) file again: the job fails naming the row and column.
    job = ImportJob(
        organisation=sector.region_a,
        kind="risks",
        created_by=sector.ciso_a,
        language="en",
        rows_total=2,
    )
    job.file.save("job.csv", edited(content, suffix, {}), save=False)
    job.save()
    import_job_run(job, seconds=10)
    job.refresh_from_db()
    assert job.status == "failed"
    # Only the row of the risk that changed since that export is stale.
    assert [(error["row"], error["column"]) for error in job.errors] == [(2, "Version")]


def test_the_treatment_template_lists_only_the_regions_risks(sector: Personas, client_as):
    make_risks(sector.region_a, 2)
    make_risks(sector.region_b, 1)
    response = client_as(sector.ciso_a).get(
        reverse("risks:import_template", kwargs={"kind": "treatments"}), HTTP_ACCEPT_LANGUAGE="en"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook["Handlinger"][1]] == [
        "Risiko",
        "Titel",
        "Ejer",
        "Frist",
        "Status",
        "Udført den",
    ]
    columns = {
        column[0].value: [cell.value for cell in column[1:] if cell.value is not None]
        for column in workbook["Allowed values"].iter_cols()
    }
    assert columns["Risiko"] == ["region-a risiko 0", "region-a risiko 1"]
    assert columns["Status"] == ["åben", "i gang", "udført", "annulleret"]
