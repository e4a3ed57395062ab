"""Search every response for another region's confidential text.

The route walk checks status codes; this scan checks what a response *contains*.
``plant_markers`` writes a unique marker into every text field of every object that belongs
to one region (found through each model's access policy, so a new model or a new text field
is covered without editing this module) and into the names of the region's people. ``scan``
then requests every URL pattern and API route — found by ``route_walk.routes`` — as each
client, and reports any response that holds a marker the client may not see:

* GET as a browser (``Accept: text/html``) and as an API client (``application/json``);
* POST with no data (a form re-rendered with its errors), and POST, PUT and PATCH with the
  other region's organisation, objects and people in the body — form-encoded and JSON;
* downloads are read as text: PDFs through ``pdftotext``, spreadsheets unzipped.

The POSTs naming the other region's objects are sent once more with ids and names that exist
nowhere: the two answers must be the same (no existence oracle; ``scan(oracles=False)`` skips
them, for a scan that looks for leaks only). Every request runs inside a transaction that is
rolled back, so a request that does succeed leaves nothing behind.

What is not repeated (``PermissionSets``): a URL is requested once per client (a route with
no object in its path, or naming sector-wide data, has the same URL for both regions). Clients
that the permission layer cannot tell apart for a route — the same objects of the route's
model per action (``restrict``) and the same right to add, the same objects of the other
region per model and action, both signed in or both not — hold one permission set for the
route. A request to the other region's URL, or a write naming its objects, that the set's
first client is *refused* (403, 404, 405: nothing in the answer came from the data) is not
sent again as the others; anything that is answered is sent as every client. Routes without
a model share nothing.

With the ORM filter off (``PORTAL_ORM_RESTRICT``) ``restrict()`` — and so ``can()`` and the
choices — returns whatever the database shows the request's session, so the rights above
(read with the filter on: they still stand for the permission layer's role-based decisions)
are not enough: clients must also look alike to the database — the same rows of every
protected table in their sessions' contexts (``ScanClient.database_view``). A client that
cannot say what the database shows it shares nothing.

What a client may see of the other region is stated by ``may_see``: data the policies declare
sector-readable (``public_read``, the sector read roles) — nothing else.
"""

import io
import json
import re
import subprocess
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import models, transaction
from django.db.models import Max, Model
from django.test import Client, override_settings
from django.urls import reverse

from portal.access import can
from portal.access.actions import Action
from portal.access.policies import OrganisationOwned, ParentPolicy
from portal.access.principal import principal_for
from portal.access.querysets import RestrictedQuerySet
from portal.models import Membership, Organisation
from tests.conftest import verify_second_factor
from tests.security.route_walk import PARAMETER_VALUES, Route, region_b_object, routes

#: Markers look like this (user names in lower case) and nothing else in the portal does.
MARKER_PATTERN = re.compile(r"LKB\d{5}Q", re.IGNORECASE)
#: Text fields shorter than this hold codes (periods, colours, short names), not prose.
MIN_TEXT_LENGTH = 24
#: Every request the scan makes: name, method, content type and Accept header.
POST_FORM = "multipart/form-data"
JSON = "application/json"
#: An id and a name that exist nowhere, for the oracle comparison.
ABSENT_ID = 987_654_321
ABSENT_NAME = "no-such-thing"
#: Answers that refuse before anything of the data is read: shared within a permission set.
REFUSALS = frozenset({403, 404, 405})


@dataclass(frozen=True)
class Marker:
    text: str
    model: type[Model]
    pk: object
    field: str

    def __str__(self) -> str:
        return f"{self.model.__name__}#{self.pk}.{self.field}"


@dataclass
class Planted:
    region: Organisation
    markers: dict[str, Marker] = field(default_factory=dict)
    #: The request-body values that name the region's objects and people, per field name.
    references: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, model: type[Model], pk: object, field_name: str) -> str:
        text = f"LKB{len(self.markers) + 1:05d}Q"
        self.markers[text] = Marker(text, model, pk, field_name)
        return text


def organisation_path(model: type[Model]) -> str | None:
    policy = getattr(model, "access_policy", None)
    return None if policy is None else policy.organisation_path(model)


def _text_fields(model: type[Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.SlugField)
        and not f.choices
        and not f.primary_key
        and (f.max_length is None or f.max_length >= MIN_TEXT_LENGTH)
    ]


