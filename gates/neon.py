"""A small Neon API v2 client: branches at a point in time, their operations, connection URIs.

Only the calls the drills and the replay on a Neon branch need, typed, with Neon's own rules:
a mutation answers with operations that must be polled until they end; `failed` is not an end
(Neon retries the operation), `error` and `cancelled` are; a 429 or a 423 (another operation
holds the branch) is retried after `retry-after` or a short pause. `NeonLike` is the interface the
drills use, so the local platform (`gates.local_neon`) can stand behind the same calls.

The key travels as a `Secret` through `BearerAuth`; errors are one sentence without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from tenacity import RetryCallState, retry, retry_if_exception_type, stop_after_attempt

from gates.config import Environment
from gates.dsn import Dsn
from gates.excerpt import redacted_excerpt
from gates.inputs import InputError, Inputs, api_url, required, required_secret
from gates.secret import BearerAuth, Secret

DEFAULT_API_URL = "https://console.neon.tech/api/v2"
API_KEY_ENV, PROJECT_ID_ENV, API_URL_ENV = "NEON_API_KEY", "NEON_PROJECT_ID", "NEON_API_URL"
IN_PROGRESS = frozenset({"scheduling", "running", "cancelling", "failed"})  # failed: Neon retries it
SUCCEEDED = frozenset({"finished", "skipped"})
RETRY_STATUSES = frozenset({423, 429})
RETRY_ATTEMPTS = 6  # neonctl retries a locked resource 5 times
DEFAULT_RETRY_PAUSE_S = 3.0
MAX_RETRY_PAUSE_S = 30.0


class NeonError(Exception):
    """Neon refused or could not be reached; one sentence, never the key."""


class OperationError(NeonError):
    """An operation ended in `error` or `cancelled`, or did not end within its budget."""


class _Retryable(NeonError):
    def __init__(self, message: str, pause_s: float) -> None:
        super().__init__(message)
        self.pause_s = pause_s


@dataclass(frozen=True)
class Branch:
    id: str
    name: str
    parent_id: str | None
    parent_timestamp: str | None
    created_at: datetime
    current_state: str
    default: bool


@dataclass(frozen=True)
class Operation:
    id: str
    action: str
    status: str
    error: str | None = None
    failures_count: int = 0

    @property
    def ended(self) -> bool:
        return self.status not in IN_PROGRESS


@dataclass(frozen=True)
class CreatedBranch:
    """A new branch, the operations that make it usable, and its URI when Neon gave one."""

    branch: Branch
    endpoint_ids: tuple[str, ...]
    operations: tuple[Operation, ...]
    connection_uri: Dsn | None


class NeonLike(Protocol):
    """The branch calls a drill or a replay needs; `NeonClient` and `LocalNeon` both provide them."""

    def list_branches(self) -> list[Branch]: ...

    def find_branch(self, name: str) -> Branch: ...

    def create_branch(self, name: str, *, parent_id: str, parent_timestamp: datetime | None) -> CreatedBranch: ...

    def wait_for_operations(
        self,
        operations: Sequence[Operation],
        *,
        budget_s: float,
        on_change: Callable[[Operation], None] | None = None,
    ) -> list[Operation]: ...

    def connection_uri(self, branch_id: str, *, database: str, role: str) -> Dsn: ...

    def delete_branch(self, branch_id: str) -> bool: ...


def iso_timestamp(moment: datetime) -> str:
    """Neon's `parent_timestamp` form: UTC, seconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_branch(raw: Mapping[str, Any]) -> Branch:
    return Branch(
        id=str(raw["id"]),
        name=str(raw["name"]),
        parent_id=raw.get("parent_id"),
        parent_timestamp=raw.get("parent_timestamp"),
        created_at=datetime.fromisoformat(str(raw["created_at"]).replace("Z", "+00:00")),
        current_state=str(raw.get("current_state", "")),
        default=bool(raw.get("default", False)),
    )


def parse_operation(raw: Mapping[str, Any]) -> Operation:
    return Operation(
        id=str(raw["id"]),
        action=str(raw.get("action", "")),
        status=str(raw["status"]),
        error=raw.get("error") or None,
        failures_count=int(raw.get("failures_count") or 0),
    )


def _pause_before_retry(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    return error.pause_s if isinstance(error, _Retryable) else DEFAULT_RETRY_PAUSE_S


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("retry-after", "")), 0.0), MAX_RETRY_PAUSE_S)
    except ValueError:
        return DEFAULT_RETRY_PAUSE_S


@dataclass(frozen=True)
class NeonAccess:
    """Which Neon project, with which key, at which API."""

    api_key: Secret
    project_id: str
    api_url: str


def neon_access(environ: Mapping[str, str]) -> NeonAccess:
    """`NEON_API_KEY`, `NEON_PROJECT_ID` and `NEON_API_URL`, every problem named at once (gates.inputs)."""
    inputs = Inputs()
    url = inputs.read(lambda: api_url(environ, API_URL_ENV, DEFAULT_API_URL))
    key = inputs.read(lambda: required_secret(environ, API_KEY_ENV, "the Neon API key (a Neon secret)"))
    project = inputs.read(lambda: required(environ, PROJECT_ID_ENV, "the Neon project id (Settings > General)"))
    inputs.raise_any()
    assert url and key and project  # each read succeeded
    return NeonAccess(key, project, url)


def branch_access(environment: Environment, environ: Mapping[str, str]) -> NeonAccess:
    """`neon_access` for work on `environment`'s `neon_branch`, which must be set too; every problem named at once."""
    inputs = Inputs()
    access = inputs.read(lambda: neon_access(environ))
    if not environment.neon_branch:
        inputs.missing.append(f"the Neon branch of {environment.name} is not set: set neon_branch in gates.toml")
    inputs.raise_any()
    assert access is not None
    return access


