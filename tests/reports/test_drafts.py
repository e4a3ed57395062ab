"""The narrative editor: who writes which edition, all-or-nothing and conflict-safe saves."""

from datetime import date

from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.models import NarrativeDraft

User = get_user_model()
YEAR = str(date.today().year - 1)


def url(organisation: str | None = None) -> str:
    query = f"?kind=council_appendix&period={YEAR}"
    return (
        reverse("reports:drafts")
        + query
        + (f"&organisation={organisation}" if organisation else "")
    )


def data(**bodies):
    result = {}
    for section in ("introduction", "threat_assessment", "conclusion"):
        result[f"{section}-body"] = bodies.get(section, "")
        result[f"{section}-version"] = bodies.get(f"{section}_version", "")
    return result


def test_the_secretariat_writes_the_sector_edition(sector, client_as):
    client = client_as(User.objects.get(username="secretariat"))
    assert client.get(url()).status_code == 200
    response = client.post(url(), data(threat_assessment="Truslen er **meget høj**."))
    assert response.status_code == 302
    draft = NarrativeDraft.objects.get(section="threat_assessment", organisation=None)
    assert draft.body == "Truslen er **meget høj**."
    assert not NarrativeDraft.objects.filter(section="introduction").exists()  # empty: not created
    page = client.get(url())
    assert "meget høj" in page.content.decode()


def test_a_stale_save_is_refused_and_the_first_text_kept(sector, client_as):
    client = client_as(User.objects.get(username="secretariat"))
    client.post(url(), data(conclusion="Første"))
    draft = NarrativeDraft.objects.get(section="conclusion")
    assert (
        client.post(url(), data(conclusion="Anden", conclusion_version=draft.version)).status_code
        == 302
    )
    stale = client.post(url(), data(conclusion="Tredje", conclusion_version=draft.version))
    assert stale.status_code == 409
    draft.refresh_from_db()
    assert draft.body == "Anden"


def test_a_ciso_writes_their_regions_edition_and_not_anothers(sector, client_as):
    client = client_as(User.objects.get(username="ciso.hovedstaden"))
    assert client.post(url("hovedstaden"), data(introduction="Vores region")).status_code == 302
    assert NarrativeDraft.objects.get(organisation__slug="hovedstaden").body == "Vores region"
    assert client.get(url("sjaelland")).status_code == 404
    assert client.post(url("sjaelland"), data(introduction="X")).status_code == 404
    assert client.get(url()).status_code == 403  # the sector edition is the secretariat's
    viewer = client_as(User.objects.get(username="viewer.hovedstaden"))
    assert viewer.post(url("hovedstaden"), data(introduction="Y")).status_code == 403
    assert NarrativeDraft.objects.get(organisation__slug="hovedstaden").body == "Vores region"