def region_models() -> list[type[Model]]:
    """Every model whose objects belong to an organisation, by its access policy."""
    return [
        model
        for model in apps.get_models()
        if organisation_path(model) is not None and not model._meta.proxy
    ]


def plant_markers(region: Organisation) -> Planted:
    """A unique marker in every text field of the region's objects and in its people's names
    (saved through the ORM, so the audit trail records them too)."""
    planted = Planted(region=region)
    for model in region_models():
        fields = _text_fields(model)
        if not fields:
            continue
        for obj in model._default_manager.filter(**{organisation_path(model): region.pk}):
            if getattr(model, "APPEND_ONLY", False):
                # Rows the database refuses to change (an incident's timeline): the markers
                # go into a new row like each.
                _plant_in_a_copy(planted, obj, fields)
                continue
            if getattr(obj, "is_approved", False):
                # A decision on record the model and the database refuse to change (an
                # approved version of the acceptance criteria): the markers go into a new
                # version like it, approved as well.
                _plant_in_a_copy(
                    planted,
                    obj,
                    fields,
                    number=_next_number(model, organisation_path(model), region),
                )
                continue
            for f in fields:
                setattr(obj, f.attname, planted.add(model, obj.pk, f.name))
            obj.save(update_fields=[f.attname for f in fields])
    user_model = get_user_model()
    own_only = Membership.objects.exclude(organisation=region).values("user_id")
    for person in user_model.objects.filter(memberships__organisation=region).exclude(
        pk__in=own_only
    ):
        person.username = planted.add(user_model, person.pk, "username").lower()
        person.first_name = planted.add(user_model, person.pk, "first_name")
        person.last_name = planted.add(user_model, person.pk, "last_name")
        person.email = f"{planted.add(user_model, person.pk, 'email')}@example.org"
        person.save()
    planted.references = _references(region)
    return planted


def _plant_in_a_copy(
    planted: Planted, obj: Model, fields: list[models.Field], **values: object
) -> None:
    """Markers in every text field of a new row like ``obj`` (with ``values`` besides), for
    rows that are never changed once written."""
    texts = {f.attname: planted.add(type(obj), None, f.name) for f in fields}
    obj.pk = None
    obj._state.adding = True
    for attname, value in {**values, **texts}.items():
        setattr(obj, attname, value)
    obj.save()
    for text in texts.values():
        planted.markers[text] = replace(planted.markers[text], pk=obj.pk)


def _next_number(model: type[Model], path: str, region: Organisation) -> int:
    numbers = model._default_manager.filter(**{path: region.pk}).aggregate(top=Max("number"))
    return (numbers["top"] or 0) + 1


def region_object(model: type[Model], region: Organisation) -> Model | None:
    """One of the region's objects of ``model`` (for sector-wide data, any one)."""
    path = organisation_path(model)
    if path is None:
        return region_b_object(model, region)
    return model._default_manager.filter(**{path: region.pk}).order_by("pk").first()


def _references(region: Organisation) -> dict[str, tuple[str, str]]:
    """For every relation name a form or serializer may take: the value that names one of the
    region's objects (form-encoded, JSON) — an organisation by pk in forms and by slug in the
    API, a person by pk and by user name, anything else by pk."""
    references = {"organisation": (str(region.pk), region.slug)}
    person = get_user_model().objects.filter(memberships__organisation=region).first()
    for model in apps.get_models():
        for relation in model._meta.get_fields():
            if not (relation.is_relation and relation.concrete) or relation.name in references:
                continue
            target = relation.related_model
            if target is get_user_model() and person is not None:
                references[relation.name] = (str(person.pk), person.username)
            elif target is not Organisation and organisation_path(target) is not None:
                obj = region_object(target, region)
                if obj is not None:
                    references[relation.name] = (str(obj.pk), str(obj.pk))
    return references


def may_see(client_user, marker: Marker) -> bool:
    """The stated rule: another region's text is visible only where its model's policy
    declares it sector-readable — to every signed-in user (``public_read``), or to the sector
    read roles (e.g. the TSI secretariat reading approved maturity campaigns), or to whoever
    may take one of its ``named_reads``' named actions."""
    if client_user is None or marker.model is get_user_model():
        return False
    principal = principal_for(client_user)
    model, pk = marker.model, marker.pk
    policy = model.access_policy
    while isinstance(policy, ParentPolicy):
        parent_field = model._meta.get_field(policy.field)
        pk = model._default_manager.filter(pk=pk).values_list(parent_field.attname, flat=True)[0]
        model = parent_field.related_model
        policy = model.access_policy
    if not isinstance(policy, OrganisationOwned):
        return False
    if policy.public_read:
        return True
    if any(
        can(client_user, name) and model._default_manager.filter(rule, pk=pk).exists()
        for name, rule in policy.named_reads
    ):
        return True
    if principal.has_any_role(policy.sector_read_roles):
        rule = policy.sector_read_filter
        return rule is None or model._default_manager.filter(rule, pk=pk).exists()
    return False


