"""Gate `pre_deploy and migration_replay_branch`: the pending migrations, on a copy of the target's data.

An empty scratch database cannot show what depends on data: `SET NOT NULL` over NULLs, a unique
index over duplicates, a rewrite that locks four million rows. This gate copies the target (a Neon
branch of the environment's `neon_branch`; on `local`, `CREATE DATABASE ... TEMPLATE` of the
environment's database, optionally seeded with `[branch_replay] rows_per_table`), applies what is
pending there with the suite's migrator, and fails on a failing statement, on a blocking lock
held or waited for longer than its budget, or on a batch over its budget. The copy is deleted
however the run ends; stale copies of killed runs are swept first. The target is never written.
"""

from __future__ import annotations

import json
import os

import pytest
from psycopg.conninfo import conninfo_to_dict

from gates.config import Environment, GatesConfig
from gates.connect import ConnectBudget
from gates.dsn import database_name
from gates.failclosed import fail
from gates.inputs import Inputs, database_url
from gates.neon import NeonClient, branch_access
from migrations_checks.db.branch_copy import CopyProvider, LocalTemplateCopies, new_run_id
from migrations_checks.db.branch_copy_neon import NeonBranchCopies
from migrations_checks.db.branch_replay import BranchReplay, replay_on_a_new_copy
from migrations_checks.db.branch_replay_report import report_json, report_markdown
from migrations_checks.db.guard import protected_urls
from migrations_checks.db.migrator import journal_migrations
from migrations_checks.failing import failing_clearly
from migrations_checks.lint.reader import read_configured

pytestmark = [pytest.mark.pre_deploy, pytest.mark.migration_replay_branch]

REPORT_NAME = "migration-replay-branch"


def test_pending_migrations_on_a_copy_of_the_target(
    gates_config: GatesConfig, gates_env: Environment, connect_budget: ConnectBudget
) -> None:
    settings, budgets = gates_config.migrations, gates_config.branch_replay
    with failing_clearly("cannot read the migrations"):
        migrations = read_configured(settings)
        journal_migrations(migrations)
    provider = _copies(gates_config, gates_env, connect_budget)
    with failing_clearly(f"cannot replay the pending migrations on a copy of {provider.description}"):
        replay = replay_on_a_new_copy(
            provider,
            migrations,
            settings,
            budgets,
            run_id=new_run_id(os.environ),
            connect_budget=connect_budget,
            seed_rows=budgets.rows_per_table if gates_env.is_local else 0,
        )
    markdown = _publish(replay, gates_config)
    print(markdown)
    if replay.outcome.problems:
        listing = "\n".join(f"  {problem}" for problem in replay.outcome.problems)
        fail(
            f"{len(replay.outcome.problems)} problem(s) replaying the pending migrations on a copy of "
            f"{replay.copy.target}:\n{listing}"
        )


def _copies(config: GatesConfig, environment: Environment, budget: ConnectBudget) -> CopyProvider:
    inputs = Inputs()
    how = (
        f"the gate copies the {environment.name} database to replay its pending migrations; "
        "set it to that database's URL"
    )
    target = inputs.read(lambda: database_url(os.environ, environment.database_url_env, how))
    access = None if environment.is_local else inputs.read(lambda: branch_access(environment, os.environ))
    inputs.settle(environment, "cannot replay on a copy: ")
    assert target is not None
    if access is None:  # local: a template copy on the database's own server
        with failing_clearly("cannot copy the local database"):
            return LocalTemplateCopies(target, connect_budget=budget)
    client = NeonClient.of(access)
    return NeonBranchCopies(
        client,
        project_id=client.project_id,
        parent=environment.neon_branch or "",
        # The branch holds the parent's databases and roles: the target URL's are the ones to use.
        database=database_name(target) or "neondb",
        role=str(conninfo_to_dict(target).get("user") or "neondb_owner"),
        budget_s=config.branch_replay.copy_budget_s,
        protected=protected_urls(config),
    )


def _publish(replay: BranchReplay, config: GatesConfig) -> str:
    """Write the JSON and Markdown reports where configured, and the Markdown to the step summary."""
    markdown = report_markdown(replay)
    folder = config.branch_replay.report_dir
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{REPORT_NAME}.json").write_text(json.dumps(report_json(replay), indent=2) + "\n")
        (folder / f"{REPORT_NAME}.md").write_text(markdown)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    return markdown
