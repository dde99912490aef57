"""Run the rule catalogue over migration sets and collect findings.

Files are read in the order they are applied. Every file contributes to the schema history (what
exists, what was deprecated), whether or not it is reported: with `LintOptions.only`, applied
migrations give context and only the pending ones are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path

from migrations_checks.lint.bulk_read import fewer_full_collections, read_many
from migrations_checks.lint.context import History, LintOptions, StatementContext
from migrations_checks.lint.reader import MigrationFile, MigrationSet, read_migrations
from migrations_checks.lint.records.findings import Coverage, Finding, LintResult, Suppression
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.rules import Hit, Rule, all_rules, statement_rules
from migrations_checks.lint.severity import severity_of
from migrations_checks.lint.statements import FileStatements, Statement
from migrations_checks.lint.suppressions import Allow, FileSuppressions, Problem, deprecations
from migrations_checks.lint.transactions import Span, TransactionModel, applied_models


def lint_paths(paths: Sequence[Path], options: LintOptions) -> LintResult:
    return lint_sets(read_migrations(paths), options)


def lint_sets(sets: Sequence[MigrationSet], options: LintOptions) -> LintResult:
    with fewer_full_collections():
        return _lint_sets(sets, options)


def _lint_sets(sets: Sequence[MigrationSet], options: LintOptions) -> LintResult:
    result = LintResult()
    parsed, suppressed, coverage = [], [], Coverage()
    for migration_set in sets:
        files = read_many(migration_set.files)
        reported = [f for f in files if options.only is None or f.file.tag in options.only]
        findings, silenced = _lint_files(files, reported, options, one_batch=migration_set.journal is not None)
        findings.extend(_journal_findings(migration_set, options))
        parsed.extend(findings)
        suppressed.extend(silenced)
        result.files += len(reported)
        for file_statements in reported:
            result.statements += len(file_statements.statements)
            coverage = _add_coverage(coverage, file_statements.statements)
    result.findings = sorted(parsed, key=lambda f: (f.file, f.line, f.column, f.rule))
    result.suppressed = suppressed
    result.coverage = coverage
    return result


def lint_text(sql: str, options: LintOptions | None = None, name: str = "migration.sql") -> LintResult:
    """Lint one file's text, for tests and editor integrations."""
    migration = MigrationFile(path=Path(name), tag=Path(name).stem, text=sql)
    return lint_sets([MigrationSet(root=None, files=(migration,))], options or LintOptions())


def _add_coverage(total: Coverage, statements: Iterable[Statement]) -> Coverage:
    parsed, classified, opaque = total.parsed, total.classified, total.opaque
    for statement in statements:
        if statement.coverage == "parsed":
            parsed += 1
        elif statement.coverage == "classified":
            classified += 1
        else:
            opaque += 1
    return Coverage(parsed=parsed, classified=classified, opaque=opaque)


def _lint_files(
    files: Sequence[FileStatements], reported: Sequence[FileStatements], options: LintOptions, one_batch: bool
) -> tuple[list[Finding], list[Finding]]:
    history = History()
    findings: list[Finding] = []
    silenced: list[Finding] = []
    applied = applied_models(reported, options.transactional, one_batch)
    models = {id(f): model for f, model in zip(reported, applied, strict=True)}
    for file_statements in files:
        if id(file_statements) in models:
            active, quiet = _lint_file(file_statements, history, options, models[id(file_statements)])
            findings.extend(active)
            silenced.extend(quiet)
        else:
            for statement in file_statements.statements:
                history.record(statement)
        _record_deprecations(file_statements, history)
    return findings, silenced


