"""The benchmark's scenarios: one line each.

A scenario is one page or API call measured as one user: ``user`` is a demo user name
(``None`` for the anonymous visitor), ``kind`` says how that user signs in — ``"html"`` logs in
through the login form like a browser (session cookie), ``"api"`` uses token authentication.

Add a scenario by adding one line to ``SCENARIOS``. A path that answers 404 is skipped with a
note, so a scenario may be added before its page exists. A page of one object names the object
by ``pick``, a query on the seeded database (ids follow the order of seeding, so they are
looked up, never written down).
"""

from dataclasses import dataclass, replace
from typing import Literal


@dataclass(frozen=True)
class Scenario:
    name: str
    user: str | None
    path: str
    kind: Literal["html", "api"] = "html"
    #: SQL answering the id of the object whose page ``path`` is (``{id}`` in it), or None.
    pick: str | None = None

    def picked(self, object_id: int) -> "Scenario":
        """The scenario with the object's id in its path."""
        return replace(self, path=self.path.format(id=object_id), pick=None)


#: The incident page's incident (the first one of its kind, should a region hold more).
INCIDENT_PAGE = """
SELECT incident.id
FROM incidents_incident incident
JOIN portal_organisation organisation ON organisation.id = incident.organisation_id
WHERE organisation.slug = 'hovedstaden' AND incident.category = 'ransomware'
ORDER BY incident.id
LIMIT 1
"""

#: The bare-view floor every other scenario is compared with (``× floor`` in the table).
FLOOR = "floor"

SCENARIOS: list[Scenario] = [
    Scenario(FLOOR, None, "/livez"),
    # The dashboards: each role's first page.
    Scenario("CISO dashboard", "ciso.hovedstaden", "/"),
    Scenario("TSI dashboard", "secretariat", "/"),
    Scenario("admin overview", "admin", "/"),
    Scenario("organisation list", "ciso.hovedstaden", "/organisations/"),
    Scenario("asset list", "ciso.hovedstaden", "/risks/assets/"),
    Scenario(
        "asset list filtered", "ciso.hovedstaden", "/risks/assets/?q=Laboratorium&is_legacy=true"
    ),
    Scenario("API assets 100/page", "ciso.hovedstaden", "/api/v1/assets/?page_size=100", "api"),
    Scenario("API organisations", "viewer.sjaelland", "/api/v1/organisations/", "api"),
    # Initiatives (the TSI portfolio).
    Scenario("portfolio", "secretariat", "/initiatives/"),
    Scenario("portfolio search", "wg.operationel.1", "/initiatives/?q=overv%C3%A5gning"),
    Scenario("implementation matrix", "ciso.midtjylland", "/initiatives/implementation/"),
    Scenario("API initiatives", "secretariat", "/api/v1/initiatives/?page_size=100", "api"),
    # Risk registers (one region's, 2,000 risks at scale 1).
    Scenario("risk register", "ciso.hovedstaden", "/risks/"),
    Scenario("risk register filtered", "ciso.hovedstaden", "/risks/?level=high&status=assessed"),
    Scenario("heatmap", "ciso.hovedstaden", "/risks/heatmap/"),
    Scenario("treatment plan", "riskowner.sjaelland", "/risks/treatments/"),
    Scenario("API risks 100/page", "ciso.hovedstaden", "/api/v1/risks/?page_size=100", "api"),
    Scenario("sector risk picture", "secretariat", "/risks/sector/"),
    # Incidents (incidents/demo.py: seven a region).
    Scenario("incident list", "ciso.hovedstaden", "/incidents/"),
    # Hovedstaden's ransomware, with the NIS2 and GDPR clocks, a timeline and lessons learned.
    Scenario("incident page", "ciso.hovedstaden", "/incidents/{id}/", pick=INCIDENT_PAGE),
    # The secretariat's sector view: sector incidents, the regions affected, the year's counts.
    Scenario("sector incidents", "secretariat", "/incidents/sector/"),
    Scenario("API sector incidents", "secretariat", "/api/v1/sector-incidents/", "api"),
    # Capabilities and maturity.
    Scenario("capabilities overview", "ciso.syddanmark", "/capabilities/"),
    Scenario("sector heatmap", "secretariat", "/capabilities/sector/"),
    Scenario("NIS2 coverage", "ciso.syddanmark", "/capabilities/nis2/"),
    Scenario("assessment list", "ciso.syddanmark", "/capabilities/assessments/"),
    Scenario(
        "API maturity assessments",
        "secretariat",
        "/api/v1/maturity-assessments/?page_size=100",
        "api",
    ),
]
