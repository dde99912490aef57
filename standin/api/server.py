"""The API process: Clerk-like authentication in front of the routes, one connection per request.

Authentication stands in for Clerk's middleware: every `/api` route needs `Authorization: Bearer
<STANDIN_API_KEY>`, which maps to the configured test user. Without it the answer is Clerk's: a
404 marked `x-clerk-auth-status: signed-out`, not the app's own 401. The `api_error` fault makes
every authenticated request fail the way an app that cannot reach its database does.
"""

from __future__ import annotations

import hmac
import logging
import re
import uuid
from collections.abc import Callable
from http.server import ThreadingHTTPServer

import psycopg

from standin.api import health, plans, regenerate
from standin.api.context import Request, Response
from standin.api.errors import INTERNAL_ERROR_BODY, AppError, FlatError
from standin.faults import Fault
from standin.httpjson import JsonHandler, make_server
from standin.settings import RUN_TOKEN_HEADER, SettingsError, StandinSettings

log = logging.getLogger("standin.api")

Route = Callable[[Request], Response]
ROUTES: tuple[tuple[str, re.Pattern[str], Route], ...] = (
    ("POST", re.compile(r"/api/v1/plans"), plans.create_plan),
    ("POST", re.compile(r"/api/v1/plans/(?P<plan_id>[^/]+)/regenerate"), regenerate.regenerate_plan),
    ("GET", re.compile(r"/api/v1/plans/(?P<plan_id>[^/]+)/status"), plans.plan_status),
    ("GET", re.compile(r"/api/v1/plans/(?P<plan_id>[^/]+)"), plans.plan_detail),
    ("DELETE", re.compile(r"/api/v1/plans/(?P<plan_id>[^/]+)"), plans.delete_plan),
    ("GET", re.compile(r"/api/health/worker"), health.worker_health),
)
RELEASE_HEADER = "x-standin-release"  # which local release answered, as a deployment id would say
SIGNED_OUT = (("x-clerk-auth-status", "signed-out"), ("x-clerk-auth-reason", "session-token-and-uat-missing"))


def build_server(settings: StandinSettings) -> ThreadingHTTPServer:
    """The API server bound to `settings.host:port`, not yet serving."""
    if not settings.api_key:
        raise SettingsError("STANDIN_API_KEY is not set; the API would accept no one")
    expected = f"Bearer {settings.api_key}".encode()

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            self._dispatch()

        def do_POST(self) -> None:
            self._dispatch()

        def do_DELETE(self) -> None:
            self._dispatch()

        def _dispatch(self) -> None:
            correlation = self.headers.get("x-correlation-id") or str(uuid.uuid4())
            headers = [
                ("x-correlation-id", correlation),
                (RELEASE_HEADER, settings.release),
                (RUN_TOKEN_HEADER, settings.run_token),
            ]
            body = self.read_body()
            path = self.path.split("?", 1)[0]
            given = (self.headers.get("Authorization") or "").encode()
            if not hmac.compare_digest(given, expected):
                self.send_json(404, None, [*headers, *SIGNED_OUT])
                return
            status, payload = self._answer(path, body)
            self.send_json(status, payload, headers)

        def _answer(self, path: str, body: bytes) -> Response:
            if Fault.API_ERROR in settings.faults:
                log.error("injected fault api_error: answering 500 to %s %s", self.command, path)
                return 500, INTERNAL_ERROR_BODY
            route, params = _match(self.command, path)
            if route is None:
                return 404, {"error": "Not Found"}
            try:
                with psycopg.connect(settings.database_url, autocommit=True, connect_timeout=10) as connection:
                    return route(Request(connection, settings.test_user, body, params, settings.regeneration_quota))
            except (AppError, FlatError) as error:
                return error.status, error.body
            except Exception:
                log.exception("%s %s failed", self.command, path)
                return 500, INTERNAL_ERROR_BODY

    return make_server(Handler, settings.host, settings.port)


def _match(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    for route_method, pattern, route in ROUTES:
        found = pattern.fullmatch(path)
        if found and route_method == method:
            return route, found.groupdict()
    return None, {}