def _lint_file(
    file_statements: FileStatements, history: History, options: LintOptions, transactions: TransactionModel
) -> tuple[list[Finding], list[Finding]]:
    statements = file_statements.statements
    source = _Source(file_statements.file)
    created: set[str] = set()
    findings: list[Finding] = []
    silenced: list[Finding] = []
    suppressions = FileSuppressions(all_rules())
    for index, statement in enumerate(statements):
        context = StatementContext(
            options=options,
            history=history,
            created_in_file=frozenset(created),
            later_in_file=Span(statements, index + 1),
            later_in_transaction=transactions.later_in_transaction(statement),
            earlier_in_transaction=transactions.earlier_in_transaction(statement),
            transaction_block=transactions.block(statement),
        )
        allows, problems = suppressions.above(statement)
        findings.extend(_problem_finding(p, source, options) for p in problems)
        for rule in statement_rules(frozenset(action.verb for action in statement.actions)):
            assert rule.check is not None
            for hit in rule.check(statement, context):
                finding = _finding(rule, hit, statement, source, options)
                allow = suppressions.silencer(allows, rule.id)
                if allow is None:
                    findings.append(finding)
                else:
                    silenced.append(_silenced(finding, allow))
        created.update(
            a.table
            for a in statement.actions
            if a.verb == "create_table" and a.table and not (a.if_not_exists and history.has_table(a.table))
        )
        # A table created in this file and renamed is still new under its new name.
        created.update(a.name for a in statement.actions if a.verb == "rename_table" and a.name and a.table in created)
        history.record(statement)
    for problem in suppressions.unused():
        findings.append(_comment_finding("unused-suppression", problem.message, problem.line, source, options))
    findings.extend(_problem_finding(p, source, options) for p in suppressions.stray(file_statements.comments))
    return findings, silenced


def _record_deprecations(file_statements: FileStatements, history: History) -> None:
    for deprecation in deprecations(file_statements.comments):
        history.deprecations.setdefault((deprecation.table, deprecation.column), file_statements.file.tag)


class _Source:
    """How findings name a file and quote its lines, worked out only for files with findings:
    resolving the path and splitting the lines of every file was a third of the rules' time."""

    def __init__(self, file: MigrationFile) -> None:
        self._file = file

    @cached_property
    def display(self) -> str:
        return display_path(self._file.path)

    @cached_property
    def _lines(self) -> list[str]:
        # Positions count "\n" only (as Postgres and editors do), so split the same way.
        return [line.removesuffix("\r") for line in self._file.text.split("\n")]

    def line(self, number: int) -> str:
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""


def _finding(rule: Rule, hit: Hit, statement: Statement, source: _Source, options: LintOptions) -> Finding:
    return Finding(
        rule=rule.id,
        severity=severity_of(rule, options.severity, hit, options.hot_tables),
        file=source.display,
        line=statement.line,
        column=statement.column,
        message=hit.message,
        hint=rule.hint,
        source_line=source.line(statement.line),
    )


def _silenced(finding: Finding, allow: Allow) -> Finding:
    suppression = Suppression(rules=allow.rules, reason=allow.reason, file=finding.file, line=allow.line)
    return Finding(**{**finding.__dict__, "suppressed_by": suppression})


def _comment_finding(rule_id: str, message: str, line: int, source: _Source, options: LintOptions) -> Finding:
    """A finding about a `gates:` comment rather than a statement."""
    rule = all_rules()[rule_id]
    return Finding(
        rule=rule.id,
        severity=severity_of(rule, options.severity),
        file=source.display,
        line=line,
        column=1,
        message=message,
        hint=rule.hint,
        source_line=source.line(line),
    )


def _problem_finding(problem: Problem, source: _Source, options: LintOptions) -> Finding:
    return _comment_finding("invalid-suppression", problem.message, problem.line, source, options)


def _journal_findings(migration_set: MigrationSet, options: LintOptions) -> Iterator[Finding]:
    for rule in all_rules().values():
        if rule.check_set is None:
            continue
        for hit in rule.check_set(migration_set):
            yield Finding(
                rule=rule.id,
                severity=severity_of(rule, options.severity),
                file=hit.file,
                line=hit.line,
                column=1,
                message=hit.message,
                hint=rule.hint,
            )
