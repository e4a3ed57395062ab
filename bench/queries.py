"""Counts the SQL queries of each scenario with Django's test client, in its own process.

Run by ``bench/run.py`` with the benchmark's environment (DEBUG off, the bench database in
``DATABASE_URL``), so the harness itself never imports the portal's settings. Reads the
scenarios as JSON on stdin (``[{"name", "user", "path", "kind"}, …]``) and writes
``{name: {"status": int, "queries": int | null, "sql": [...]}}`` as JSON to ``--output``.

For each scenario: one warm-up request, then one measured request inside
``CaptureQueriesContext``. HTML scenarios sign in with ``force_login`` (so the session and user
look-ups are counted), API scenarios with ``APIClient.force_authenticate`` (so the token
look-up of a real client — one query — is not; the session acts for the user as after a token).
"""

import argparse
import json
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def act_as_token_user() -> None:
    """``force_authenticate`` replaces the API's authentication classes, so the portal's token
    authentication, which makes the database session act for the token's user (row-level
    security, ``portal.rls``), does not run: do that here, as it would. Without it a
    connection held by the policies would see no rows. (A tree without ``portal.rls`` has
    nothing to do.)"""
    try:
        from portal import rls
    except ImportError:
        return
    from rest_framework.request import ForcedAuthentication

    authenticate = ForcedAuthentication.authenticate

    def authenticate_and_act(self, request):
        answer = authenticate(self, request)
        if answer and answer[0] is not None:
            rls.activate_user(answer[0])
        return answer

    ForcedAuthentication.authenticate = authenticate_and_act


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument(
        "--source", type=Path, default=BASE_DIR, help="the portal's tree (default: this one)"
    )
    args = parser.parse_args()
    scenarios = json.load(sys.stdin)

    sys.path.insert(0, str(args.source))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    act_as_token_user()
    User = get_user_model()
    host = os.environ.get("ALLOWED_HOSTS", "127.0.0.1").split(",")[0].strip() or "127.0.0.1"
    results: dict[str, dict] = {}
    for scenario in scenarios:
        name, username, path, kind = (
            scenario["name"],
            scenario["user"],
            scenario["path"],
            scenario["kind"],
        )
        accept = "application/json" if kind == "api" else "text/html"
        client = APIClient(HTTP_HOST=host) if kind == "api" else Client(HTTP_HOST=host)
        if username is not None:
            try:
                user = User.objects.get(username=username)
            except User.DoesNotExist:
                results[name] = {"status": None, "queries": None, "error": "no such user"}
                continue
            if kind == "api":
                client.force_authenticate(user=user)
            else:
                client.force_login(user)
        try:
            warm = client.get(path, HTTP_ACCEPT=accept)
            if warm.status_code == 404:
                results[name] = {"status": 404, "queries": None}
                continue
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, HTTP_ACCEPT=accept)
        except Exception as error:  # a broken page must not stop the other counts
            results[name] = {"status": None, "queries": None, "error": repr(error)}
            continue
        results[name] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "sql": [query["sql"] for query in captured.captured_queries],
        }
    args.output.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
