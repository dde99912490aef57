"""The migrations a pull request adds or changes, and the findings only a pull request can have.

Only those migrations are reported; the whole history is still read for context (what exists and
what was deprecated), and the journal's own problems are always reported. A deprecation marker
and the drop relying on it must not arrive in the same pull request: the release that stops using
the object has to be deployed on its own first, or the drop runs under code that still uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from msgspec.structs import replace

from gates.git_changes import Change
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.deprecations import ReliedDeprecation, relied_deprecations
from migrations_checks.lint.engine import lint_sets
from migrations_checks.lint.reader import MigrationSet, is_migration_name
from migrations_checks.lint.records.findings import Finding, LintResult
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.rules import all_rules

_STILL_PRESENT = frozenset("AMRCT")  # git statuses of a file HEAD has (D: deleted)


@dataclass(frozen=True)
class ChangedMigrations:
    touched: bool  # anything in the migrations folder changed (a journal edit or a deletion too)
    tags: frozenset[str]  # migrations added or changed, the ones reported


def changed_migrations(folder: Path, root: Path, changes: Iterable[Change]) -> ChangedMigrations:
    """Sort `changes` (paths relative to the repository `root`) into what the review lints."""
    touched = False
    tags = set()
    for change in changes:
        path = root / change.path
        touched = True  # git was asked for the folder's changes only
        if (
            change.status in _STILL_PRESENT
            and is_migration_name(path.name)
            and path.parent.resolve() == folder.resolve()
        ):
            tags.add(path.name.removesuffix(".sql"))
    return ChangedMigrations(touched, frozenset(tags))


def lint_pull_request(migration_set: MigrationSet, tags: frozenset[str], options: LintOptions) -> LintResult:
    result = lint_sets([migration_set], replace(options, only=tags))
    relied = [r for r in relied_deprecations(migration_set.files, tags) if r.deprecated_in in tags]
    return _with_same_pull_request_drops(result, migration_set, relied)


def _with_same_pull_request_drops(
    result: LintResult, migration_set: MigrationSet, relied: list[ReliedDeprecation]
) -> LintResult:
    """`result` with each drop that relies on a deprecation of this pull request raised to an
    error: the lint reported it as info, since it only sees the order of the files."""
    paths = {file.tag: display_path(file.path) for file in migration_set.files}
    by_statement: dict[tuple[str, int], list[ReliedDeprecation]] = {}
    for item in relied:
        by_statement.setdefault((paths[item.migration], item.line), []).append(item)
    findings = [f for f in result.findings if not _is_replaced(f, by_statement)]
    for (file, line), items in by_statement.items():
        findings.append(_error(file, line, items, result.findings))
    findings.sort(key=lambda f: (f.file, f.line, f.column, f.rule))
    return replace(result, findings=findings)


def _is_replaced(finding: Finding, by_statement: dict[tuple[str, int], list[ReliedDeprecation]]) -> bool:
    return finding.rule in ("drop-column", "drop-table") and (finding.file, finding.line) in by_statement


def _error(file: str, line: int, items: list[ReliedDeprecation], findings: list[Finding]) -> Finding:
    rule = all_rules()["drop-column" if "." in items[0].target else "drop-table"]
    lint_finding = next((f for f in findings if _is_replaced(f, {(file, line): items})), None)
    kind = "column" if rule.id == "drop-column" else "table"
    targets = ", ".join(f"{item.target} (deprecated in {item.deprecated_in})" for item in items)
    return Finding(
        rule=rule.id,
        severity="error",
        file=file,
        line=line,
        column=lint_finding.column if lint_finding else 1,
        message=(
            f"drops {kind} {targets} in the same pull request as its deprecation: the release that stops "
            "using it is never deployed on its own, so the running release may still use it"
        ),
        hint="merge and deploy the deprecation first; drop in a later pull request",
        source_line=lint_finding.source_line if lint_finding else "",
    )
