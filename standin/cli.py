"""`python -m standin up|down|status`: the whole stand-in stack on an embedded Postgres.

`up` starts an embedded Postgres (the `pgserver` wheel) with its data in `.gates/standin/pgdata`
under the current folder, creates the `atlaris` database, gives it the schema (prelude, then the
configured migrations through our migrator), creates the smoke-test user and starts the API and
both workers. It writes the smoke gate's inputs to `.gates/standin/smoke.env` (mode 600: it holds
the API key, which is never printed), where the local smoke finds them (`standin.inputs`). `down`
stops the processes gracefully, then Postgres; the data stays for the next `up` (delete
`.gates/standin` for a fresh one). Its inputs (`gates.toml`, the migrations folder, the knobs) are
read before anything starts, so a wrong one costs no Postgres start. An `up` that fails, at any
step, stops whatever it had started, Postgres included, and keeps the logs: a failed start never
leaves a server behind that the next `up` or a test would trip over. A worker that a fault in
`STANDIN_FAULTS` makes exit at start (`worker_exit`, `worker_no_start`) is a warning, not a
failure, so drills can start a broken stack.
Faults and knobs come from the environment of `up` (see `standin.settings` and `standin.faults`).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from psycopg import sql

from gates.config import ConfigError, GatesConfig, find_config, load_config
from gates.connect import ConnectBudget, ConnectError, connect
from gates.dsn import mask, with_database
from gates.scratch_db import EmbeddedStartError, start_embedded
from migrations_checks.db.run_sql import StatementError
from migrations_checks.lint.reader import InputError, read_configured
from standin.faults import EXITS_AT_START, FAULTS_ENV, Fault, parse_faults
from standin.inputs import SMOKE_ENV, STATE_DIR, write_smoke_env
from standin.schema import bootstrap
from standin.settings import DEFAULT_PORT, SettingsError, StandinSettings
from standin.stack import Stack

if TYPE_CHECKING:
    from pgserver import PostgresServer

DATABASE = "atlaris"
CONNECT_BUDGET_S = 10.0  # the embedded server answers at once; this only bounds a broken one


class CliError(Exception):
    """One sentence for the user; the command exits 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m standin", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="gates.toml (default: the nearest one above this folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start Postgres, apply migrations, start the API and workers")
    up.add_argument("--port", type=int, help="API port (default: the port of [environments.local] api_url)")
    commands.add_parser("down", help="stop the API, the workers and Postgres")
    commands.add_parser("status", help="show what runs and whether it answers")
    args = parser.parse_args(argv)
    state = Path.cwd() / STATE_DIR
    try:
        if args.command == "up":
            return _up(state, args.config, args.port)
        if args.command == "down":
            return _down(state)
        return _status(state)
    except (CliError, ConfigError, ConnectError, InputError, SettingsError, StatementError) as error:
        print(f"standin: {error}", file=sys.stderr)
        return 1


def _up(state: Path, config_path: Path | None, port: int | None) -> int:
    if (state / "state.json").exists() and any(c.exit_code() is None for c in _load(state).components):
        raise CliError("the stand-in is already running here; run `python -m standin down` first")
    config = load_config(config_path or find_config(Path.cwd()))
    port = port or urlsplit(config.environment("local").api_url or "").port or DEFAULT_PORT
    # Every input is read before anything starts: a wrong path or knob costs no Postgres start (on
    # a loaded runner, initdb alone takes many seconds). The URL is known once Postgres runs.
    settings = StandinSettings.from_env({**os.environ, "DATABASE_URL": "not started yet"})
    read_configured(config.migrations)
    state.mkdir(parents=True, exist_ok=True)
    server = _start_postgres(state / "pgdata")  # outlives this command...
    try:
        database_url = _create_database(server.get_uri())
        _serve(state, config, port, replace(settings, database_url=database_url))
    except BaseException:
        server.cleanup_mode = "stop"  # ...unless `up` fails: then nothing it started is left running
        server.cleanup()
        raise
    print(f"standin: smoke inputs in {SMOKE_ENV}, found by the local smoke: pytest -m smoke --gates-env local")
    return 0


def _start_postgres(pgdata: Path) -> PostgresServer:
    """The embedded server on `pgdata`, left running when this command ends; one that fails to start is a CliError."""
    try:
        return start_embedded(pgdata, cleanup_mode=None)
    except EmbeddedStartError as error:
        next_step = (
            "it may still be starting: run `python -m standin up` again to use it, "
            "or `python -m standin down` to stop it"
            if error.may_still_start
            else "the output above says why"
        )
        where = STATE_DIR / pgdata.name
        raise CliError(f"the embedded Postgres in {where} did not start ({error.why}); {next_step}") from None


def _serve(state: Path, config: GatesConfig, port: int, settings: StandinSettings) -> None:
    """Give the database its schema and start the stack on it; a part that does not come up is an error."""
    database_url = settings.database_url
    result = bootstrap(database_url, config.migrations, settings.test_user)
    applied = ", ".join(migration.tag for migration in result.applied) or "none pending"
    print(f"standin: Postgres {mask(database_url)}; migrations applied: {applied}")
    api_key = settings.api_key or secrets.token_urlsafe(24)
    stack = Stack.start(database_url, api_key=api_key, log_dir=state / "logs", port=port)
    try:
        problems = stack.wait_ready()
        for component in stack.components:
            print(f"standin: {component.name} pid {component.pid} {problems.get(component.name, component.url)}")
        for name, faults in _exiting_on_purpose(stack, problems).items():
            del problems[name]
            print(
                f"standin: warning: {name} is down on purpose ({FAULTS_ENV} has {', '.join(sorted(faults))}); "
                "its jobs stay pending until a stand-in without the fault runs",
                file=sys.stderr,
            )
        if problems:
            raise CliError(
                f"not every part came up ({', '.join(sorted(problems))}); everything was stopped, "
                f"the logs are in {STATE_DIR / 'logs'}"
            )
        (state / "state.json").write_text(json.dumps(stack.to_json(), indent=2), encoding="utf-8")
        write_smoke_env(
            state / SMOKE_ENV.name,
            {
                "SMOKE_TEST_API_URL": stack.api_url,
                "SMOKE_TEST_DATABASE_URL": database_url,
                "SMOKE_TEST_API_KEY": api_key,
                "SMOKE_TEST_CLERK_USER_ID": settings.test_user,
            },
        )
    except BaseException:
        stack.stop()
        raise


def _exiting_on_purpose(stack: Stack, problems: dict[str, str]) -> dict[str, frozenset[Fault]]:
    """The workers that exited because a fault in `STANDIN_FAULTS` makes them exit at start (a drill's doing)."""
    found = {}
    for component in stack.components:
        if component.name in problems and component.exit_code() is not None:
            faults = parse_faults(os.environ.get(FAULTS_ENV), component.name) & EXITS_AT_START
            if faults and component.name != "api":
                found[component.name] = faults
    return found


def _down(state: Path) -> int:
    if (state / "state.json").exists():
        stack = _load(state)
        stack.stop()
        print("standin: stopped " + ", ".join(f"{c.name} (pid {c.pid})" for c in stack.components))
        (state / "state.json").unlink()
    (state / "smoke.env").unlink(missing_ok=True)
    pgdata = state / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        import pgserver  # only needed when there is a server to stop

        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()
        print("standin: stopped Postgres")
    return 0


def _status(state: Path) -> int:
    if not (state / "state.json").exists():
        print("standin: not running here")
        return 1
    healthy = True
    for component in _load(state).components:
        code = component.exit_code()
        ready = code is None and component.ready()
        healthy = healthy and ready
        condition = "ready" if ready else ("running, not answering" if code is None else f"exited ({code})")
        print(f"{component.name:<12} pid {component.pid:<8} {condition:<24} {component.url}")
    return 0 if healthy else 1


def _load(state: Path) -> Stack:
    return Stack.from_json(json.loads((state / "state.json").read_text(encoding="utf-8")))


def _create_database(admin_url: str) -> str:
    """The URL of the `atlaris` database on the server at `admin_url`, created when missing."""
    with connect(admin_url, budget=ConnectBudget(CONNECT_BUDGET_S)) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    return with_database(admin_url, DATABASE)
