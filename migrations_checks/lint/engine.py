"""Run the rule catalogue over migration sets and collect findings.

Files are read in the order they are applied. Every file contributes to the schema history (what
exists, what was deprecated), whether or not it is reported: with `LintOptions.only`, applied
migrations give context and only the pending ones are reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path

from msgspec.structs import replace

from migrations_checks.lint.bulk_read import fewer_full_collections, read_many
from migrations_checks.lint.cache import CachedOutcome, Distrusted, FileOutcome, SetCache, history_changes, replay
from migrations_checks.lint.context import LintOptions, StatementContext
from migrations_checks.lint.history import History
from migrations_checks.lint.reader import MigrationFile, MigrationSet, read_migrations
from migrations_checks.lint.records.findings import Coverage, Finding, LintResult, Suppression
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.rules import Hit, Rule, all_rules, statement_rules
from migrations_checks.lint.severity import severity_of
from migrations_checks.lint.statements import FileStatements, Statement, describe_failure, read_statements
from migrations_checks.lint.suppressions import Allow, FileSuppressions, Problem, deprecations
from migrations_checks.lint.transactions import Span, TransactionModel, applied_models, file_start, runner_start


def lint_paths(paths: Sequence[Path], options: LintOptions) -> LintResult:
    return lint_sets(read_migrations(paths), options)


def lint_sets(sets: Sequence[MigrationSet], options: LintOptions) -> LintResult:
    with fewer_full_collections():
        return _lint_sets(sets, options)


def _lint_sets(sets: Sequence[MigrationSet], options: LintOptions) -> LintResult:
    result = LintResult()
    parsed, suppressed, coverage = [], [], Coverage()
    for migration_set in sets:
        for outcome in _outcomes(migration_set, options):
            parsed.extend(outcome.findings)
            suppressed.extend(outcome.silenced)
            result.statements += outcome.statements
            coverage = _add_coverage(coverage, outcome.coverage)
        parsed.extend(_journal_findings(migration_set, options))
        result.files += sum(1 for file in migration_set.files if _reported(file, options))
    result.findings = sorted(parsed, key=lambda f: (f.file, f.line, f.column, f.rule))
    result.suppressed = suppressed
    result.coverage = coverage
    return result


def lint_text(sql: str, options: LintOptions | None = None, name: str = "migration.sql") -> LintResult:
    """Lint one file's text, for tests and editor integrations."""
    migration = MigrationFile(path=Path(name), tag=Path(name).stem, text=sql)
    return lint_sets([MigrationSet(root=None, files=(migration,))], options or LintOptions())


def _reported(file: MigrationFile, options: LintOptions) -> bool:
    return options.only is None or file.tag in options.only


def _add_coverage(total: Coverage, more: Coverage) -> Coverage:
    return Coverage(
        parsed=total.parsed + more.parsed,
        classified=total.classified + more.classified,
        opaque=total.opaque + more.opaque,
    )


def _coverage(statements: Iterable[Statement]) -> Coverage:
    kinds = Counter(statement.coverage for statement in statements)
    return Coverage(parsed=kinds["parsed"], classified=kinds["classified"], opaque=kinds["opaque"])


def _outcomes(migration_set: MigrationSet, options: LintOptions) -> list[FileOutcome]:
    """What each file of the set gives: from the cache where it holds the answer, else read."""
    one_connection = migration_set.journal is not None
    if options.cache is None:
        return _lint_files(migration_set.files, options, one_connection)
    cache = SetCache(options.cache, options, migration_set)
    try:
        outcomes = _lint_warm(migration_set.files, options, one_connection, cache)
    except Distrusted:
        outcomes = None
    if outcomes is None:
        outcomes = _lint_files(migration_set.files, options, one_connection)
        reported = [_reported(file, options) for file in migration_set.files]
        state = cache.start
        for index, (file, outcome) in enumerate(zip(migration_set.files, outcomes, strict=True)):
            if outcome.reads_earlier or outcome.reads_later:
                outcome.earlier_files, outcome.later_files = cache.neighbours(migration_set.files, reported, index)
            key = cache.key(file, reported[index], state)
            state = cache.state_after(state, file, outcome)
            cache.store(file, key, outcome, state)
    cache.save()
    return outcomes


