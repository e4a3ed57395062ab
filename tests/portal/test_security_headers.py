"""Security headers: a Content-Security-Policy without unsafe-inline, no framing, a strict
referrer policy, COOP, HSTS in production; the portal's own 500 page, never Django's debug page."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

BASE_DIR = Path(django_settings.BASE_DIR)


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (piece.strip() for piece in header.split(";"))
        if part
    }


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [(None, "login"), ("ciso_a", "home"), ("ciso_a", "api-docs"), ("ciso_a", "risks:risk_list")],
)
def test_pages_carry_the_security_headers(personas, client_as, persona, url_name):
    user = personas.by_name(persona) if persona else None
    response = client_as(user).get(reverse(url_name))
    assert response.status_code == 200
    policy = directives(response)
    assert policy == {
        "default-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_swagger_ui_has_no_inline_script_or_style(personas, client_as):
    client = client_as(personas.ciso_a)
    page = client.get(reverse("api-docs"))
    html = page.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html and " style=" not in html
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_hsts_is_sent_over_https_when_configured(settings, db, client):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_an_error_shows_the_portals_own_500_page_not_a_debug_page(settings, db):
    settings.ROOT_URLCONF = "tests.portal.crashing_urls"
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/crash/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "Traceback" not in html and "a bug" not in html and "RuntimeError" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]


_COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)
_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=\s*[\"']", re.IGNORECASE
)


def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    # The PDF templates too: a report's preview shows them in the browser. SVG charts are
    # drawn inside pages as well.
    templates = sorted(
        path for pattern in ("*.html", "*.svg") for path in (BASE_DIR / "templates").rglob(pattern)
    )
    assert templates
    problems = [
        f"{path.relative_to(BASE_DIR)}: {match.group(0)!r}"
        for path in templates
        for match in _INLINE.finditer(_COMMENTS.sub("", path.read_text(encoding="utf-8")))
    ]
    assert not problems, "inline code the Content-Security-Policy would block:\n" + "\n".join(
        problems
    )