class NeonClient:
    """Neon API v2 for one project. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        api_key: Secret,
        project_id: str,
        *,
        api_url: str = DEFAULT_API_URL,
        timeout_s: float = 30.0,
        poll_interval_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.project_id = project_id
        self.api_url = api_url.rstrip("/")
        self._poll_interval_s = poll_interval_s
        self._sleep = sleep
        self._api_key = api_key  # masked in any repr; kept to take it out of answers that repeat the request
        self._http = httpx.Client(
            base_url=f"{self.api_url}/projects/{project_id}",
            auth=BearerAuth(api_key),
            headers={"Accept": "application/json"},
            timeout=timeout_s,
        )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], **options: Any) -> NeonClient:
        """A client from `neon_access(environ)`; NeonError names every unusable variable."""
        try:
            access = neon_access(environ)
        except InputError as error:
            raise NeonError(f"cannot reach the Neon API: {error}") from None
        return cls.of(access, **options)

    @classmethod
    def of(cls, access: NeonAccess, **options: Any) -> NeonClient:
        return cls(access.api_key, access.project_id, api_url=access.api_url, **options)

    def __enter__(self) -> NeonClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def list_branches(self) -> list[Branch]:
        branches: list[Branch] = []
        cursor: str | None = None
        while True:
            params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
            body = self._request("GET", "/branches", params=params).json()
            page = body.get("branches") or []
            branches.extend(parse_branch(raw) for raw in page)
            cursor = (body.get("pagination") or {}).get("next")
            if not cursor or not page:
                return branches

    def find_branch(self, name: str) -> Branch:
        """The branch called `name` (or with that id)."""
        for branch in self.list_branches():
            if name in (branch.name, branch.id):
                return branch
        raise NeonError(f"Neon project {self.project_id} has no branch named {name!r}")

    def create_branch(self, name: str, *, parent_id: str, parent_timestamp: datetime | None) -> CreatedBranch:
        """A branch of `parent_id` (at `parent_timestamp`, else its head) with a read-write compute."""
        branch: dict[str, Any] = {"name": name, "parent_id": parent_id}
        if parent_timestamp is not None:
            branch["parent_timestamp"] = iso_timestamp(parent_timestamp)
        body = self._request("POST", "/branches", json={"branch": branch, "endpoints": [{"type": "read_write"}]}).json()
        uris = body.get("connection_uris") or []
        return CreatedBranch(
            branch=parse_branch(body["branch"]),
            endpoint_ids=tuple(str(endpoint["id"]) for endpoint in body.get("endpoints") or []),
            operations=tuple(parse_operation(raw) for raw in body.get("operations") or []),
            connection_uri=Dsn(uris[0]["connection_uri"]) if uris else None,
        )

    def operation(self, operation_id: str) -> Operation:
        return parse_operation(self._request("GET", f"/operations/{operation_id}").json()["operation"])

    def wait_for_operations(
        self,
        operations: Sequence[Operation],
        *,
        budget_s: float,
        on_change: Callable[[Operation], None] | None = None,
    ) -> list[Operation]:
        """Poll every operation until all succeeded; OperationError on `error`, `cancelled` or the budget."""
        deadline = time.monotonic() + budget_s
        latest = {operation.id: operation for operation in operations}
        while True:
            for operation in list(latest.values()):
                if operation.status in ("error", "cancelled"):
                    detail = f": {operation.error}" if operation.error else ""
                    raise OperationError(
                        f"Neon operation {operation.id} ({operation.action}) {operation.status}{detail}"
                    )
            waiting = [operation for operation in latest.values() if not operation.ended]
            if not waiting:
                return list(latest.values())
            if time.monotonic() >= deadline:
                states = ", ".join(f"{op.id} ({op.action}) {op.status}" for op in waiting)
                raise OperationError(f"Neon operations did not finish within {budget_s:g} s: {states}")
            self._sleep(self._poll_interval_s)
            for operation in waiting:
                fresh = self.operation(operation.id)
                if fresh != operation and on_change is not None:
                    on_change(fresh)
                latest[operation.id] = fresh

    def connection_uri(self, branch_id: str, *, database: str, role: str) -> Dsn:
        params = {"branch_id": branch_id, "database_name": database, "role_name": role}
        return Dsn(self._request("GET", "/connection_uri", params=params).json()["uri"])

    def delete_branch(self, branch_id: str) -> bool:
        """Delete a branch; False when it was already gone (204 or 404), which counts as deleted."""
        response = self._request("DELETE", f"/branches/{branch_id}", allow={404})
        return response.status_code == 200

    @retry(
        retry=retry_if_exception_type(_Retryable),
        stop=stop_after_attempt(RETRY_ATTEMPTS),
        wait=_pause_before_retry,
        reraise=True,
    )
    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        allow: frozenset[int] | set[int] = frozenset(),
    ) -> httpx.Response:
        what = f"Neon {method} {path}"
        try:
            response = self._http.request(method, path, params=params, json=json)
        except httpx.HTTPError as error:
            raise NeonError(f"{what} failed: {type(error).__name__}: {error}") from None
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(
                f"{what} answered {response.status_code} {_message(response, self._api_key)}", _retry_after(response)
            )
        if response.is_error and response.status_code not in allow:
            raise NeonError(f"{what} answered {response.status_code}: {_message(response, self._api_key)}")
        return response


def _message(response: httpx.Response, api_key: Secret) -> str:
    """What Neon said, without the key: a server or proxy in between may repeat the request."""
    try:
        body = response.json()
    except ValueError:
        return redacted_excerpt(response.text, [api_key]) or response.reason_phrase
    said = (body.get("message") or body.get("code") or body) if isinstance(body, dict) else body
    return redacted_excerpt(str(said), [api_key])