def _lint_files(files: Sequence[MigrationFile], options: LintOptions, one_connection: bool) -> list[FileOutcome]:
    """Read and lint every file: the cold run."""
    history = History(postgres_version=options.postgres_version)
    every = read_many(files)
    reported = [f for f in every if _reported(f.file, options)]
    applied = applied_models(reported, options.transactional, one_connection)
    models = {id(f): model for f, model in zip(reported, applied, strict=True)}
    carry = runner_start(options.transactional) if one_connection else None
    outcomes = []
    for file_statements in every:
        model = models.get(id(file_statements))
        if model is None:
            outcome = _context_only(file_statements, history, carry)
        else:
            outcome = _lint_file(file_statements, history, options, model)
            if one_connection:
                outcome.open_after = carry = model.open_after(file_statements.statements, carry)
        outcomes.append(outcome)
    return outcomes


def _lint_warm(
    files: Sequence[MigrationFile], options: LintOptions, one_connection: bool, cache: SetCache
) -> list[FileOutcome] | None:
    """Each file's outcome from the cache, reading only the files it does not hold; None when a
    file read afresh turns out to depend on other files' statements (then all are read). Raises
    `Distrusted` when a cached entry proves malformed."""
    reported = [_reported(file, options) for file in files]
    history = History(postgres_version=options.postgres_version)
    unreplayed: list[tuple[str, CachedOutcome]] = []  # (tag, cached outcome) not yet in `history`
    state = cache.start
    carry = runner_start(options.transactional) if one_connection else None
    outcomes: list[FileOutcome] = []
    read_ahead: dict[int, FileStatements] = {}
    previous_missed = False
    for index, file in enumerate(files):
        key = cache.key(file, reported[index], state)
        cached = _cached(cache, files, reported, index, key)
        ahead = read_ahead.pop(index, None)
        if cached is not None:
            unreplayed.append((file.tag, cached))
            outcome = cached.outcome
            state = cached.state_after
        else:
            replay(unreplayed, history)
            unreplayed.clear()
            if ahead is None and previous_missed:
                # Two misses in a row: the state changed (or the cache is empty), so the files after
                # this one will miss too. Read them all at once, on several processes if many.
                ahead, *rest = read_many(files[index:])
                read_ahead = dict(enumerate(rest, start=index + 1))
            file_statements = ahead or read_statements(file)
            if not reported[index]:
                outcome = _context_only(file_statements, history, carry)
            else:
                start = (
                    file_start(carry, options.transactional) if one_connection else runner_start(options.transactional)
                )
                model = TransactionModel(file_statements.statements, start, shared=one_connection)
                outcome = _lint_file(file_statements, history, options, model)
                if one_connection:
                    outcome.open_after = model.open_after(file_statements.statements, carry)
            if outcome.reads_earlier or outcome.reads_later:
                return None
            state = cache.state_after(state, file, outcome)
            cache.store(file, key, outcome, state)
        previous_missed = not unreplayed  # a miss replays the cached outcomes and empties it
        outcomes.append(outcome)
        carry = outcome.open_after
    return outcomes


def _cached(
    cache: SetCache, files: Sequence[MigrationFile], reported: Sequence[bool], index: int, key: str
) -> CachedOutcome | None:
    """The file's cached outcome, unless it read other files' statements and those have changed."""
    cached = cache.load(files[index], key, display_path)
    if cached is None or not (cached.outcome.reads_earlier or cached.outcome.reads_later):
        return cached
    outcome = cached.outcome
    before, after = cache.neighbours(files, reported, index)
    if (outcome.reads_earlier and outcome.earlier_files != before) or (
        outcome.reads_later and outcome.later_files != after
    ):
        return None
    return cached


def _context_only(file_statements: FileStatements, history: History, carry: str | None) -> FileOutcome:
    """A file read for the history it builds (an applied migration), not reported on."""
    for statement in file_statements.statements:
        history.record(statement)
    return FileOutcome(
        findings=[],
        silenced=[],
        statements=0,
        coverage=Coverage(),
        changes=history_changes(a for s in file_statements.statements for a in s.actions),
        deprecations=_record_deprecations(file_statements, history),
        open_after=carry,
    )


