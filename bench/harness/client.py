"""Browser-like HTTP clients on loopback: sessions, cookies, signing in by form or token."""

import http.client
import re
import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode

from scenarios import Scenario

from .common import HOST, BenchError
from .environment import api_token

REQUEST_TIMEOUT = 60.0  # per request (gunicorn kills a worker after 30 s anyway)


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    location: str | None
    headers: dict[str, str] = field(default_factory=dict)


class Session:
    """One browser-like client: its own connection and cookies.

    With DEBUG off the session and CSRF cookies are ``Secure``; http.cookiejar would refuse
    to send them over plain http on loopback, so cookies are kept here, by name.
    """

    def __init__(self, port: int, *, accept: str = "text/html"):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.headers = {"Accept": accept, "User-Agent": "portal-bench/1"}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        all_headers = dict(self.headers)
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request reconnects
            raise
        seconds = time.perf_counter() - started
        if response.will_close:
            self.connection.close()  # gunicorn's sync workers close after each response
        for header in response.msg.get_all("Set-Cookie") or []:
            self._store_cookie(header)
        return Response(
            response.status,
            data,
            seconds,
            response.getheader("Location"),
            dict(response.getheaders()),
        )

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def _store_cookie(self, header: str) -> None:
        cookie = SimpleCookie()
        try:
            cookie.load(header)
        except CookieError:
            return
        for name, morsel in cookie.items():
            if morsel["max-age"] in ("0", 0) or morsel.value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def clone(self) -> "Session":
        """The same signed-in user on a connection of its own (for concurrent requests)."""
        twin = Session(self.port)
        twin.cookies = dict(self.cookies)
        twin.headers = dict(self.headers)
        return twin

    def close(self) -> None:
        self.connection.close()


_CSRF_INPUT = re.compile(rb"<input[^>]*name=[\"']csrfmiddlewaretoken[\"'][^>]*>", re.I)
_VALUE = re.compile(rb"value=[\"']([^\"']+)[\"']", re.I)


def login_html(port: int, username: str, password: str) -> Session:
    """Logs in through the login form like a browser; the session cookie is kept."""
    session = Session(port)
    origin = f"http://{HOST}:{port}"
    page = session.get("/login/")
    if page.status != 200:
        raise BenchError(f"GET /login/ answered {page.status}")
    field_match = _CSRF_INPUT.search(page.body)
    value_match = _VALUE.search(field_match.group(0)) if field_match else None
    if value_match is None or "csrftoken" not in session.cookies:
        raise BenchError("the login page carries no CSRF token or csrftoken cookie")
    form = urlencode(
        {
            "csrfmiddlewaretoken": value_match.group(1).decode(),
            "username": username,
            "password": password,
            "next": "",
        }
    ).encode()
    answer = session.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{origin}/login/",
            "Origin": origin,
        },
    )
    if answer.status != 302 or "sessionid" not in session.cookies:
        raise BenchError(f"logging in as {username} failed (HTTP {answer.status})")
    return session


def login_api(port: int, username: str, env: dict) -> Session:
    """Token authentication with a personal API token: ``Authorization: Bearer …``."""
    session = Session(port, accept="application/json")
    session.headers["Authorization"] = f"Bearer {api_token(env, username)}"
    return session


def open_session(port: int, scenario: Scenario, password: str, env: dict) -> Session:
    if scenario.user is None:
        return Session(port, accept="application/json" if scenario.kind == "api" else "text/html")
    if scenario.kind == "api":
        return login_api(port, scenario.user, env)
    return login_html(port, scenario.user, password)