def response_text(response) -> str:
    """What a person or a program reads in a response: PDFs and spreadsheets as text."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        result = subprocess.run(
            ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
        )
        return result.stdout.decode()
    if body[:2] == b"PK":  # an Office Open XML file: every part, as text
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                archive.read(name).decode(errors="replace") for name in archive.namelist()
            )
    return body.decode(errors="replace")


@dataclass
class Finding:
    request: str
    client: str
    leaked: list[str]

    def __str__(self) -> str:
        return f"{self.request} as {self.client} shows {', '.join(self.leaked)}"


@dataclass
class ScanReport:
    leaks: list[Finding] = field(default_factory=list)
    oracles: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    requests: int = 0
    #: Requests not sent again: refused to another client of the same permission set.
    shared: int = 0
    #: PDFs read as text (a scan that never met one could not see a leaking report).
    documents: int = 0
    covered: set[str] = field(default_factory=set)


@dataclass
class ScanClient:
    name: str
    client: Client
    user: object  # None for anonymous

    def request(self, method: str, url: str, *, data=None, content_type=None, accept=JSON):
        kwargs = {"HTTP_ACCEPT": accept}
        if data is not None:
            kwargs["data"] = data
        if content_type == JSON:
            kwargs["data"] = json.dumps(data or {})
            kwargs["content_type"] = JSON
        with transaction.atomic():
            response = getattr(self.client, method)(url, **kwargs)
            transaction.set_rollback(True)
        if self.user is not None and SESSION_KEY not in self.client.session:
            self.sign_in()  # the request ended the session (signing out, a new sign-in)
        return response

    def sign_in(self) -> None:
        self.client.force_login(self.user)
        verify_second_factor(self.client, self.user)

    def database_view(self) -> tuple | None:
        """The primary keys of every protected table that the database shows this client's
        requests, or None when the client cannot tell (the ORM alone filters them)."""
        return None


_ERROR_MESSAGES = re.compile(
    r'class="[^"]*(?:form-error-message|alert-error|errorlist)[^"]*"[^>]*>(.*?)</(?:span|div|ul|p)>',
    re.DOTALL,
)


def _answer(response, replacements: Iterable[tuple[str, str]]) -> tuple[int, str]:
    """What an answer tells the caller: its status and its messages (the JSON body, or the
    error messages of an HTML page), with the ids and names that were sent neutralised —
    so that the answers to two bodies compare equal when they say the same."""
    if response.status_code < 400:
        return response.status_code, ""  # a success echoes the object (its time stamps)
    text = response.content.decode(errors="replace")
    if not response.get("Content-Type", "").startswith("application/json"):
        text = "\n".join(_ERROR_MESSAGES.findall(text))
    for value, neutral in replacements:
        text = text.replace(value, neutral)
    return response.status_code, text


def _url(route: Route, region: Organisation) -> str | None:
    kwargs = {}
    for parameter in route.parameters:
        model = route.model_for(parameter)
        if model is not None:
            obj = region_object(model, region)
            if obj is None:
                return None
            lookup_field = getattr(route.view, "lookup_field", None)
            if (
                parameter == route.lookup
                and lookup_field
                and hasattr(route.view, "lookup_url_kwarg")
            ):
                kwargs[parameter] = str(getattr(obj, lookup_field))
            elif parameter in ("slug", "code"):
                kwargs[parameter] = str(getattr(obj, parameter))
            else:
                kwargs[parameter] = str(obj.pk)
        elif parameter in PARAMETER_VALUES:
            kwargs[parameter] = PARAMETER_VALUES[parameter]
        else:
            return None
    return reverse(route.name, kwargs=kwargs)


def _restricted_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy and isinstance(model._default_manager.all(), RestrictedQuerySet)
    ]


def _rights(user, model: type[Model], **narrowed) -> tuple:
    """What the permission layer lets ``user`` do with ``model``'s objects (those matching
    ``narrowed``): the primary keys per action."""
    objects = model._default_manager.filter(**narrowed)
    return tuple(
        frozenset(objects.restrict(user, action).values_list("pk", flat=True)) for action in Action
    )


def _orm_filter_on() -> override_settings:
    """The permission layer's own answers, also while a test has switched ``restrict()`` off."""
    return override_settings(PORTAL_ORM_RESTRICT=True)


