"""The Fly host tests' staging and production: their apps, machines, secrets, the workers' code,
and the gates.toml that names them (the fixtures over them are in tests/fly/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

APPS = {
    "staging": {"worker": "atlaris-worker-staging", "regenerator": "atlaris-worker-regenerator-staging"},
    "production": {"worker": "atlaris-worker-prod", "regenerator": "atlaris-worker-regenerator-prod"},
}
MACHINE = {"staging": "3d8d1a2b3c4d5e", "production": "9f8e7d6c5b4a39"}  # one started machine per app
STAGING_URL = "postgresql://app:s3cret-staging@staging.db.example/atlaris"
PROD_URL = "postgresql://app:s3cret-prod@prod.db.example/atlaris"
DATABASE_URLS = {"staging": STAGING_URL, "production": PROD_URL}
AI_API_KEYS = {"staging": "sk-staging-s3cret", "production": "sk-prod-s3cret"}
HOST_GATES_TOML = """
[fly]
required_secrets = ["DATABASE_URL", "AI_API_KEY"]
per_environment_secrets = ["DATABASE_URL", "AI_API_KEY"]
"""
# A worker: binds its health port as root, then drops to the image's user 10001, as the Dockerfile runs it
# (TEST_WORKER_UID=0: stays root); its /health answers TEST_HEALTH_STATUS, 200 unless set.
WORKER_CODE = """
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = int(os.environ.get("TEST_HEALTH_STATUS", "200"))
        self.send_response(ok if self.path == "/health" else 404); self.end_headers()
    def log_message(self, *a): pass
server = http.server.HTTPServer(("127.0.0.1", int(os.environ["WORKER_HEALTH_PORT"])), H)
uid = int(os.environ.get("TEST_WORKER_UID", "10001"))
os.setgid(uid); os.setuid(uid)
server.serve_forever()
"""
Entrypoints = dict[str, dict[str, str]]  # environment -> role -> the file its fly.toml runs


def host_gates_toml(folder: Path, entrypoints: Entrypoints, environments: tuple[str, ...] = tuple(APPS)) -> None:
    """gates.toml for host_checks with `environments`' apps, each role's fly.toml running its entry point."""
    text = HOST_GATES_TOML
    for env in environments:
        files = {}
        for role, entry in entrypoints[env].items():
            files[role] = f"fly.{env}.{role}.toml"
            (folder / files[role]).write_text(f'[processes]\napp = "pnpm tsx {entry}"\n', encoding="utf-8")
        apps = APPS[env]
        text += f"""[environments.{env}]
fly_apps = {{ worker = "{apps["worker"]}", regenerator = "{apps["regenerator"]}" }}
[environments.{env}.fly]
config_files = {{ worker = "{files["worker"]}", regenerator = "{files["regenerator"]}" }}
"""
    (folder / "gates.toml").write_text(text, encoding="utf-8")


def both(
    start_worker: Callable[..., None],
    entrypoints: Entrypoints,
    env_name: str = "staging",
    files: dict[str, str] | None = None,
    /,
    **worker_env: str | None,
) -> None:
    """Start `env_name`'s two workers; `worker_env` applies to the worker only (None unsets). The
    parameters before it are positional only, so no variable's name can be taken for one of them."""
    start_worker(entrypoints[env_name]["worker"], files, env_name=env_name, **worker_env)
    start_worker(entrypoints[env_name]["regenerator"], files, env_name=env_name)
