"""Secrets x failure paths: how often any secret shows in any output of a failing gate run.

    python bench/secret_leaks.py [--vv] [--show] [--only ROW ...]

Every secret-carrying input (the smoke database URL in URI form, in keyword form and in URI form
with an unencoded `/` in the password; the smoke API key; the Clerk secret key and the session
token minted from it; GITHUB_TOKEN; FLY_API_TOKEN) meets every failure path: connection refused, a
host name that does not resolve (unreachable), a
server that accepts and never answers (the run's pytest-timeout fires), a refused password or key,
and an HTTP 4xx and 5xx whose body repeats the request's Authorization (for flyctl: its error line
repeating the token). Each cell is a real pytest subprocess of the gate that reads the input (the
smoke gate; staging_green for the GitHub token; fly_health on the suite's fake flyctl for the Fly
token) with `-v -rA --tb=long --showlocals` (`--vv`: `-vv`, where pytest no longer cuts long
locals), a JUnit file and the JSON report (pytest-json-report); `--without-masking` turns off the
reports' masking (`gates.report_masking`), to measure what the masked types keep out on their own.
The stdout, stderr, JUnit file and JSON report of each run are searched for every secret, as
written and URL-encoded (and, for the password holding `/`, for each side of it). Prints the
occurrences of each row's secrets per cell and the total over all secrets in all runs: expected 0.
A cell whose run did not fail the way its path should is listed under the table.

The database is an embedded Postgres (unset GATES_SCRATCH_DATABASE_URL: the bench writes the
server's pg_hba.conf) whose two roles of the bench sign in with a password (scram-sha-256); the
app is the stand-in's API on it; Clerk, GitHub and flyctl are the suite's fakes.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import psycopg
from psycopg import sql

import gates
from gates.config import find_config, load_config
from gates.dsn import parse
from gates.github.local_store import Answer, serve
from gates.scratch_db import ScratchServer
from standin.settings import DEFAULT_TEST_USER
from standin.stack import running

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's fakes and report runner
from tests.helpers.developer_env import developer_environ
from tests.helpers.echo_app import echoing_app
from tests.helpers.fake_clerk import FakeClerk
from tests.helpers.fake_flyctl import FakeFlyctl, machine, release
from tests.helpers.fake_github import HEAD, REPO, FakeGitHub
from tests.helpers.leaks import run_reported

DB_PASSWORD = "dbpw+never!shown-31"  # the good role's, sent in both forms
SECRETS = {
    "db-uri": [DB_PASSWORD],
    "db-keywords": [DB_PASSWORD],
    "db-uri-slash": ["sl4sh-left-never/right-never-shown"],
    "api-key": ["smoke-key-never-shown-4711"],
    "clerk-key": ["sk_test_clerk_never_shown_0815", "eyJ.minted-session-never-shown.sig"],  # key, minted token
    "github-token": ["ghs_github_never_shown_2342"],
    "fly-token": ["FlyV1 fm2_fly_never_shown_9001"],
}
PATHS = ("refused", "unreachable", "timeout", "bad-password", "http-4xx", "http-5xx")
NOWHERE = "gates-bench-nowhere.invalid"  # a name that never resolves (RFC 6761): the unreachable path
STANDIN_KEY = "standin-accepts-this-key"  # the stand-in's own key: the api-key row sends another
GOOD_ROLE, BAD_ROLE = "leak_ok", "leak_bad"  # the bad role's real password is never sent
BAD_ROLE_PASSWORD = "the-password-nobody-sends"
TIMEOUT_BUDGET = {"SMOKE_TOTAL_BUDGET_S": "3", "SMOKE_POLL_BUDGET_S": "1"}
GITHUB_TOML = "[github]\npending_budget_s = 0.5\nretry_budget_s = 2\n"
FLY_APPS = {"worker": "atlaris-worker-staging", "regenerator": "atlaris-worker-regenerator-staging"}
FLY_TOML = "[environments.staging]\nfly_apps = { " + ", ".join(f'{k} = "{v}"' for k, v in FLY_APPS.items()) + " }\n"
# What flyctl prints on stderr for each path; the 4xx and 5xx ones repeat the request's token, as
# an API error passed through verbatim would.
FLYCTL_SAYS = {
    "refused": 'Error: Get "https://api.machines.dev/v1/apps": dial tcp 127.0.0.1:443: connect: connection refused',
    "unreachable": 'Error: Get "https://api.machines.dev/v1/apps": dial tcp: lookup api.machines.dev: no such host',
    "bad-password": "Error: You must be authenticated to view this.",
    "http-4xx": "Error: 403 Forbidden (request: Authorization: {token})",
    "http-5xx": "Error: 502 Bad Gateway from api.fly.io (request: Authorization: {token})",
}
STAGING_GREEN = str(Path(gates.__file__).parent / "gate_staging_green.py")
SMOKE = ["--pyargs", "smoke", "-o", "python_files=gate_*.py", "-m", "smoke", "--gates-env", "local"]
# What a run's output says when it failed the way its path should.
EXPECTED = {
    "refused": "refused",
    "unreachable": "not known",  # the resolver's "Name or service not known"
    "timeout": "from pytest-timeout",
    "bad-password": "",  # per row, below
    "http-4xx": "403",
    "http-5xx": "500",
}
REFUSALS = {
    "database": "password authentication failed",
    "api-key": "404",
    "clerk": "401",
    "github": "401",
    "fly": "could not authenticate",
}


@dataclass(frozen=True)
class Case:
    arguments: list[str]
    env: dict[str, str]
    expect: str


@dataclass
class Places:
    """Where each failure path points: ports and URLs served for the length of the bench."""

    closed_port: int
    silent_port: int
    socket_dir: str
    database: str
    api_url: str  # the stand-in's API
    echo: dict[str, str] = field(default_factory=dict)  # path -> an app answering 403 or 500
    clerk: dict[str, str] = field(default_factory=dict)  # ok, 401, 500
    github_refusing: str = ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each run's failure sentence under the table")
    parser.add_argument("--vv", action="store_true", help="run pytest with -vv, which shows long locals uncut")
    parser.add_argument(
        "--without-masking",
        action="store_true",
        help="turn off gates.report_masking, pytest's report masking: what the masked types alone keep out",
    )
    parser.add_argument("--only", nargs="+", choices=list(SECRETS), default=list(SECRETS), help="run these rows alone")
    args = parser.parse_args()
    migrations = load_config(find_config(Path.cwd())).migrations
    with ExitStack() as stack:
        server = stack.enter_context(ScratchServer.start())
        database_url = server.create_database()
        _password_roles(database_url)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        standin = stack.enter_context(
            running(database_url, migrations, api_key=STANDIN_KEY, log_dir=folder / "logs", components=("api",))
        )
        silent = stack.enter_context(_silent_listener())
        params = parse(database_url)
        places = Places(
            closed_port=_closed_port(),
            silent_port=silent,
            socket_dir=str(params["host"]),
            database=str(params["dbname"]),
            api_url=standin.api_url,
            echo={path: stack.enter_context(echoing_app(status)) for path, status in (("4xx", 403), ("5xx", 500))},
        )
        for name, status in (("ok", 200), ("401", 401), ("500", 500)):
            fake = FakeClerk(jwt=SECRETS["clerk-key"][1])
            fake.status = status
            places.clerk[name] = stack.enter_context(fake.serving()).url
        refusing = FakeGitHub()
        refusing.fail(".", Answer(401, {"message": "Bad credentials"}), times=1000)
        places.github_refusing = stack.enter_context(serve(refusing))
        extra = ["-v"] * args.vv + ["-p", "no:gates.report_masking"] * args.without_masking
        return _run_matrix(places, folder, args.only, extra, args.show)


def _run_matrix(places: Places, folder: Path, rows: list[str], extra: list[str], show: bool) -> int:
    every_form = {form for secrets in SECRETS.values() for secret in secrets for form in _forms(secret)}
    total, off_path, sentences = 0, [], []
    began = time.monotonic()
    print(f"{'input':<13}" + "".join(f"{path:>14}" for path in PATHS))
    for row in rows:
        secrets, cells = SECRETS[row], []
        for path in PATHS:
            cell = folder / f"{row}-{path}"
            cell.mkdir()
            (cell / "gates.toml").write_text(GITHUB_TOML + FLY_TOML)
            case = _fly_case(path, cell) if row == "fly-token" else _case(row, path, places)
            code, written = run_reported(cell, [*extra, *case.arguments], case.env, timeout_s=180)
            missing = [name for name in ("junit.xml", "report.json") if not (cell / name).exists()]
            cells.append(sum(written.count(form) for secret in secrets for form in _forms(secret)))
            total += sum(written.count(form) for form in every_form)
            sentence = _failure_sentence(written)
            sentences.append(f"{row} x {path}: {sentence[:300]}")
            if code != 1 or case.expect not in sentence or missing:
                off_path.append(f"{row} x {path}: exit {code}, {case.expect!r} not said or {missing} not written")
        print(f"{row:<13}" + "".join(f"{count:>14}" for count in cells))
    runs = len(rows) * len(PATHS)
    print(f"{runs} runs in {time.monotonic() - began:.0f} s: {total} occurrences of any secret in any output")
    for line in off_path:
        print(f"  off its path: {line}")
    for line in sentences if show else ():
        print(f"  {line}")
    return 0 if total == 0 and not off_path else 1


def _case(row: str, path: str, places: Places) -> Case:
    if row == "github-token":
        return _github_case(path, places)
    where = {"bad-password": "bad", "refused": "closed", "unreachable": "nowhere", "timeout": "silent"}
    database = where.get(path, "good")
    auth: dict[str, str] = {"SMOKE_TEST_API_KEY": STANDIN_KEY}
    api_url = places.echo.get(path.removeprefix("http-"), places.echo["5xx"])
    expect = EXPECTED[path] or REFUSALS["database"]
    if row.startswith("db-"):
        url = _database_url(row, SECRETS[row][0], database, places)
        expect = "percent-encode" if row == "db-uri-slash" else expect
    else:
        url = _database_url("db-uri", DB_PASSWORD, "good", places)
    if row == "api-key":
        auth = {"SMOKE_TEST_API_KEY": SECRETS[row][0]}
        api_url = {
            "refused": f"http://127.0.0.1:{places.closed_port}",
            "unreachable": f"http://{NOWHERE}",
            "timeout": f"http://127.0.0.1:{places.silent_port}",
            "bad-password": places.api_url,
        }.get(path, api_url)
        expect = EXPECTED[path] or REFUSALS["api-key"]
    if row == "clerk-key":
        clerk = {
            "refused": f"http://127.0.0.1:{places.closed_port}",
            "unreachable": f"http://{NOWHERE}",
            "timeout": f"http://127.0.0.1:{places.silent_port}",
            "bad-password": places.clerk["401"],
            "http-5xx": places.clerk["500"],
        }.get(path, places.clerk["ok"])
        auth = {"CLERK_SECRET_KEY": SECRETS[row][0], "CLERK_API_URL": clerk}
        expect = EXPECTED[path] or REFUSALS["clerk"]
    env = developer_environ(
        SMOKE_TEST_API_URL=api_url,
        SMOKE_TEST_DATABASE_URL=url,
        SMOKE_TEST_CLERK_USER_ID=DEFAULT_TEST_USER,
        **auth,
        **(TIMEOUT_BUDGET if path == "timeout" else {}),
    )
    return Case([*SMOKE, "--gates-config=gates.toml"], env, expect)


def _github_case(path: str, places: Places) -> Case:
    api_url = {
        "refused": f"http://127.0.0.1:{places.closed_port}",
        "unreachable": f"http://{NOWHERE}",
        "timeout": f"http://127.0.0.1:{places.silent_port}",
        "bad-password": places.github_refusing,
        "http-4xx": places.echo["4xx"],
        "http-5xx": places.echo["5xx"],
    }[path]
    env = developer_environ(
        GITHUB_API_URL=api_url, GITHUB_REPOSITORY=REPO, GITHUB_TOKEN=SECRETS["github-token"][0], GITHUB_SHA=HEAD
    )
    arguments = [STAGING_GREEN, "--gates-env", "production", "--gates-config=gates.toml"]
    if path == "timeout":
        arguments.append("--timeout=3")  # under the client's own 30 s: pytest-timeout fires mid-request
    expect = {
        "refused": "could not reach GitHub",
        "unreachable": "could not reach GitHub",
        "bad-password": REFUSALS["github"],
    }.get(path, EXPECTED[path])
    return Case(arguments, env, expect)


def _fly_case(path: str, cell: Path) -> Case:
    """fly_health on a fake flyctl in `cell`, whose `releases` calls fail the path's way."""
    fake = FakeFlyctl.install(cell)
    token = SECRETS["fly-token"][0]
    says = FLYCTL_SAYS.get(path, "").format(token=token)
    for app in FLY_APPS.values():
        fake.app(app, [release(app, 8, "v8")], [machine("3d8d1a2b3c4d5e", app, "v8")])
        fake.answer(f"releases --app {app}", stderr=f"{says}\n", exit=1, hang_s=30 if path == "timeout" else 0)
    env = developer_environ(**fake.variables(token), GATES_FLY_HEALTH_BUDGET_S="1")
    arguments = ["--pyargs", "fly", "-o", "python_files=gate_*.py", "-m", "post_deploy and fly_health"]
    arguments += ["--gates-env", "staging", "--gates-config=gates.toml"]
    if path == "timeout":
        arguments.append("--timeout=3")  # under flyctl's own 60 s: pytest-timeout fires while flyctl runs
    said = {"bad-password": REFUSALS["fly"], "unreachable": "no such host", "http-5xx": "502"}
    expect = said.get(path, EXPECTED[path])
    return Case(arguments, env, expect)


