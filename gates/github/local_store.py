"""A local GitHub status store: the few REST endpoints the gates use, served on 127.0.0.1.

`gates rehearse` points `GITHUB_API_URL` here so the staging-green check, the commit statuses and
the review comment run the same client code with no account. It answers with GitHub's JSON shapes
(platforms.md 6.3): branches, combined statuses, check runs, compare, git commits, status creation
(140-character descriptions, as GitHub enforces) and issue comments. Commits are registered with
their parents and tree; everything is held in memory for the life of the server.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DESCRIPTION_LIMIT = 140
BOT_LOGIN = "github-actions[bot]"
_TIMESTAMP = "2026-01-01T00:00:00Z"


@dataclass
class Answer:
    """One HTTP answer: status, JSON body (None: empty) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class LocalStore:
    """In-memory repository state and the request router; `serve()` puts it on a local port."""

    def __init__(self, owner_repo: str = "local/app") -> None:
        self.owner_repo = owner_repo
        self.branches: dict[str, str] = {}
        self.parents: dict[str, list[str]] = {}
        self.trees: dict[str, str] = {}
        self.statuses: dict[str, list[dict[str, Any]]] = {}  # sha -> every status, oldest first
        self.check_runs: dict[str, list[dict[str, Any]]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}  # issue number -> comments
        self.login = BOT_LOGIN  # whom the token belongs to: the author of comments it posts
        self._next_id = 1
        self._lock = threading.Lock()

    # --- state -----------------------------------------------------------------------------------

    def add_commit(self, sha: str, *, tree: str | None = None, parents: tuple[str, ...] = ()) -> None:
        self.trees[sha] = tree or f"tree-{sha}"
        self.parents[sha] = list(parents)

    def add_status(self, sha: str, state: str, context: str, description: str = "") -> dict[str, Any]:
        with self._lock:
            status = {
                "id": self._new_id(),
                "node_id": f"S_{sha[:8]}",
                "url": f"/repos/{self.owner_repo}/statuses/{sha}",
                "avatar_url": None,
                "state": state,
                "description": description,
                "target_url": None,
                "context": context,
                "created_at": _TIMESTAMP,
                "updated_at": _TIMESTAMP,
            }
            self.statuses.setdefault(sha, []).append(status)
            return status

    def add_check_run(
        self,
        sha: str,
        name: str,
        status: str = "completed",
        conclusion: str | None = "success",
        run_url: str | None = None,
    ) -> None:
        """A check run; `run_url` is an Actions job's page, `<server>/<repo>/actions/runs/<run>/job/<job>`."""
        with self._lock:
            self.check_runs.setdefault(sha, []).append(
                {
                    "id": self._new_id(),
                    "head_sha": sha,
                    "name": name,
                    "status": status,
                    "conclusion": conclusion,
                    "started_at": _TIMESTAMP,
                    "completed_at": _TIMESTAMP if status == "completed" else None,
                    "details_url": run_url,
                    "html_url": run_url,
                    "app": {"slug": "github-actions"},
                    "output": {"title": None, "summary": None},
                }
            )

    def latest_statuses(self, sha: str) -> list[dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for status in self.statuses.get(sha, []):
            latest[status["context"].lower()] = status
        return list(latest.values())

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        seen: set[str] = set()
        todo = [descendant]
        while todo:
            sha = todo.pop()
            if sha == ancestor:
                return True
            if sha not in seen:
                seen.add(sha)
                todo.extend(self.parents.get(sha, []))
        return False

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # --- routing ---------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, headers: Mapping[str, str]) -> Answer:
        """GitHub's answer to one request (the store trusts any token: it holds nothing secret)."""
        prefix = f"/repos/{self.owner_repo}/"
        if not path.startswith(prefix):
            return _not_found()
        rest = path[len(prefix) :]
        for pattern, verb, route in _ROUTES:
            match = re.fullmatch(pattern, rest)
            if match and verb == method:
                return route(self, *match.groups(), query=query, body=body)
        return _not_found()

    def _branch(self, name: str, **_: Any) -> Answer:
        if name not in self.branches:
            return Answer(404, {"message": "Branch not found", "documentation_url": ""})
        sha = self.branches[name]
        return Answer(200, {"name": name, "commit": {"sha": sha, "commit": {"tree": {"sha": self.trees.get(sha)}}}})

    def _combined(self, ref: str, query: dict[str, str], **_: Any) -> Answer:
        sha = self.branches.get(ref, ref)
        if sha not in self.trees:
            return _no_commit(ref)
        latest = self.latest_statuses(sha)
        states = {status["state"] for status in latest}
        combined = (
            "failure"
            if states & {"failure", "error"}
            else "pending"
            if not latest or "pending" in states
            else "success"
        )
        page = _page(latest, query)
        return Answer(200, {"state": combined, "statuses": page, "sha": sha, "total_count": len(latest)})

    def _runs(self, ref: str, query: dict[str, str], **_: Any) -> Answer:
        sha = self.branches.get(ref, ref)
        if sha not in self.trees:
            return _no_commit(ref)
        runs = self.check_runs.get(sha, [])
        return Answer(200, {"total_count": len(runs), "check_runs": _page(runs, query)})

    def _compare(self, base: str, head: str, **_: Any) -> Answer:
        base, head = self.branches.get(base, base), self.branches.get(head, head)
        if base not in self.trees or head not in self.trees:
            return _not_found()
        if base == head:
            state = "identical"
        elif self.is_ancestor(base, head):
            state = "ahead"
        elif self.is_ancestor(head, base):
            state = "behind"
        else:
            state = "diverged"
        return Answer(200, {"status": state, "base_commit": {"sha": base}, "merge_base_commit": {"sha": base}})

    def _git_commit(self, sha: str, **_: Any) -> Answer:
        if sha not in self.trees:
            return _not_found()
        return Answer(200, {"sha": sha, "tree": {"sha": self.trees[sha]}, "parents": self.parents[sha]})

    def _create_status(self, sha: str, body: Any, **_: Any) -> Answer:
        if sha not in self.trees:
            return Answer(422, {"message": f"No commit found for SHA: {sha}"})
        description = str(body.get("description") or "")
        if len(description) > DESCRIPTION_LIMIT:
            return _invalid("description is too long (maximum is 140 characters)")
        if body.get("state") not in ("error", "failure", "pending", "success"):
            return _invalid("state is not included in the list")
        status = self.add_status(sha, body["state"], str(body.get("context") or "default"), description)
        status["target_url"] = body.get("target_url")
        return Answer(201, status)

    def _comments(self, number: str, query: dict[str, str], **_: Any) -> Answer:
        return Answer(200, _page(self.comments.get(int(number), []), query))

    def _create_comment(self, number: str, body: Any, **_: Any) -> Answer:
        with self._lock:
            comment = {
                "id": self._new_id(),
                "body": body["body"],
                "user": {"login": self.login, "id": 41898282, "type": "Bot"},
                "created_at": _TIMESTAMP,
                "updated_at": _TIMESTAMP,
            }
            self.comments.setdefault(int(number), []).append(comment)
        return Answer(201, comment)

    def _find_comment(self, comment_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == int(comment_id):
                    return comments, comment
        return None

    def _update_comment(self, comment_id: str, body: Any, **_: Any) -> Answer:
        found = self._find_comment(comment_id)
        if found is None:
            return _not_found()
        found[1]["body"] = body["body"]
        return Answer(200, found[1])

    def _delete_comment(self, comment_id: str, **_: Any) -> Answer:
        found = self._find_comment(comment_id)
        if found is None:
            return _not_found()
        found[0].remove(found[1])
        return Answer(204)


_ROUTES: list[tuple[str, str, Any]] = [
    (r"branches/([^/]+)", "GET", LocalStore._branch),
    (r"commits/([^/]+)/status", "GET", LocalStore._combined),
    (r"commits/([^/]+)/check-runs", "GET", LocalStore._runs),
    (r"compare/([^/.]+)\.\.\.([^/]+)", "GET", LocalStore._compare),
    (r"git/commits/([^/]+)", "GET", LocalStore._git_commit),
    (r"statuses/([^/]+)", "POST", LocalStore._create_status),
    (r"issues/(\d+)/comments", "GET", LocalStore._comments),
    (r"issues/(\d+)/comments", "POST", LocalStore._create_comment),
    (r"issues/comments/(\d+)", "PATCH", LocalStore._update_comment),
    (r"issues/comments/(\d+)", "DELETE", LocalStore._delete_comment),
]


def _page(items: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    per_page = min(int(query.get("per_page", "30")), 100)
    page = max(int(query.get("page", "1")), 1)
    return items[(page - 1) * per_page : page * per_page]


def _not_found() -> Answer:
    return Answer(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})


def _no_commit(ref: str) -> Answer:
    return Answer(422, {"message": f"No commit found for SHA: {ref}", "documentation_url": ""})


def _invalid(message: str) -> Answer:
    return Answer(
        422,
        {"message": "Validation Failed", "errors": [{"resource": "Status", "code": "custom", "message": message}]},
    )


@contextmanager
def serve(store: LocalStore, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `store` on `host:port` (0: any free port) and yield its base URL, for GITHUB_API_URL."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            answer = store.handle(self.command, url.path, query, body, dict(self.headers.items()))
            data = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _any

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