def _lint_file(
    file_statements: FileStatements, history: History, options: LintOptions, transactions: TransactionModel
) -> FileOutcome:
    statements = file_statements.statements
    source = _Source(file_statements.file)
    history.enter(file_statements.file.tag)
    created: set[str] = set()
    findings: list[Finding] = []
    silenced: list[Finding] = []
    suppressions = FileSuppressions(all_rules())
    reads_earlier = reads_later = False
    for index, statement in enumerate(statements):
        later = transactions.later_in_transaction(statement)
        earlier = transactions.earlier_in_transaction(statement)
        context = StatementContext(
            options=options,
            history=history,
            created_in_file=frozenset(created),
            later_in_file=Span(statements, index + 1),
            later_in_transaction=later,
            earlier_in_transaction=earlier,
            transaction_block=transactions.block(statement),
        )
        allows, problems = suppressions.above(statement)
        findings.extend(_problem_finding(p, source, options) for p in problems)
        for rule in statement_rules(frozenset(action.verb for action in statement.actions)):
            for hit in _hits(rule, statement, context):
                finding = _finding(rule, hit, statement, source, options)
                allow = suppressions.silencer(allows, rule.id)
                if allow is None:
                    findings.append(finding)
                else:
                    silenced.append(_silenced(finding, allow))
        if earlier.read or later.read:
            before, after = transactions.reaches_other_files(statement)
            reads_earlier = reads_earlier or (earlier.read and before)
            reads_later = reads_later or (later.read and after)
        created.update(
            a.table for a in statement.actions if a.verb == "create_table" and a.table and history.creates(a)
        )
        for action in statement.actions:
            if action.verb == "rename_table" and action.table in created and action.name:
                # A table created in this file and renamed is still new under its new name.
                created.discard(action.table)
                created.add(action.name)
            elif action.verb == "drop_table":
                # Dropped, its name is free again, or names the table it hid (a TEMP table hides one).
                created -= {action.table, (action.table or "").removeprefix("pg_temp.")}
        history.record(statement)
    for problem in suppressions.unused():
        findings.append(_comment_finding("unused-suppression", problem.message, problem.line, source, options))
    findings.extend(_problem_finding(p, source, options) for p in suppressions.stray(file_statements.comments))
    return FileOutcome(
        findings=findings,
        silenced=silenced,
        statements=len(statements),
        coverage=_coverage(statements),
        changes=history_changes(a for s in statements for a in s.actions),
        deprecations=_record_deprecations(file_statements, history),
        open_after=None,
        reads_earlier=reads_earlier,
        reads_later=reads_later,
    )


def _record_deprecations(file_statements: FileStatements, history: History) -> tuple[tuple[str, str | None], ...]:
    """Record the file's deprecation markers, and return them."""
    marked = tuple((d.table, d.column) for d in deprecations(file_statements.comments))
    for key in marked:
        history.deprecations.setdefault(key, file_statements.file.tag)
    return marked


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


def _hits(rule: Rule, statement: Statement, context: StatementContext) -> list[Hit]:
    """What `rule` finds in `statement`. A rule that raises (a bug of ours) finds an error saying so:
    the bug fails this statement, never the whole lint, and never passes the statement unchecked."""
    assert rule.check is not None
    try:
        return list(rule.check(statement, context))
    except Exception as error:
        message = (
            f"{rule.id} failed on this statement ({describe_failure(error)}), a bug in deploy-gates to report; "
            f"check the statement by hand for what {rule.id} looks for"
        )
        return [Hit(message, severity="error")]


def _finding(rule: Rule, hit: Hit, statement: Statement, source: _Source, options: LintOptions) -> Finding:
    return Finding(
        rule=rule.id,
        severity=severity_of(rule, options.severity, hit, options.hot_tables),
        file=source.display,
        line=statement.line,
        column=statement.column,
        message=hit.message,
        hint=hit.hint or rule.hint,
        source_line=source.line(statement.line),
    )


def _silenced(finding: Finding, allow: Allow) -> Finding:
    suppression = Suppression(rules=allow.rules, reason=allow.reason, file=finding.file, line=allow.line)
    return replace(finding, suppressed_by=suppression)


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