def _database_url(row: str, password: str, where: str, places: Places) -> str:
    """The smoke database URL of `row`'s form, at the closed or silent port, at a host name that does
    not resolve, or on the real server as the role that knows `password` (good) or as the one that
    does not (bad)."""
    role = BAD_ROLE if where == "bad" else GOOD_ROLE
    tcp = {"closed": ("127.0.0.1", places.closed_port), "silent": ("127.0.0.1", places.silent_port)}.get(where)
    tcp = (NOWHERE, 5432) if where == "nowhere" else tcp
    if row == "db-keywords":
        host = f"host={tcp[0]} port={tcp[1]}" if tcp else f"host={places.socket_dir}"
        return f"{host} user={role} password={password} dbname={places.database} connect_timeout=10"
    secret = password if row == "db-uri-slash" else quote(password, safe="")
    if tcp:
        return f"postgresql://{role}:{secret}@{tcp[0]}:{tcp[1]}/{places.database}"
    return f"postgresql://{role}:{secret}@/{places.database}?host={quote(places.socket_dir, safe='')}"


def _failure_sentence(written: str) -> str:
    """The line of the terminal that says why the gate failed."""
    openings = ("smoke failed ", "smoke gate cannot run", "staging_green cannot", "fly_health cannot")
    said = [
        line
        for line in written.splitlines()
        if line.startswith(openings) or (line.startswith("E ") and line.lstrip("E ").startswith("Failed: "))
    ]
    return (said or ["(no failure sentence)"])[0]