def _may_add(user, model: type[Model]) -> bool:
    """Whether ``user`` may add an object of ``model`` in some organisation."""
    principal = principal_for(user)
    return principal.is_authenticated and (
        principal.is_sector_admin or model.access_policy.may_add(principal, model)
    )


class PermissionSets:
    """Which clients the permission layer cannot tell apart, per route (module docstring)."""

    def __init__(self, clients: list["ScanClient"], other_region: Organisation) -> None:
        self.clients = clients
        views: dict[str, tuple | None] = {}
        if not settings.PORTAL_ORM_RESTRICT:
            # restrict() returns what the database shows each request: the clients must look
            # alike to the database too, and each must say what it shows them.
            views = {scan_client.name: scan_client.database_view() for scan_client in clients}
        self.enabled = len(clients) > 1 and None not in views.values()
        self._models = set(_restricted_models()) if self.enabled else set()
        self._model_rights: dict[tuple[str, type[Model]], tuple] = {}
        self._base: dict[str, tuple] = {}
        for scan_client in clients if self.enabled else ():
            principal = principal_for(scan_client.user)
            with _orm_filter_on():
                other = tuple(
                    _rights(scan_client.user, model, **{organisation_path(model): other_region.pk})
                    for model in region_models()
                    if model in self._models
                )
            self._base[scan_client.name] = (
                principal.is_authenticated,
                principal.is_sector_admin,
                other,
                views.get(scan_client.name),
            )

    def leader(self, route: Route, scan_client: "ScanClient") -> "ScanClient | None":
        """The first client of ``scan_client``'s permission set for ``route``, when that is
        another client (whose refusals then stand for this one)."""
        if not self.enabled or route.model not in self._models:
            return None
        key = self._key(route.model, scan_client)
        for other in self.clients:
            if other is scan_client:
                return None
            if self._key(route.model, other) == key:
                return other
        return None

    def _key(self, model: type[Model], scan_client: "ScanClient") -> tuple:
        cache_key = (scan_client.name, model)
        if cache_key not in self._model_rights:
            with _orm_filter_on():
                self._model_rights[cache_key] = (
                    *_rights(scan_client.user, model),
                    _may_add(scan_client.user, model),
                )
        return (self._base[scan_client.name], self._model_rights[cache_key])


