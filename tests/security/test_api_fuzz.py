"""The API fuzzed from its own OpenAPI schema, in-process, as a user of each role.

Schemathesis generates requests (valid and invalid) for every operation of ``/api/schema/``
and sends them to the WSGI application with the user's token. Every response must be free
of server errors and conform to the schema; and no response to a region-A user may hold a
trace of region B's risks (their marker titles and ids, see ``tests/sector.py``).

Each example runs in a savepoint that is rolled back, so every request meets the same data,
and Hypothesis is derandomised: a failure in CI is reproduced by running the test again.
"""

import contextlib
import io
import re
import traceback
import zipfile
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.factories import api_token_for
from tests.sector import make_sector

pytestmark = pytest.mark.fuzz

#: Examples per operation and generation mode, each sent as every role. Generating them is
#: the expensive part: with ~115 operations and both modes this takes 1–1.5 minutes on a
#: 2-core machine (PostgreSQL the slower). Raise it locally to search harder.
MAX_EXAMPLES = 2

#: Operations not fuzzed, and why.
EXCLUDED = {
    # Multipart uploads of .csv/.xlsx files: random bytes only reach the file-type check.
    # The importers are tested row by row with real files in tests/risks/test_importexport.py.
    ("POST", "/api/v1/risks/import/"),
    ("POST", "/api/v1/assets/import/"),
    ("POST", "/api/v1/treatments/import/"),
}

#: schemathesis' negative_data_rejection is left out: the FilterSets behind the lists also
#: serve the HTML filter forms and, by design, read an empty or unknown filter value as "no
#: filter", which that check reports as accepting invalid data. Malformed values that matter
#: (ids, numbers, page sizes, export filters) are 400s, see tests/portal/test_api_contract.py.
CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_schema_conformance,
]

#: Roles fuzzed, and whether they may see region B's risks: the region-A roles never; the
#: secretariat reads no region's risk register at all; the sector administrator everything.
ROLES = {
    "ciso_a": False,
    "riskowner_a": False,
    "viewer_a": False,
    "secretariat": False,
    "admin": True,
}


class InProcessApp:
    """Django's WSGI handler for requests inside a test transaction.

    Django closes "old" database connections at the start and end of each request; inside a
    test's transaction that would close the connection under the test (Django's own test
    client switches this off the same way). Exceptions behind a 500 are kept for the report.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.exceptions: list[str] = []

    def __call__(self, environ, start_response):
        return self.handler(environ, start_response)

    def __enter__(self) -> "InProcessApp":
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._record, dispatch_uid="fuzz-record-exception")
        return self

    def __exit__(self, *exc_info) -> None:
        got_request_exception.disconnect(dispatch_uid="fuzz-record-exception")
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    def _record(self, sender, request=None, **kwargs) -> None:
        self.exceptions.append(traceback.format_exc())


def _operations(schema) -> list:
    operations = [result.ok() for result in schema.get_all_operations()]
    known = {(operation.method.upper(), operation.path) for operation in operations}
    assert known >= EXCLUDED, f"excluded operations that no longer exist: {EXCLUDED - known}"
    return [op for op in operations if (op.method.upper(), op.path) not in EXCLUDED]


def _readable(content: bytes) -> str:
    """The body as text; an .xlsx export is a zip file, searched member by member."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


@dataclass
class Caller:
    role: str
    headers: dict[str, str]
    #: Patterns of what this role must never see (region B's risks).
    forbidden: dict[str, re.Pattern]

    def leaks(self, case, content: bytes) -> list[str]:
        """Region B markers in the response that the request did not bring itself: generated
        requests may carry any string (schemathesis mines the code for constants), and an
        echo of the request is no leak."""
        sent = repr((case.formatted_path, case.query, case.body))
        text = _readable(content)
        return [
            marker
            for marker, pattern in self.forbidden.items()
            if marker not in sent and pattern.search(text)
        ]


def _callers(sector) -> list[Caller]:
    # Ids stand alone (not inside a longer number); titles anywhere.
    markers = {
        marker: re.compile(
            rf"(?<![0-9]){marker}(?![0-9])" if marker.isdigit() else re.escape(marker)
        )
        for marker in sector.region_b_markers
    }
    callers = []
    for role, sees_region_b in ROLES.items():
        headers = {"Authorization": api_token_for(sector.personas.by_name(role))}
        callers.append(Caller(role, headers, {} if sees_region_b else markers))
    return callers


def _fuzz_operation(operation, *, app: InProcessApp, callers: list[Caller], mode) -> None:
    """Each generated request is sent once per role: generating is the expensive part."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        for caller in callers:
            app.exceptions.clear()
            with transaction.atomic():
                response = case.call(headers=caller.headers)
                try:
                    case.validate_response(response, checks=CHECKS, headers=caller.headers)
                except (Exception, BaseExceptionGroup) as failure:
                    failure.add_note(f"As {caller.role}.")
                    if app.exceptions:
                        failure.add_note("Server exception:\n" + app.exceptions[-1])
                    raise
                finally:
                    transaction.set_rollback(True)
            leaks = caller.leaks(case, response.content)
            assert not leaks, (
                f"{case.method} {case.formatted_path} showed {caller.role} region B's {leaks}"
            )

    with contextlib.suppress(Unsatisfiable):  # nothing invalid to send (e.g. a path slug)
        run()


@pytest.mark.django_db
def test_it_survives_fuzzing_as_every_role(personas):
    sector = make_sector(personas)
    callers = _callers(sector)
    failures = []
    with InProcessApp() as app:
        schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=callers[0].headers)
        for operation in _operations(schema):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz_operation(operation, app=app, callers=callers, mode=mode)
                except (Exception, BaseExceptionGroup) as failure:  # collect all, fail once
                    notes = "\n".join(getattr(failure, "__notes__", []))
                    failures.append(
                        f"{operation.method} {operation.path} ({mode}): {failure}\n{notes}"
                    )
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
