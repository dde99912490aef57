"""What the linter knows around a statement: the options, the schema so far (`history.py`), and the
statements around it, in its file and in its transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from msgspec import Struct, field
from msgspec.structs import replace

from gates.config import ConfigError, GatesConfig, Severity
from migrations_checks.lint.history import History
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.sql.words import normalize_name
from migrations_checks.lint.statements import Statement
from migrations_checks.lint.suppressions import deprecated_in

# Rules a project may not lower: they are what keeps the gate from passing what it did not examine.
_FIXED_ERRORS = {
    "unparseable-statement": "the gate never passes a statement it cannot read",
    "invalid-suppression": "a suppression without a reason, or naming no known rule, must not pass",
}


def check_severity_overrides(severity: Mapping[str, Severity], source: object, rule_ids: Collection[str]) -> None:
    """Refuse a `[migrations.severity]` id that is not one of `rule_ids` (a misspelling) and a
    lowered rule that keeps the gate closed; run on every gates.toml as it is loaded (through
    migrations_checks.config_check)."""
    for rule_id in sorted(severity):
        if rule_id not in rule_ids:
            raise ConfigError(f"migrations.severity.{rule_id} in {source} is not a known rule id; check its spelling")
        if rule_id in _FIXED_ERRORS and severity[rule_id] != "error":
            raise ConfigError(
                f"migrations.severity.{rule_id} in {source} cannot be lowered from error: {_FIXED_ERRORS[rule_id]}"
            )


class LintOptions(Struct, frozen=True):
    """What a lint is told: the runner, the target server, the hot tables and severities."""

    transactional: bool = True  # the runner wraps migrations in a transaction (Drizzle does)
    postgres_version: int = 16
    hot_tables: frozenset[str] = frozenset()  # locking rules are errors on these
    severity: Mapping[str, Severity] = field(default_factory=dict)
    # Migration tags to report on; the others are read for context only (None: report all).
    only: frozenset[str] | None = None
    # The folder whose `.gates_cache/` keeps results between runs (the gates.toml's); None: no cache.
    cache: Path | None = None

    @classmethod
    def from_config(cls, config: GatesConfig, **overrides: object) -> LintOptions:
        """Options from gates.toml's `[migrations]` table, whose rule ids `load_config` has checked."""
        settings = config.migrations
        options = cls(
            transactional=settings.transactional,
            postgres_version=settings.postgres_version,
            hot_tables=frozenset(normalize_name(name) for name in settings.hot_tables),
            severity=settings.severity,
            cache=config.source.parent if config.source else None,
        )
        return replace(options, **overrides)


class StatementContext(Struct):
    """Everything a rule may ask about one statement's surroundings."""

    options: LintOptions
    history: History
    created_in_file: frozenset[str]  # tables created by earlier statements of the same file
    later_in_file: Sequence[Statement]
    # The other statements of its transaction, and the block it runs inside (None: autocommit),
    # by the model in transactions.py.
    later_in_transaction: Sequence[Statement] = ()
    earlier_in_transaction: Sequence[Statement] = ()
    transaction_block: str | None = None

    def is_new(self, table: str | None) -> bool:
        """Created earlier in this file: nobody can be using it yet, and it holds no rows."""
        return table is not None and table in self.created_in_file

    def holds_no_live_rows(self, table: str | None) -> bool:
        """A table created earlier in this file, or a TEMP table: emptying it loses nothing that
        outlives the migration."""
        return self.is_new(table) or self.history.is_temporary(table)

    def settled_later(self, statement: Statement) -> list[Statement]:
        """The later statements of the same file and transaction that surely run and stay, for the
        rules that a later statement excuses: none in a DO block (its statements may be skipped), and
        none at all when a ROLLBACK among them may undo them (ROLLBACK TO SAVEPOINT)."""
        later = [other for other in self.later_in_transaction if other.file is statement.file]
        if any(other.kind == "ROLLBACK" for other in later):
            return []
        return [other for other in later if other.do_block is None]

    def deprecated_by(self, table: str | None, column: str | None = None) -> str | None:
        """The earlier migration that deprecated this table or column, if any."""
        return None if table is None else deprecated_in(self.history.deprecations, table, column)


def domain_tables(domain: str, context: StatementContext) -> list[str] | None:
    """The tables a change to a domain's constraints must check, those created earlier in the same
    file aside (they hold no rows); None when the history does not show the domain, so any table
    may use it."""
    if domain not in context.history.domains:
        return None
    return [table for table in context.history.tables_using(domain) if not context.is_new(table)]


def table_actions(table: str | None, statements: Iterable[Statement]) -> Iterator[tuple[Action, bool]]:
    """Each action of the statements, and whether it acts on `table` under the name the table has by
    then: `RENAME TO` and `SET SCHEMA` move it, and what hangs on it (its policies, its row level
    security) goes with it."""
    current = table
    for statement in statements:
        for action in statement.actions:
            yield action, current is not None and action.table == current
            if action.verb == "rename_table" and action.table == current:
                current = action.name