def scan(
    *,
    planted: Planted,
    own_region: Organisation,
    clients: list[ScanClient],
    only: Callable[[Route], bool] = lambda route: True,
    oracles: bool = True,
) -> ScanReport:
    report = ScanReport()
    form_refs = {name: ref[0] for name, ref in planted.references.items()}
    json_refs = {name: ref[1] for name, ref in planted.references.items()}
    absent_form = {name: str(ABSENT_ID) for name in form_refs}
    absent_json = {
        name: (str(ABSENT_ID) if value.isdigit() else ABSENT_NAME)
        for name, value in json_refs.items()
    }
    # Many-valued relations take a list in JSON; a scalar is an error for them, a list for the
    # others — both variants are sent, so each field meets its own shape once.
    json_list_refs = {name: [value] for name, value in json_refs.items()}
    absent_json_list = {name: [value] for name, value in absent_json.items()}
    # The ids and names sent are echoed in the answers ("Invalid pk "970001""): neutralise
    # them, longest first, so that the two answers compare equal when they say the same.
    sent = {str(ABSENT_ID), ABSENT_NAME, *form_refs.values(), *json_refs.values()}
    replacements = [(value, "REF") for value in sorted(sent, key=len, reverse=True)]

    permission_sets = PermissionSets(clients, planted.region)
    for route in routes():
        if route.name.startswith("admin:") or not only(route):
            continue
        if "format" in route.parameters:
            # ``/api/v1/risks.json`` is ``/api/v1/risks/`` with ``Accept: application/json``,
            # which the scan sends anyway (the route walk requests the suffixed routes too).
            continue
        targets = []
        for region in (own_region, planted.region):
            url = _url(route, region)
            # No object in the path, or sector-wide objects: one URL for both regions.
            if url is not None and url not in (seen for _region, seen in targets):
                targets.append((region, url))
        if not targets:
            report.uncovered.append(str(route))
            continue
        report.covered.add(route.name)
        for region, url in targets:
            #: (client, request) -> refused: what the other clients of its permission set skip
            refused: dict[tuple[str, tuple], bool] = {}
            for scan_client in clients:
                leader = permission_sets.leader(route, scan_client)

                requests = [("get", None, None, "text/html"), ("get", None, None, JSON)]
                if region == own_region and "post" in route.methods:
                    requests.append(("post", {}, None, "text/html"))
                for method, data, content_type, accept in requests:
                    request = (method, accept, data is not None)
                    if region != own_region and _shared(report, refused, leader, request):
                        continue
                    response = _check(
                        report, scan_client, route, method, url, data, content_type, accept, planted
                    )
                    refused[scan_client.name, request] = response.status_code in REFUSALS
                if region != own_region:
                    continue
                writes = [m for m in ("post", "put", "patch") if m in route.methods]
                for method in writes:
                    pairs = []
                    if method == "post":  # a browser's form posts
                        pairs.append(
                            ((form_refs, None, "text/html"), (absent_form, None, "text/html"))
                        )
                    if route.model is not None or method == "post":
                        pairs += [
                            ((json_refs, JSON, JSON), (absent_json, JSON, JSON)),
                            ((json_list_refs, JSON, JSON), (absent_json_list, JSON, JSON)),
                        ]
                    for index, ((data, content_type, accept), (absent, _ct, _acc)) in enumerate(
                        pairs
                    ):
                        request = (method, "write", index)
                        if _shared(report, refused, leader, request):
                            continue
                        named = _check(
                            report,
                            scan_client,
                            route,
                            method,
                            url,
                            data,
                            content_type,
                            accept,
                            planted,
                        )
                        refused[scan_client.name, request] = named.status_code in REFUSALS
                        if not oracles:
                            continue
                        nowhere = scan_client.request(
                            method, url, data=absent, content_type=content_type, accept=accept
                        )
                        report.requests += 1
                        refused[scan_client.name, request] &= nowhere.status_code in REFUSALS
                        if _answer(named, replacements) != _answer(nowhere, replacements):
                            report.oracles.append(
                                f"{method.upper()} {url} ({content_type or 'form'}) as "
                                f"{scan_client.name}: {named.status_code} naming region B's "
                                f"objects, {nowhere.status_code} naming none"
                            )
    return report


def scan_urls(*, planted: Planted, clients: list["ScanClient"], urls: list[str]) -> ScanReport:
    """GET each of ``urls`` as every client, as a browser and as an API client, and report
    the markers an answer holds that the client may not see — as ``scan`` does, for what its
    walk does not reach: the sector's report editions, whose URLs name no region's object."""
    report = ScanReport()
    for url in urls:
        for scan_client in clients:
            for accept in ("text/html", JSON):
                _check(report, scan_client, None, "get", url, None, None, accept, planted)
    return report


def _shared(report: ScanReport, refused: dict, leader: "ScanClient | None", request) -> bool:
    """Whether the request was refused to the first client of the permission set."""
    if leader is not None and refused.get((leader.name, request), False):
        report.shared += 1
        return True
    return False


def _check(report, scan_client, route, method, url, data, content_type, accept, planted):
    response = scan_client.request(method, url, data=data, content_type=content_type, accept=accept)
    report.requests += 1
    label = f"{method.upper()} {url} ({accept})"
    if response.status_code >= 500:
        report.errors.append(f"{label} as {scan_client.name}: {response.status_code}")
        return response
    text = response_text(response)
    if response.get("Content-Type", "").startswith("application/pdf"):
        report.documents += 1
    # A value the request itself sent (a user name in the body) may be echoed in its error
    # message: that tells the caller nothing they did not know.
    sent = {match.group(0).upper() for match in MARKER_PATTERN.finditer(json.dumps(data))}
    found = {match.group(0).upper() for match in MARKER_PATTERN.finditer(text)} - sent
    leaked = sorted(
        str(planted.markers[text])
        for text in found
        if text in planted.markers and not may_see(scan_client.user, planted.markers[text])
    )
    if leaked:
        report.leaks.append(Finding(label, scan_client.name, leaked))
    return response