def _forms(secret: str) -> set[str]:
    """The secret as written, URL-encoded both ways, and each side of a `/` it holds."""
    sides = {side for side in secret.split("/") if len(side) >= 8} if "/" in secret else set()
    return {secret, quote(secret, safe=""), quote_plus(secret), *sides}


def _password_roles(database_url: str) -> None:
    """Two superuser roles that sign in with a password over the socket (scram-sha-256): the good
    one's is DB_PASSWORD, the bad one's is never sent, so the server refuses what a run sends."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        for role, password in ((GOOD_ROLE, DB_PASSWORD), (BAD_ROLE, BAD_ROLE_PASSWORD)):
            connection.execute(
                sql.SQL("CREATE ROLE {} SUPERUSER LOGIN PASSWORD {}").format(sql.Identifier(role), password)
            )
        hba_row = connection.execute("SHOW hba_file").fetchone()
        assert hba_row is not None
        hba = Path(hba_row[0])
        hba.write_text(f"local all {GOOD_ROLE},{BAD_ROLE} scram-sha-256\n" + hba.read_text())
        connection.execute("SELECT pg_reload_conf()")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _silent_listener() -> Iterator[int]:
    """A port whose connections the kernel accepts and nobody ever answers."""
    with socket.create_server(("127.0.0.1", 0), backlog=64) as listener:
        yield int(listener.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
