"""Import and export through the pages and the API: permissions and answers."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from risks.models import Risk
from tests.risks.conftest import make_risk

HEADER = "Titel;Trussel;Angrebsflade;Iboende sandsynlighed;Iboende konsekvens;Restsandsynlighed;Restkonsekvens\n"


def csv_file(rows: list[str], name: str = "risici.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "\n".join(rows) + "\n").encode("utf-8"), "text/csv")


GOOD = "Ransomware på lab;ransomware;digital;4;5;2;4"


def test_the_api_imports_a_good_file_and_answers_the_count(personas, threats, api_as):
    response = api_as(personas.ciso_a).post(
        reverse("api:risk-import-file"), {"file": csv_file([GOOD, GOOD])}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"count": 2}
    assert Risk.objects.filter(organisation=personas.region_a).count() == 2


def test_the_api_answers_400_with_row_column_and_message_and_imports_nothing(
    personas, threats, api_as
):
    response = api_as(personas.ciso_a).post(
        reverse("api:risk-import-file"),
        {"file": csv_file([GOOD, "Dårlig;ransomware;digital;9;5;2;4"])},
        format="multipart",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["row"] == 3 and errors[0]["column"] == "Iboende sandsynlighed"
    assert errors[0]["message"]
    assert not Risk.objects.exists()


def test_a_viewer_or_another_regions_ciso_cannot_import(personas, threats, api_as):
    response = api_as(personas.viewer_a).post(
        reverse("api:risk-import-file"), {"file": csv_file([GOOD])}, format="multipart"
    )
    assert response.status_code in (400, 403)
    response = api_as(personas.ciso_b).post(
        reverse("api:risk-import-file"),
        {"file": csv_file([GOOD]), "organisation": "region-a"},
        format="multipart",
    )
    assert response.status_code == 403
    assert not Risk.objects.exists()


def test_the_import_page_lists_the_problems_and_imports_nothing(personas, threats, client_as):
    client = client_as(personas.ciso_a)
    url = reverse("risks:import", kwargs={"kind": "risks"})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "organisation": personas.region_a.pk,
            "file": csv_file([GOOD, "Dårlig;meteor;digital;4;5;2;4"]),
        },
    )
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "Trussel")]
    assert 'id="import-errors"' in response.content.decode()
    assert not Risk.objects.exists()
    response = client.post(url, {"organisation": personas.region_a.pk, "file": csv_file([GOOD])})
    assert response.status_code == 302
    assert Risk.objects.count() == 1
    assert client_as(personas.viewer_a).get(url).status_code == 403


def test_exports_contain_only_what_the_user_may_see(personas, threats, client_as, api_as):
    make_risk(personas.region_a, threats, title="Region A's risiko")
    make_risk(personas.region_b, threats, title="Region B's risiko")
    response = client_as(personas.ciso_a).get(
        reverse("risks:export", kwargs={"kind": "risks"}), {"format": "csv"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Region A's risiko" in text and "Region B's risiko" not in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2
    xlsx = api_as(personas.ciso_b).get(reverse("api:risk-export-file"), {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_an_export_follows_the_lists_filters(personas, threats, client_as):
    make_risk(
        personas.region_a, threats, title="Høj", residual_likelihood=4, residual_consequence=4
    )
    make_risk(
        personas.region_a, threats, title="Lav", residual_likelihood=1, residual_consequence=1
    )
    response = client_as(personas.viewer_a).get(
        reverse("risks:export", kwargs={"kind": "risks"}), {"format": "csv", "level": "low"}
    )
    text = response.content.decode("utf-8-sig")
    assert "Lav" in text and "Høj" not in text


def _big_file(rows: int, bad_row: int | None = None) -> SimpleUploadedFile:
    lines = []
    for n in range(rows):
        likelihood = 9 if bad_row is not None and n + 2 == bad_row else (n % 5) + 1
        lines.append(
            f"Risiko {n};ransomware;digital;{likelihood};{(n % 5) + 1};1;{min(n % 4, n % 5) + 1}"
        )
    return csv_file(lines)


def test_ten_thousand_rows_with_one_bad_row_import_nothing_through_the_api(
    personas, threats, api_as, django_capture_on_commit_callbacks
):
    # A file this large is a background job (run in-process here: no broker).
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(personas.ciso_a).post(
            reverse("api:risk-import-file"),
            {"file": _big_file(10_000, bad_row=5_001)},
            format="multipart",
        )
    assert response.status_code == 202
    job = api_as(personas.ciso_a).get(response["Location"]).json()
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(5_001, "Iboende sandsynlighed")]
    assert not Risk.objects.exists()


def test_ten_thousand_good_rows_import_completely_through_the_page(
    personas, threats, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(personas.ciso_a).post(
            reverse("risks:import", kwargs={"kind": "risks"}),
            {"organisation": personas.region_a.pk, "file": _big_file(10_000)},
        )
    assert response.status_code == 302
    assert response["Location"].startswith("/risks/imports/")
    assert Risk.objects.filter(organisation=personas.region_a).count() == 10_000
    assert set(Risk.objects.values_list("residual_level", flat=True)) <= {"low", "medium"}


def test_a_concurrent_risk_edit_is_refused_and_the_first_change_kept(
    personas, threats, client_as, api_as
):
    risk = make_risk(personas.region_a, threats, title="Original")
    url = reverse("risks:risk_edit", kwargs={"pk": risk.pk})
    data = {
        "organisation": personas.region_a.pk,
        "threat": risk.threat.pk,
        "attack_surface": "digital",
        "inherent_likelihood": 4,
        "inherent_consequence": 5,
        "residual_likelihood": 2,
        "residual_consequence": 4,
        "status": "identified",
        "version": risk.version,
    }
    client = client_as(personas.ciso_a)
    assert client.post(url, {**data, "title": "Første"}).status_code == 302
    second = client.post(url, {**data, "title": "Anden"})
    assert second.status_code == 409 and second.context["conflict"]
    api = api_as(personas.ciso_a)
    detail = reverse("api:risk-detail", kwargs={"pk": risk.pk})
    stale = f'"{risk.version}"'
    assert (
        api.patch(detail, {"title": "Tredje"}, format="json", HTTP_IF_MATCH=stale).status_code
        == 412
    )
    risk.refresh_from_db()
    assert risk.title == "Første"
