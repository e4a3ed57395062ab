"""Walk every URL pattern and ask it for region B's objects as a region-A user.

``routes(urlconf)`` lists every pattern (Django's resolver, recursively: the apps' URLs, the
DRF router's routes and actions, format suffixes). For each path parameter the walker finds a
region-B object of the right model — the view's ``queryset``/``model`` for its lookup, a
named parent otherwise — and ``walk`` requests the route with every method it allows. An
object-scoped route must answer 403, 404 or 405 and change nothing in the database; a route
that is readable by everyone (sector-wide data) may answer GET. Routes without an object in
their path must be allow-listed, and their GET must not show region B's risks.

``walk`` returns the violations and the routes it could not cover, so that the test suite
can also show it catching a route that forgets the permission layer.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from capabilities.models import MaturityAssessment
from incidents.models import Incident
from initiatives.models import Initiative, WorkingGroup
from portal.models import DashboardVisit, Organisation
from reports.models import ReportRun
from risks.models import Risk, TreatmentAction

REFUSED = {403, 404, 405}
METHODS = ("get", "head", "post", "put", "patch", "delete")

#: Path parameters that do not name the view's own object: the model they name, per route
#: (or for any route when the key is just the parameter).
PARAMETER_MODELS: dict[str, type[Model]] = {
    "initiatives:deliverable_add slug": WorkingGroup,
    "risks:attack_surface slug": Organisation,
    "risks:attack_surface_add slug": Organisation,
    # The region sharing a joint risk's system that names its risk owners (risks.views.joint).
    "risks:risk_joint_owners slug": Organisation,
    "dashboard_region slug": Organisation,
    "risks:criteria_region slug": Organisation,
    "risks:criteria_draft slug": Organisation,
    "risks:risk_accept pk": Risk,
    "reports:run_pdf pk": ReportRun,
    "reports:run_preview pk": ReportRun,
    "initiatives:status_update_add pk": Initiative,
    "capabilities:assessment_discipline pk": MaturityAssessment,
    "capabilities:assessment_transition pk": MaturityAssessment,
    "initiative": Initiative,
    "initiative_pk": Initiative,
    "risk": Risk,
    "incidents:submission_add incident": Incident,
    # The timeline's and the lessons' routes name their incident (incidents.timeline_views).
    "incident": Incident,
}
#: Path parameters that name no object, with a value that reaches the view.
PARAMETER_VALUES = {
    "format": "json",
    "kind": "risks",
    "code": "detect",
    "transition": "submit",
    "stage": "nis2_early_warning",
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    parameters: tuple[str, ...]
    view: Any  # the view class (Django or DRF), or the function
    methods: tuple[str, ...]
    lookup: str | None  # the parameter that names the view's own object
    model: type[Model] | None  # the model of the view's objects

    def __str__(self) -> str:
        return f"{self.name} ({self.pattern})"

    def model_for(self, parameter: str) -> type[Model] | None:
        for key in (f"{self.name} {parameter}", parameter):
            if key in PARAMETER_MODELS:
                return PARAMETER_MODELS[key]
        return self.model if parameter == self.lookup else None


@dataclass
class Report:
    violations: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)


def _view_facts(callback) -> tuple[Any, tuple[str, ...], str | None, type[Model] | None]:
    actions = getattr(callback, "actions", None)
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return callback, ("get", "post"), None, None
    queryset = getattr(view, "queryset", None)
    model = queryset.model if queryset is not None else getattr(view, "model", None)
    if actions is not None:  # a DRF viewset route: the methods are its actions
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        return view, tuple(actions), lookup, model
    methods = tuple(method for method in METHODS if hasattr(view, method))
    lookup = None
    if hasattr(view, "pk_url_kwarg"):
        lookup = "pk"
    return view, methods, lookup, model


def routes(urlconf: str | None = None) -> Iterator[Route]:
    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                namespace = (entry.namespace,) if entry.namespace else ()
                yield from walk(entry, prefix + str(entry.pattern), namespaces + namespace)
                continue
            assert isinstance(entry, URLPattern)
            pattern = prefix + str(entry.pattern)
            name = ":".join((*namespaces, entry.name or pattern))
            parameters = tuple(
                sorted(
                    set(re.findall(r"\(\?P<(\w+)>", pattern))
                    | set(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
                    | set(entry.pattern.regex.groupindex)
                )
            )
            view, methods, lookup, model = _view_facts(entry.callback)
            if lookup is not None and lookup not in parameters:
                # e.g. a slug-addressed view: its own object is the one slug-like parameter
                slugs = [p for p in parameters if p not in PARAMETER_VALUES]
                lookup = slugs[0] if len(slugs) == 1 else None
            yield Route(name, pattern, parameters, view, methods, lookup, model)

    yield from walk(get_resolver(urlconf), "", ())


def region_b_object(model: type[Model], region_b: Organisation) -> Model | None:
    """An object of ``model`` that belongs to region B, or for sector-wide data any one."""
    if model is Organisation:
        return region_b
    if model is get_user_model():
        # A person of region B (a user is nobody's data but a membership says whose they are).
        return (
            model._default_manager.filter(memberships__organisation=region_b).order_by("pk").first()
        )
    if model is TreatmentAction:
        return TreatmentAction.objects.filter(risk__organisation=region_b).first()
    names = {f.name for f in model._meta.get_fields()}
    if "organisation" in names:
        return model._default_manager.filter(organisation=region_b).order_by("pk").first()
    return model._default_manager.order_by("pk").first()


def _path_value(obj: Model, parameter: str, route: Route) -> str:
    """How the route names ``obj``: a DRF lookup field, a slug or code, or the primary key."""
    lookup_field = getattr(route.view, "lookup_field", None)
    if parameter == route.lookup and lookup_field and hasattr(route.view, "lookup_url_kwarg"):
        return str(getattr(obj, lookup_field))
    if parameter in ("slug", "code"):
        return str(getattr(obj, parameter))
    return str(obj.pk)


#: Per-user bookkeeping a page view writes, not governance data: sessions, when the user last
#: looked at a region's dashboard ("changed since your last visit"), and the user's own
#: authenticator while /mfa/enrol/ sets it up (unconfirmed until its first code).
BOOKKEEPING = (Session, DashboardVisit, TOTPDevice)


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model not in BOOKKEEPING and not model._meta.proxy
    )


def row_counts() -> dict[str, int]:
    """Rows per table (sessions aside), in one query: cheap enough to take around each route.
    Audited models also write an audit entry on every change, which adds a row."""
    tables = _tables()
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM {quote(table)}"  # noqa: S608 — table names
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def checksums() -> dict[str, int]:
    """Every row of every table (sessions aside), hashed: taken before and after the walk."""
    sums = {}
    for model in apps.get_models(include_auto_created=True):
        if model in BOOKKEEPING or model._meta.proxy:
            continue
        rows = model._base_manager.order_by("pk")
        if model is LogEntry:
            # A served export is recorded as a read (portal.audit.reads): a record of the
            # request, not a change of data.
            rows = rows.exclude(action=LogEntry.Action.ACCESS)
        sums[model._meta.db_table] = hash(repr(list(rows.values_list())))
    return sums


def _changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))


def walk(
    *,
    region_b: Organisation,
    clients: dict[str, Client],
    forbidden: list[str],
    public_reads: dict[str, str],
    not_object_scoped: dict[str, str],
    urlconf: str | None = None,
    only: Callable[[Route], bool] = lambda route: True,
    readable: Callable[[Model], bool] = lambda obj: False,
) -> Report:
    """Request every route as every client; see the module's docstring for the rules.
    ``readable(obj)``: objects every client may read — with the ORM's filter off, those the
    database shows them (shared, or sector-readable): their routes may answer any method,
    as long as nothing changes and nothing fails."""
    report = Report()
    before_walk = checksums()
    for route in routes(urlconf):
        if route.name.startswith("admin:") or not only(route):
            continue  # Django's admin: see the test's allow-list
        kwargs: dict[str, str] = {}
        objects = []
        unmapped = []
        for parameter in route.parameters:
            model = route.model_for(parameter)
            if model is not None:
                obj = region_b_object(model, region_b)
                if obj is None:
                    unmapped.append(f"{parameter} (no {model.__name__} in region B)")
                    continue
                objects.append(obj)
                kwargs[parameter] = _path_value(obj, parameter, route)
            elif parameter in PARAMETER_VALUES:
                kwargs[parameter] = PARAMETER_VALUES[parameter]
            else:
                unmapped.append(parameter)
        if unmapped:
            report.uncovered.append(f"{route}: cannot map {', '.join(unmapped)}")
            continue
        try:
            url = reverse(route.name, kwargs=kwargs, urlconf=urlconf)
        except Exception as error:  # a pattern the walker cannot build is a finding too
            report.uncovered.append(f"{route}: cannot build a URL ({error})")
            continue
        if not objects:
            if route.name not in not_object_scoped:
                report.uncovered.append(f"{route}: no object in its path and not allow-listed")
                continue
            for role, client in clients.items():
                response = client.get(url)
                if response.status_code >= 500:
                    report.violations.append(f"GET {url} as {role}: {response.status_code}")
                body = response.content.decode("utf-8", errors="replace")
                shown = [marker for marker in forbidden if marker in body]
                if shown:
                    report.violations.append(f"GET {url} as {role} shows region B's {shown}")
            report.covered.add(route.name)
            continue
        before = row_counts()
        shown = all(readable(obj) for obj in objects)
        for role, client in clients.items():
            for method in route.methods:
                response = getattr(client, method)(url, content_type="application/json")
                status = response.status_code
                if shown or (method in ("get", "head") and route.name in public_reads):
                    if status >= 500:
                        report.violations.append(f"GET {url} as {role}: {status}")
                    continue
                if status not in REFUSED:
                    report.violations.append(
                        f"{method.upper()} {url} as {role}: {status}, not 403/404/405"
                    )
        changed = _changed(before, row_counts())
        if changed:
            report.violations.append(f"{url}: refused requests changed {changed}")
        report.covered.add(route.name)
    changed = _changed(before_walk, checksums())
    if changed:
        report.violations.append(f"the walk's refused requests changed rows of {changed}")
    return report
