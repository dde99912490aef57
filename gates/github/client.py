"""A small GitHub REST client for the gates: the request basics, rate limits and retries of platforms.md 6.

Every call goes to `base_url` (`GITHUB_API_URL`, default `https://api.github.com`), so a local
status store (`gates.github.local_store`) or a test server can stand in with the same code. Each
failure is a `GitHubError` whose message is one sentence naming the call and the cause: the gates
turn it into a failure as it is.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import tenacity

from gates.excerpt import redacted_excerpt
from gates.inputs import InputError, Inputs, api_url, required, required_secret
from gates.secret import BearerAuth, Secret

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"  # what GitHub uses without the header; stated so an upgrade is a decision
USER_AGENT = "deploy-gates"
PER_PAGE = 100
BACKOFF_FIRST_S = 0.5  # 5xx and unreachable: 0.5 s, 1 s, 2 s ... up to BACKOFF_MAX_S, inside the budget
BACKOFF_MAX_S = 8.0
_TOKEN_HOW = "pass it to the step with `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`"
_SHA = re.compile(r"[0-9a-fA-F]{7,40}")
SECONDARY_LIMIT_WAIT_S = 60.0  # GitHub: with no retry-after and quota left, wait at least a minute
_HINTS = {
    401: "GitHub refused the token: check that GITHUB_TOKEN is set from secrets.GITHUB_TOKEN or a valid token",
    403: "the token lacks a permission: grant the job's `permissions:` what the call needs "
    "(statuses, checks, contents, pull-requests)",
    404: "the repository, ref or object does not exist or the token cannot see it: check GITHUB_REPOSITORY, "
    "the ref and the token's access",
}


class GitHubError(Exception):
    """A GitHub call failed; the message is one sentence naming the call and the cause."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _Retry(Exception):
    """An answer worth asking again after `wait_s` seconds (a rate limit or a 5xx)."""

    def __init__(self, message: str, wait_s: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.wait_s = wait_s  # None: back off exponentially
        self.status = status

    def next_wait(self, attempt: int) -> float:
        return self.wait_s if self.wait_s is not None else min(BACKOFF_FIRST_S * 2 ** (attempt - 1), BACKOFF_MAX_S)


@dataclass(frozen=True)
class Repository:
    """Where to reach GitHub and which repository: read from the Actions variables."""

    api_url: str
    owner_repo: str
    token: Secret

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Repository:
        """The repository of `read_repository`; GitHubError naming every unusable variable, wrong first."""
        try:
            return read_repository(os.environ if environ is None else environ)
        except InputError as error:
            raise GitHubError(str(error)) from None


def read_repository(environ: Mapping[str, str]) -> Repository:
    """`GITHUB_API_URL`, `GITHUB_REPOSITORY` and `GITHUB_TOKEN`, every problem named at once (gates.inputs)."""
    inputs = Inputs()
    url = inputs.read(lambda: api_url(environ, "GITHUB_API_URL", DEFAULT_API_URL))
    owner_repo = inputs.read(lambda: _owner_repo(environ))
    token = inputs.read(lambda: required_secret(environ, "GITHUB_TOKEN", _TOKEN_HOW))
    inputs.raise_any()
    assert url and owner_repo and token  # each read succeeded
    return Repository(api_url=url, owner_repo=owner_repo, token=token)


def _owner_repo(environ: Mapping[str, str]) -> str:
    how = "Actions sets it; elsewhere export it (e.g. acme/app)"
    owner_repo = required(environ, "GITHUB_REPOSITORY", how)
    owner, _, repo = owner_repo.partition("/")
    if not owner or not repo or "/" in repo:
        raise InputError(f"GITHUB_REPOSITORY={owner_repo!r} is not owner/repo: {how}")
    return owner_repo


def commit_sha(environ: Mapping[str, str]) -> str:
    """`GITHUB_SHA`: the commit being deployed, as a full or abbreviated hexadecimal SHA."""
    sha = required(environ, "GITHUB_SHA", "Actions sets it; elsewhere export the commit being deployed")
    if not _SHA.fullmatch(sha):
        raise InputError(f"GITHUB_SHA={sha!r} is not a commit SHA (7 to 40 hexadecimal digits)")
    return sha


class GitHubClient:
    """The REST calls the gates make, with rate-limit waits and 5xx retries inside `retry_budget_s`."""

    def __init__(self, repository: Repository, *, retry_budget_s: float = 60.0, timeout_s: float = 30.0) -> None:
        self.repository = repository
        self.retry_budget_s = retry_budget_s
        self._http = httpx.Client(
            base_url=repository.api_url,
            auth=BearerAuth(repository.token),
            timeout=timeout_s,
            headers={
                "Accept": "application/vnd.github+json",
                "User-Agent": USER_AGENT,
                "X-GitHub-Api-Version": API_VERSION,
            },
        )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, **options: float) -> GitHubClient:
        return cls(Repository.from_environ(environ), **options)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the calls -------------------------------------------------------------------------------

    def branch_head(self, branch: str) -> str:
        """The SHA at the tip of `branch`."""
        return str(self._json("GET", f"{self._repo}/branches/{branch}")["commit"]["sha"])

    def statuses(self, ref: str) -> list[dict[str, Any]]:
        """The latest status of each context on `ref` (the combined status, every page)."""
        found: list[dict[str, Any]] = []
        for page in self._pages(f"{self._repo}/commits/{ref}/status"):
            found.extend(page["statuses"])
            if len(page["statuses"]) < PER_PAGE:
                break
        return found

    def check_runs(self, ref: str) -> list[dict[str, Any]]:
        """The latest check run of each name on `ref`, every page."""
        found: list[dict[str, Any]] = []
        for page in self._pages(f"{self._repo}/commits/{ref}/check-runs"):
            found.extend(page["check_runs"])
            if len(page["check_runs"]) < PER_PAGE or len(found) >= int(page["total_count"]):
                break
        return found

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when `ancestor` is `descendant` or one of its ancestors (compare says ahead or identical)."""
        compared = self._json("GET", f"{self._repo}/compare/{ancestor}...{descendant}")
        return compared["status"] in ("ahead", "identical")

    def tree_of(self, sha: str) -> str:
        """The tree SHA of commit `sha`."""
        return str(self._json("GET", f"{self._repo}/git/commits/{sha}")["tree"]["sha"])

    def create_status(self, sha: str, *, state: str, context: str, description: str, target_url: str | None) -> None:
        """Set commit status `context` on `sha`; the description must already fit 140 characters."""
        body: dict[str, Any] = {"state": state, "context": context, "description": description}
        if target_url:
            body["target_url"] = target_url
        self._json("POST", f"{self._repo}/statuses/{sha}", body)

    def issue_comments(self, number: int) -> list[dict[str, Any]]:
        """Every comment on issue or pull request `number`."""
        found: list[dict[str, Any]] = []
        for page in self._pages(f"{self._repo}/issues/{number}/comments"):
            found.extend(page)
            if len(page) < PER_PAGE:
                break
        return found

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        return dict(self._json("POST", f"{self._repo}/issues/{number}/comments", {"body": body}))

    def update_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        return dict(self._json("PATCH", f"{self._repo}/issues/comments/{comment_id}", {"body": body}))

    def delete_comment(self, comment_id: int) -> None:
        self._json("DELETE", f"{self._repo}/issues/comments/{comment_id}")

    # --- plumbing --------------------------------------------------------------------------------

    @property
    def _repo(self) -> str:
        return f"/repos/{self.repository.owner_repo}"

    def _pages(self, path: str) -> Iterator[Any]:
        page = 1
        while True:
            yield self._json("GET", path, params={"per_page": PER_PAGE, "page": page})
            page += 1

    def _json(self, method: str, path: str, body: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        call = f"{method} {path}"
        started = time.monotonic()

        def next_wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return error.next_wait(state.attempt_number) if isinstance(error, _Retry) else 0.0

        def stop(state: tenacity.RetryCallState) -> bool:
            return time.monotonic() - started + next_wait(state) > self.retry_budget_s

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retry), stop=stop, wait=next_wait, reraise=True
        )
        try:
            return retrying(self._once, method, path, body, params, call)
        except _Retry as error:
            raise GitHubError(
                f"{error}, and waiting again would exceed the {self.retry_budget_s:g} s retry budget "
                f"(tried for {time.monotonic() - started:.0f} s)",
                error.status,
            ) from None

    def _once(self, method: str, path: str, body: Any, params: Mapping[str, Any] | None, call: str) -> Any:
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.HTTPError as error:
            raise _Retry(
                f"{call} could not reach GitHub at {self.repository.api_url} ({type(error).__name__})"
            ) from None
        if response.status_code < 300:
            return response.json() if response.content else None
        limited = _rate_limit_wait(response)
        if limited is not None:
            raise _Retry(f"{call} hit GitHub's rate limit ({response.status_code})", limited, response.status_code)
        if response.status_code >= 500:
            raise _Retry(f"{call} got {response.status_code} from GitHub", None, response.status_code)
        message = redacted_excerpt(_message(response), [self.repository.token])
        hint = _HINTS.get(response.status_code, "GitHub refused the request")
        raise GitHubError(f"{call} answered {response.status_code} ({message}): {hint}", response.status_code)


def _rate_limit_wait(response: httpx.Response) -> float | None:
    """How long GitHub asks us to wait, or None when the answer is no rate limit (platforms.md 6.2)."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    secondary = "secondary rate limit" in response.text.lower()
    remaining = headers.get("x-ratelimit-remaining")
    if "retry-after" in headers:
        return max(0.0, _number(headers["retry-after"]))
    if remaining == "0":
        return max(0.0, _number(headers.get("x-ratelimit-reset", "0")) - time.time())
    if secondary or response.status_code == 429:
        return SECONDARY_LIMIT_WAIT_S
    return None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return SECONDARY_LIMIT_WAIT_S


def _message(response: httpx.Response) -> str:
    """GitHub's `message`, which a proxy or a server in between may fill with the request, token included."""
    try:
        return str(response.json().get("message", "")).strip() or response.reason_phrase
    except ValueError:
        return response.reason_phrase
