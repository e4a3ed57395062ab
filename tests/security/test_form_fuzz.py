"""Every HTML form, found by itself, answers hostile input with a page, never a server error.

The walk takes every URL pattern (``route_walk.routes``), fills its path with region A's
objects, and GETs it as the sector administrator, who may open every form. Every ``POST`` form
in the page — add and edit forms, deletions, transitions, imports, requests — is then sent
values chosen to break things: numbers beyond 64 bits, negative and non-numeric numbers,
impossible dates, oversized text, control characters, markup, choices that are not offered.
First all fields at once, then each field alone with the page's own values around it, so
that a hostile value also reaches the checks behind the first invalid field. Each request
runs in a savepoint that is rolled back: every form meets the same data.

The values are a fixed list and each field takes them in turn (no randomness): a failure is
reproduced by running the test again. Bounded by ``MAX_FIELDS_ALONE`` per form.
"""

import itertools
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from portal.integer_bounds import INT64_MAX
from tests.sector import make_sector
from tests.security.route_walk import PARAMETER_VALUES, region_b_object, routes

#: Hostile values, in the order fields take them.
HOSTILE = [
    str(INT64_MAX + 1),
    "-9223372036854775809",
    "-1",
    "1e309",
    "NaN",
    "9999-99-99",
    "0000-00-00",
    "x" * 20_000,
    "\x00\x01\x1b[31m",
    "<script>alert(1)</script>{{ 7*7 }}' OR 1=1 --",
    "\u202e\ufeff\U0001f4a3",
    "",
]
#: Fields sent alone (the rest as the page filled them in) per form, at most.
MAX_FIELDS_ALONE = 6
#: Forms whose action ends the session or only changes the language of the page.
SKIPPED_ACTIONS = ("/logout/", "/i18n/")
#: Routes not walked: Django's admin (its own forms), the API (fuzzed from its schema in
#: test_api_fuzz), single sign-on (answers the identity provider).
SKIPPED_ROUTES = ("admin:", "api:", "api-", "oidc_")


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> the page's value
    options: dict[str, list[str]] = field(default_factory=dict)  # select name -> values
    files: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """The POST forms of a page: their action, fields, values and offered options."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            if (attributes.get("method") or "get").lower() == "post":
                action = attributes.get("action") or self.url
                self.form = Form(action=urljoin(self.url, action))
            return
        if self.form is None or not attributes.get("name"):
            if tag == "option" and self.form is not None and self.select:
                self.form.options[self.select].append(attributes.get("value") or "")
            return
        name = attributes["name"]
        if name == "csrfmiddlewaretoken":
            return
        kind = (attributes.get("type") or "text").lower()
        if tag == "input" and kind == "file":
            self.form.files.append(name)
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attributes or name not in self.form.fields:
                self.form.fields[name] = attributes.get("value") or "on"
        elif tag == "input" and kind not in ("submit", "button", "reset", "image"):
            self.form.fields[name] = attributes.get("value") or ""
        elif tag == "textarea":
            self.form.fields[name] = ""
            self.textarea = name
        elif tag == "select":
            self.form.fields.setdefault(name, "")
            self.form.options[name] = []
            self.select = name

    def handle_data(self, data):
        if self.form is not None and self.textarea:
            self.form.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select":
            if self.form is not None and self.select and not self.form.fields[self.select]:
                offered = [value for value in self.form.options[self.select] if value]
                self.form.fields[self.select] = offered[0] if offered else ""
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_pages(region) -> list[str]:
    """Every page URL the walk can build with region A's objects (the rest cannot be built)."""
    urls = []
    for route in routes():
        if route.name.startswith(SKIPPED_ROUTES) or "get" not in route.methods:
            continue
        kwargs = {}
        for parameter in route.parameters:
            model = route.model_for(parameter)
            if model is not None:
                obj = region_b_object(model, region)  # "region B" is whichever region is given
                if obj is None:
                    break
                kwargs[parameter] = str(
                    getattr(obj, parameter) if parameter in ("slug", "code") else obj.pk
                )
            elif parameter in PARAMETER_VALUES:
                kwargs[parameter] = PARAMETER_VALUES[parameter]
            else:
                break
        else:
            try:
                urls.append(reverse(route.name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    return sorted(set(urls))


def variants(form: Form) -> list[tuple[dict[str, str], dict[str, SimpleUploadedFile]]]:
    names = sorted(form.fields)
    cycle = itertools.cycle(HOSTILE)
    everything = [
        {name: HOSTILE[(offset + i) % len(HOSTILE)] for i, name in enumerate(names)}
        for offset in range(0, len(HOSTILE), 4)
    ]
    alone = [{**form.fields, name: next(cycle)} for name in names[:MAX_FIELDS_ALONE]]
    files = {
        name: SimpleUploadedFile("x.xlsx", b"PK\x03\x04" + b"\x00" * 64) for name in form.files
    }
    return [(data, files) for data in everything + alone]


def test_no_html_form_answers_hostile_input_with_a_server_error(personas, settings):
    settings.DEBUG = False
    make_sector(personas)
    failures, forms_seen, errors = [], set(), []

    def remember(**kwargs) -> None:
        error = sys.exc_info()[1]
        errors.append(f"{type(error).__name__}: {str(error)[:200]}")

    got_request_exception.connect(remember, dispatch_uid="form-fuzz")
    pages = form_pages(personas.region_a)
    user = personas.admin  # authorised for every form
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for url in pages:
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        parser = FormParser(url)
        parser.feed(page.content.decode("utf-8", errors="replace"))
        for form in parser.forms:
            path = urlsplit(form.action).path
            key = (path, tuple(sorted(form.fields)))
            if path.startswith(SKIPPED_ACTIONS) or key in forms_seen:
                continue
            forms_seen.add(key)
            for data, files in variants(form):
                with transaction.atomic():
                    response = client.post(form.action, {**data, **files})
                    transaction.set_rollback(True)
                if response.status_code >= 500:
                    field = next(
                        (name for name in data if data[name] != form.fields.get(name)), "all"
                    )
                    error = errors[-1] if errors else ""
                    failures.append(
                        f"POST {form.action} as {user} ({field}): {response.status_code} {error}"
                    )
                client.force_login(user)  # in case a form ended the session
    got_request_exception.disconnect(dispatch_uid="form-fuzz")
    assert len(forms_seen) >= 10, forms_seen  # the walk found the forms
    assert failures == [], "\n".join(failures)
