"""What the linter knows around a statement: options, the schema so far, and the transaction.

The schema is rebuilt from the history itself (tables and their column types, indexes, recorded
deprecations), so no live database is needed to tell a new table from an existing one or a safe
varchar widening from a rewrite.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from msgspec import Struct, field
from msgspec.structs import replace

from gates.config import ConfigError, GatesConfig, Severity
from migrations_checks.lint.extract.domains import NOT_NULL
from migrations_checks.lint.records.actions import Action, Verb
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


# The verbs whose actions `History.record` keeps, and of those the ones it keeps the migration's tag for.
RECORDED_VERBS: frozenset[Verb] = frozenset(
    {
        "add_check",
        "validate_constraint",
        "drop_constraint",
        "rename_constraint",
        "create_table",
        "add_column",
        "alter_column_type",
        "drop_column",
        "rename_column",
        "rename_table",
        "drop_table",
        "drop_object",
        "set_not_null",
        "drop_not_null",
        "add_primary_key",
        "set_default",
        "drop_default",
        "enable_rls",
        "disable_rls",
        "force_rls",
        "no_force_rls",
        "create_policy",
        "rename_policy",
        "drop_policy",
        "create_function",
        "create_index",
        "rename_index",
        "drop_index",
        "create_type",
        "add_enum_value",
        "rename_enum_value",
        "drop_type",
        "create_domain",
        "alter_domain",
        "create_extension",
        "rename_type",
    }
)
TAGGED_VERBS: frozenset[Verb] = frozenset({"add_check", "validate_constraint"})


class History(Struct):
    """The schema as built by the statements read so far."""

    # table -> column -> (type, collation), the collation None for the type's default
    columns: dict[str, dict[str, tuple[str, str | None]]] = field(default_factory=dict)
    index_tables: dict[str, str] = field(default_factory=dict)  # index -> table
    index_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # index -> its plain columns
    # table -> its columns known NOT NULL; a table missing here has nullability unknown
    not_null: dict[str, set[str]] = field(default_factory=dict)
    # table -> its columns with a default; a table missing here has defaults unknown
    defaults: dict[str, set[str]] = field(default_factory=dict)
    deprecations: dict[tuple[str, str | None], str] = field(default_factory=dict)  # -> migration tag
    # CHECK (column IS NOT NULL) constraints: (table, constraint) -> column, and the migration that
    # made each one valid (absent while it is NOT VALID).
    not_null_checks: dict[tuple[str, str], str] = field(default_factory=dict)
    validated_by: dict[tuple[str, str], str] = field(default_factory=dict)
    temporary_tables: set[str] = field(default_factory=set)
    # The policies of each table the history created: a table missing here has policies unknown.
    policies: dict[str, set[str]] = field(default_factory=dict)
    # Function name -> its overloads, by their input parameters -> the fewest and the most
    # arguments a call passes it (-1: any number) and its IMMUTABLE, STABLE or VOLATILE.
    functions: dict[str, dict[str, tuple[int, int, str]]] = field(default_factory=dict)
    partitioned: set[str] = field(default_factory=set)  # tables created PARTITION BY
    # The labels of each enum the history created: an enum missing here has labels unknown.
    enums: dict[str, set[str]] = field(default_factory=dict)
    # The constraints of each domain the history created or constrained (see extract/domains.py):
    # a domain missing here has constraints unknown.
    domains: dict[str, set[str]] = field(default_factory=dict)
    domain_types: dict[str, str] = field(default_factory=dict)  # domain -> the type it is over
    domain_defaults: set[str] = field(default_factory=set)  # domains with a default
    extensions: set[str] = field(default_factory=set)  # those the history created
    # Of the tables the history created, those with row level security enabled, and forced.
    row_security: set[str] = field(default_factory=set)
    forced_row_security: set[str] = field(default_factory=set)

    def has_table(self, table: str) -> bool:
        return table in self.columns

    def is_index(self, name: str | None) -> bool:
        """Whether the history shows `name` is an index, and no table of that name."""
        return name in self.index_tables and name not in self.columns

    def is_temporary(self, table: str | None) -> bool:
        """A TEMP table the history created, or any table of the session's own `pg_temp` schema."""
        return table is not None and (table in self.temporary_tables or table.startswith("pg_temp."))

    def has_enum_label(self, enum: str | None, label: str) -> bool:
        """Whether the history shows that `enum` already has the label."""
        return label in self.enums.get(enum or "", ())

    def row_security_off(self, table: str | None, forced: bool = False) -> bool:
        """Whether the history shows the table's row level security (or, `forced`, its forcing on
        the owner) off: it created the table and has not switched it on since."""
        switched = self.forced_row_security if forced else self.row_security
        return table in self.columns and table not in switched

    def lacks_policy(self, table: str | None, name: str | None) -> bool:
        """Whether the history shows that `table` has no policy `name` (it created the table and
        every policy on it since)."""
        return table in self.policies and name not in self.policies[table]

    def column_type(self, table: str | None, column: str | None) -> tuple[str, str | None] | None:
        """The column's type and collation, if the history created the column."""
        if table is None or column is None:
            return None
        return self.columns.get(table, {}).get(column)

    def volatilities(self, function: str, arguments: int) -> list[str]:
        """The volatility of each overload the history created that a call of `function` with
        this many arguments may run."""
        return [
            volatility
            for fewest, most, volatility in self.functions.get(function, {}).values()
            if fewest <= arguments and (most == -1 or arguments <= most)
        ]

    def _domain_chain(self, type_name: str | None) -> list[str]:
        """The domain and the domains it is over, nearest first; [] if it is no domain of the history's."""
        chain: list[str] = []
        while type_name in self.domains and type_name not in chain:
            chain.append(type_name)
            type_name = self.domain_types.get(type_name)
        return chain

    def is_constrained_domain(self, type_name: str | None) -> bool:
        """Whether the history shows that `type_name` is a domain with a CHECK or NOT NULL, its own
        or one of the domain it is over."""
        return any(self.domains[domain] for domain in self._domain_chain(type_name))

    def not_null_domain(self, type_name: str | None) -> bool:
        """Whether `type_name` is a domain that refuses NULL and fills no default: a column of it
        cannot be added to a table with rows."""
        chain = self._domain_chain(type_name)
        return any(NOT_NULL in self.domains[d] for d in chain) and chain[0] not in self.domain_defaults

    def tables_using(self, type_name: str) -> list[str]:
        """The tables the history shows with a column of this type, or of a domain over it."""
        return [
            table
            for table, columns in self.columns.items()
            if any(type_name in self._domain_chain(t) or t == type_name for t, _ in columns.values())
        ]

    def not_null_proven_by(self, table: str | None, column: str | None) -> str | None:
        """The migration that validated a `CHECK (column IS NOT NULL)` on the table, if any."""
        for key, checked in self.not_null_checks.items():
            if key[0] == table and checked == column and key in self.validated_by:
                return self.validated_by[key]
        return None

    def record(self, statement: Statement) -> None:
        self.record_actions(statement.file.tag, statement.actions)

    def record_actions(self, tag: str, actions: Iterable[Action]) -> None:
        """What the actions of migration `tag` change; only those of `RECORDED_VERBS` change anything."""
        for action in actions:
            table = action.table
            if table and action.name and action.verb in ("add_check", "validate_constraint", "drop_constraint"):
                self._record_check(tag, table, action)
            elif table and action.name and action.verb == "rename_constraint" and action.values:
                key, renamed = (table, action.name), (table, action.values[0])
                if key in self.not_null_checks:
                    self.not_null_checks[renamed] = self.not_null_checks.pop(key)
                if key in self.validated_by:
                    self.validated_by[renamed] = self.validated_by.pop(key)
            if action.verb == "create_table" and table:
                if not (action.if_not_exists and table in self.columns):  # IF NOT EXISTS: a no-op then
                    self.columns[table] = {name: (type_, collation) for name, type_, collation in action.columns}
                    self.policies[table] = set()
                    if action.temporary or table.startswith("pg_temp."):
                        # The session's own schema comes first in the search path: `t` names it.
                        self.temporary_tables.add(table.removeprefix("pg_temp."))
                    if action.object_kind == "PARTITIONED":
                        self.partitioned.add(table)
                    self._forget_checks(table)
                    self.not_null[table] = set(action.key_columns)
                    self.defaults[table] = set(action.default_columns)
                    self.row_security.discard(table)
                    self.forced_row_security.discard(table)
                    for name, column in action.not_null_checks:
                        self.not_null_checks[(table, name)] = column
                        self.validated_by[(table, name)] = tag
            elif action.verb in ("add_column", "alter_column_type") and table and action.column and action.new_type:
                self.columns.setdefault(table, {})[action.column] = (action.new_type, action.collation)
                if action.verb == "add_column" and action.not_null:
                    self.not_null.get(table, set()).add(action.column)
                if action.verb == "add_column" and action.has_default:
                    self.defaults.get(table, set()).add(action.column)
            elif action.verb == "drop_column" and table and action.column:
                self.columns.get(table, {}).pop(action.column, None)
                self.not_null.get(table, set()).discard(action.column)
                self.defaults.get(table, set()).discard(action.column)
                self._forget_checks(table, action.column)  # Postgres drops the column's constraints
            elif action.verb == "rename_column" and table and action.column and action.name:
                known = self.columns.get(table, {})
                if action.column in known:
                    known[action.name] = known.pop(action.column)
                for known_columns in (self.not_null.get(table, set()), self.defaults.get(table, set())):
                    if action.column in known_columns:
                        known_columns.remove(action.column)
                        known_columns.add(action.name)
                for index, columns in self.index_columns.items():
                    if self.index_tables.get(index) == table and action.column in columns:
                        self.index_columns[index] = tuple(action.name if c == action.column else c for c in columns)
                for key, checked in self.not_null_checks.items():
                    if key[0] == table and checked == action.column:
                        self.not_null_checks[key] = action.name
            elif action.verb == "rename_table" and self.is_index(table) and action.name:
                # ALTER TABLE renames an index too (and RENAME TO keeps its schema)
                self._record_index(Action("rename_index", name=table, values=(action.name.rpartition(".")[2],)))
            elif action.verb == "rename_table" and table and action.name and action.object_kind != "VIEW":
                self.columns[action.name] = self.columns.pop(table, {})
                for index, indexed in self.index_tables.items():
                    if indexed == table:
                        self.index_tables[index] = action.name
                for switched in (self.row_security, self.forced_row_security):
                    if table in switched:
                        switched.remove(table)
                        switched.add(action.name)
                for by_table in (self.not_null, self.defaults):
                    if table in by_table:
                        by_table[action.name] = by_table.pop(table)
                for key in [key for key in self.not_null_checks if key[0] == table]:
                    self.not_null_checks[(action.name, key[1])] = self.not_null_checks.pop(key)
                    if key in self.validated_by:
                        self.validated_by[(action.name, key[1])] = self.validated_by.pop(key)
                if table in self.partitioned:
                    self.partitioned.remove(table)
                    self.partitioned.add(action.name)
                if table in self.policies:
                    self.policies[action.name] = self.policies.pop(table)
            elif action.verb == "drop_object" and action.object_kind == "MATERIALIZED VIEW" and action.name:
                self.columns.pop(action.name, None)
            elif action.verb == "drop_table" and table:
                self.columns.pop(table, None)
                self.row_security.discard(table)
                self.forced_row_security.discard(table)
                self.not_null.pop(table, None)
                self.defaults.pop(table, None)
                self._forget_checks(table)
                self.policies.pop(table, None)
                self.temporary_tables.discard(table)
                self.partitioned.discard(table)
            elif action.verb in ("create_policy", "drop_policy") and table in self.policies and action.name:
                if action.verb == "create_policy":
                    self.policies[table].add(action.name)
                else:
                    self.policies[table].discard(action.name)
            elif action.verb == "rename_policy" and table in self.policies and len(action.values) == 2:
                self.policies[table].discard(action.values[0])
                self.policies[table].add(action.values[1])
            elif action.verb == "create_function" and action.name and action.object_kind and action.values:
                fewest, most = action.arguments
                self.functions.setdefault(action.name, {})[action.values[0]] = (fewest, most, action.object_kind)
            elif action.verb == "create_index" and action.name and table:
                self.index_tables[action.name] = table
                self.index_columns.pop(action.name, None)
                if action.key_columns:  # none: a key with an expression, its columns unknown
                    self.index_columns[action.name] = action.key_columns
            elif action.verb in ("rename_index", "drop_index") and action.name:
                self._record_index(action)
            elif action.verb in ("set_not_null", "drop_not_null", "add_primary_key") and table in self.not_null:
                self._record_not_null(action)
            elif action.verb in ("set_default", "drop_default") and table in self.defaults and action.column:
                if action.verb == "set_default":
                    self.defaults[table].add(action.column)
                else:
                    self.defaults[table].discard(action.column)
            elif action.verb in ("enable_rls", "disable_rls", "force_rls", "no_force_rls") and table:
                switched = self.forced_row_security if action.verb.endswith("force_rls") else self.row_security
                if action.verb in ("enable_rls", "force_rls"):
                    switched.add(table)
                else:
                    switched.discard(table)
            elif action.name and action.verb in ("create_type", "add_enum_value", "rename_enum_value", "drop_type"):
                self._record_enum(action)
            if action.verb == "create_extension" and action.name:
                self.extensions.add(action.name)
            if action.name and action.verb in ("create_domain", "alter_domain", "drop_type"):
                self._record_domain(action)
            if action.verb == "rename_type" and action.name and action.values:
                self._rename_type(action.name, action.values[0], moved=action.object_kind == "SCHEMA")

    def _rename_type(self, old: str, new: str, moved: bool) -> None:
        """A type renamed (in its schema), or `moved` to another schema, is the same type: its columns,
        labels and constraints go with it (Postgres 16.2 names an enum's columns by the new name at once)."""
        schema, dot, _ = old.rpartition(".")
        new = f"{schema}.{new}" if dot and not moved else new
        for columns in self.columns.values():
            for column, (type_name, collation) in columns.items():
                if type_name == old or type_name.startswith(f"{old}["):
                    columns[column] = (new + type_name[len(old) :], collation)
        for known in (self.enums, self.domains):
            if old in known:
                known[new] = known.pop(old)
        if old in self.domain_types:
            self.domain_types[new] = self.domain_types.pop(old)
        for domain, over in self.domain_types.items():
            if over == old or over.startswith(f"{old}["):
                self.domain_types[domain] = new + over[len(old) :]
        if old in self.domain_defaults:
            self.domain_defaults.remove(old)
            self.domain_defaults.add(new)

    def _record_domain(self, action: Action) -> None:
        domain = action.name or ""
        if action.verb == "drop_type":
            self.domains.pop(domain, None)
            self.domain_types.pop(domain, None)
            self.domain_defaults.discard(domain)
            return
        if action.verb == "create_domain":
            self.domains[domain] = set()
            self.domain_types[domain] = action.new_type or ""
        elif domain not in self.domains and action.object_kind != "ADD":
            return  # a domain the history does not show: what it has stays unknown
        # A domain over another copies its default when it is created (later changes to it do not follow).
        copied = action.verb == "create_domain" and self.domain_types[domain] in self.domain_defaults
        if action.has_default or copied or action.object_kind == "SET DEFAULT":
            self.domain_defaults.add(domain)
        elif action.verb == "create_domain" or action.object_kind == "DROP DEFAULT":
            self.domain_defaults.discard(domain)
        constraints = self.domains.setdefault(domain, set())
        kind = action.object_kind
        if action.verb == "create_domain" or kind == "ADD":
            for name in action.values:
                constraints.add(name or _chosen_check_name(domain, constraints))
        elif kind == "DROP" and action.values:
            constraints.discard(action.values[0])
        elif kind == "RENAME CONSTRAINT" and len(action.values) == 2 and action.values[0] in constraints:
            constraints.remove(action.values[0])
            constraints.add(action.values[1])

    def _record_enum(self, action: Action) -> None:
        name = action.name or ""
        if action.verb == "create_type" and action.values:
            self.enums[name] = set(action.values)
        elif action.verb == "drop_type":
            self.enums.pop(name, None)
        elif name in self.enums and action.verb == "add_enum_value" and action.values:
            self.enums[name].add(action.values[0])
        elif name in self.enums and action.verb == "rename_enum_value" and len(action.values) == 2:
            self.enums[name].discard(action.values[0])
            self.enums[name].add(action.values[1])

    def _record_index(self, action: Action) -> None:
        known = (self.index_tables.pop(action.name or "", None), self.index_columns.pop(action.name or "", None))
        if action.verb == "rename_index" and action.values:
            schema, dot, _ = (action.name or "").rpartition(".")
            new = f"{schema}.{action.values[0]}" if dot else action.values[0]
            if known[0] is not None:
                self.index_tables[new] = known[0]
            if known[1] is not None:
                self.index_columns[new] = known[1]

    def _record_not_null(self, action: Action) -> None:
        known = self.not_null[action.table or ""]
        if action.verb == "drop_not_null":
            known.discard(action.column or "")
        elif action.column:  # SET NOT NULL, or ADD COLUMN ... PRIMARY KEY
            known.add(action.column)
        else:  # a primary key makes its columns NOT NULL, and they stay so if it is dropped
            index = action.values[0] if action.values else ""
            known.update(action.key_columns or self.index_columns.get(index, ()))

    def lacks_default(self, table: str | None, column: str | None) -> bool:
        """Whether the history shows the column has no default (it created the table, and knows
        every default set on it since)."""
        return table in self.defaults and column not in self.defaults[table or ""]

    def nullable(self, table: str | None, columns: Sequence[str]) -> list[str]:
        """Those of the columns the history does not show NOT NULL (all of them, for a table whose
        columns' nullability it does not know)."""
        known = self.not_null.get(table or "", set())
        return [column for column in columns if column not in known]

    def _forget_checks(self, table: str, column: str | None = None) -> None:
        """Forget the NOT NULL checks of a table, or of one of its columns."""
        for key in [key for key, checked in self.not_null_checks.items() if key[0] == table]:
            if column in (None, self.not_null_checks[key]):
                del self.not_null_checks[key]
                self.validated_by.pop(key, None)

    def _record_check(self, tag: str, table: str, action: Action) -> None:
        key = (table, action.name or "")
        if action.verb == "add_check" and action.column:
            self.not_null_checks[key] = action.column
            if not action.not_valid:
                self.validated_by[key] = tag
        elif action.verb == "validate_constraint" and key in self.not_null_checks:
            self.validated_by[key] = tag
        elif action.verb == "drop_constraint":
            self.not_null_checks.pop(key, None)
            self.validated_by.pop(key, None)


def _chosen_check_name(domain: str, taken: set[str]) -> str:
    """The name Postgres gives an unnamed CHECK of a domain: `d_check`, else `d_check1`, `d_check2`..."""
    base = f"{domain.rpartition('.')[2]}_check"
    suffix = 0
    while (base + (str(suffix) if suffix else "")) in taken:
        suffix += 1
    return base + (str(suffix) if suffix else "")


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
