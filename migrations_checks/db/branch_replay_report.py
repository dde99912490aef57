"""The branch replay's report: JSON for machines, Markdown for the workflow's step summary."""

from __future__ import annotations

from typing import Any

from gates.excerpt import excerpt
from migrations_checks.db.branch_replay import BranchReplay


def report_json(replay: BranchReplay) -> dict[str, Any]:
    outcome, copy, seeded = replay.outcome, replay.copy, replay.seeded
    return {
        "target": copy.target,
        "copy": {
            "name": copy.name,
            "id": copy.id,
            "create_s": round(copy.create_s, 3),
            "lifetime_s": round(copy.lifetime_s, 3),
            "delete_s": round(copy.delete_s, 3),
            "swept": list(copy.swept),
        },
        "seeded": [{"table": s.table, "rows": s.rows, "skipped": s.skipped} for s in seeded],
        "pending": outcome.pending,
        "batch_s": round(outcome.batch_s, 4),
        "lock_sampling": {
            "interval_s": outcome.sample_interval_s,
            "samples": outcome.samples,
            "sampling_s": round(outcome.sample_seconds, 4),
        },
        "statements": [
            {
                "file": run.file,
                "line": run.line,
                "sql": excerpt(run.sql),
                "started_s": round(run.started_s, 4),
                "duration_s": round(run.ended_s - run.started_s, 4),
                "command": run.command,
                "rows": run.rows,
                "locks": [
                    {
                        "relation": span.name,
                        "kind": span.kind,
                        "mode": span.mode,
                        "waited_s": round(span.waited_s, 4),
                        "held_s": round(span.held_s, 4),
                        "blocks_writes": span.blocks_writes,
                    }
                    for span in run.locks
                ],
            }
            for run in outcome.statements
        ],
        "failure": None
        if outcome.failure is None
        else {"sqlstate": outcome.failure.sqlstate, "message": outcome.failure.message, "line": outcome.failure.line},
        "cancelled_at_budget": outcome.cancelled,
        "problems": outcome.problems,
    }


def report_markdown(replay: BranchReplay) -> str:
    outcome, copy, seeded = replay.outcome, replay.copy, replay.seeded
    verdict = "failed" if outcome.problems else "passed"
    lines = [
        f"### Migration replay on a copy of {copy.target}: {verdict}",
        "",
        f"Copy `{copy.name}` (created in {copy.create_s:.2f} s, lived {copy.lifetime_s:.2f} s until deleted); "
        f"{len(outcome.pending)} pending migration(s), batch {outcome.batch_s:.3f} s. "
        f"Locks sampled every {outcome.sample_interval_s * 1000:g} ms ({outcome.samples} samples) and after "
        "each statement; a lock's start is late by at most one interval, its end is the batch's end.",
        "",
    ]
    lines += [f"- {problem}" for problem in outcome.problems]
    lines += ["", "| statement | time | rows | locks (mode: waited + held) |", "|---|---:|---:|---|"]
    for run in outcome.statements:
        locks = "; ".join(
            f"{'**' if span.blocks_writes else ''}{span.mode} {span.name or '(new)'}"
            f"{'**' if span.blocks_writes else ''}: {span.waited_s:.3f} + {span.held_s:.3f} s"
            for span in run.locks
        )
        rows = "" if run.rows is None else str(run.rows)
        sql = excerpt(run.sql)[:100].replace("|", "\\|")
        lines.append(
            f"| {run.file}:{run.line} `{sql}` | {run.ended_s - run.started_s:.3f} s | {rows} | {locks or '-'} |"
        )
    skipped = [s for s in seeded if s.skipped]
    if seeded:
        lines += ["", f"Seeded {sum(s.rows for s in seeded)} row(s) into {len(seeded) - len(skipped)} table(s)."]
        lines += [f"- not seeded: {s.table}: {s.skipped}" for s in skipped]
    if copy.swept:
        lines += ["", f"Swept stale copies of killed runs: {', '.join(copy.swept)}."]
    return "\n".join(lines) + "\n"
