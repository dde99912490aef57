"""The schema as the migrations read so far built it, for the rules to ask about.

No live database is needed to tell a new table from an existing one, a safe varchar widening from a
rewrite, or a column NOT NULL from one that may hold NULL: each statement's actions are recorded
here in turn, by one recorder per verb (`_RECORDERS`), and the cache replays the same actions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

from msgspec import Struct, field
from msgspec.structs import replace

from migrations_checks.lint.extract.checks import constraint_name
from migrations_checks.lint.records.actions import NOT_NULL, Action, Verb, named_not_null
from migrations_checks.lint.sql.builtin_types import BUILT_IN_TYPES
from migrations_checks.lint.sql.words import in_schema_of, unqualified
from migrations_checks.lint.statements import Statement

_Known = TypeVar("_Known")
_ABSENT = object()  # no record kept (see `History.hidden`)


class Check(Struct, frozen=True):
    """A table's CHECK constraint as the history saw it."""

    validated: str | None  # the migration that made it valid; None while NOT VALID
    proves: str  # the column it proves NOT NULL, "" if none (see extract/checks.py)
    reads: tuple[str, ...]  # the names its expression reads


class History(Struct):
    """The schema as built by the statements read so far."""

    postgres_version: int = 16  # the target's: from 17, a domain's NOT NULL is a constraint with a name
    # table -> column -> (type, collation), the collation None for the type's default
    columns: dict[str, dict[str, tuple[str, str | None]]] = field(default_factory=dict)
    index_tables: dict[str, str] = field(default_factory=dict)  # index -> table
    index_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # index -> its plain columns
    # table -> its columns known NOT NULL; a table missing here has nullability unknown
    not_null: dict[str, set[str]] = field(default_factory=dict)
    # table -> its columns with a default; a table missing here has defaults unknown
    defaults: dict[str, set[str]] = field(default_factory=dict)
    deprecations: dict[tuple[str, str | None], str] = field(default_factory=dict)  # -> migration tag
    # The CHECK constraints seen on each table, by name (an unnamed one's under the name Postgres chooses).
    checks: dict[str, dict[str, Check]] = field(default_factory=dict)
    checks_known: set[str] = field(default_factory=set)  # the tables whose every check it saw (it created them)
    temporary_tables: set[str] = field(default_factory=set)
    # The policies of each table the history created: a table missing here has policies unknown.
    policies: dict[str, set[str]] = field(default_factory=dict)
    # Function name -> its overloads, by their input parameters -> the fewest and the most
    # arguments a call passes it (-1: any number) and its IMMUTABLE, STABLE or VOLATILE.
    functions: dict[str, dict[str, tuple[int, int, str]]] = field(default_factory=dict)
    partitioned: set[str] = field(default_factory=set)  # tables created PARTITION BY
    partition_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # () for an expression key
    default_partitions: dict[str, str] = field(default_factory=dict)  # partitioned table -> its DEFAULT one
    # A table -> its partitions and the tables that INHERIT it, which most ALTER TABLEs of it change too.
    children: dict[str, list[str]] = field(default_factory=dict)
    # The labels of each enum the history created: an enum missing here has labels unknown.
    enums: dict[str, set[str]] = field(default_factory=dict)
    composites: set[str] = field(default_factory=set)  # the composite types it created (AS (fields))
    # The constraints of each domain the history created or constrained (see extract/domains.py):
    # a domain missing here has constraints unknown.
    domains: dict[str, set[str]] = field(default_factory=dict)
    domain_types: dict[str, str] = field(default_factory=dict)  # domain -> the type it is over
    domain_defaults: set[str] = field(default_factory=set)  # domains with a default
    extensions: set[str] = field(default_factory=set)  # those the history created and has not dropped
    # Of the tables the history created, those with row level security enabled, and forced.
    row_security: set[str] = field(default_factory=set)
    forced_row_security: set[str] = field(default_factory=set)
    # (migration, where its statement starts, which action) -> the name chosen for an unnamed check
    chosen: dict[tuple[str, int, int], str] = field(default_factory=dict)
    # The migration that set check_function_bodies off for its session, if any: only its own later
    # statements can be sure to run in that session (drizzle-orm runs the pending files in one, but
    # an earlier file may have been deployed before, in another).
    bodies_unchecked_in: str | None = None
    # The migration read last: a TEMP table lives only as long as the session that made it, and the
    # next migration may run in a later deploy's session (see `enter`).
    entered: str | None = None
    # A live table's records while a TEMP table of its name hides it (see `_hide`): by each of
    # `_by_table()`, its record or _ABSENT, and in each of `_table_sets()`, whether it is there.
    hidden: dict[str, tuple[tuple[Any, ...], tuple[bool, ...]]] = field(default_factory=dict)

    def checks_function_bodies(self, tag: str) -> bool:
        """Whether a CREATE FUNCTION of migration `tag` checks a body written as a string (parses
        it, and for a SQL body analyses it), as Postgres does by default."""
        return self.bodies_unchecked_in != tag

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

    def base_type(self, type_name: str) -> str:
        """The type a domain the history created is over (through domains over domains); any other
        type itself."""
        chain = self._domain_chain(type_name)
        return self.domain_types.get(chain[-1], type_name) if chain else type_name

    def is_constrained_domain(self, type_name: str | None) -> bool:
        """Whether the history shows that `type_name` is a domain with a CHECK or NOT NULL, its own
        or one of the domain it is over."""
        return any(self.domains[domain] for domain in self._domain_chain(type_name))

    def not_null_domain(self, type_name: str | None) -> bool:
        """Whether `type_name` is a domain that refuses NULL and fills no default: a column of it
        cannot be added to a table with rows."""
        chain = self._domain_chain(type_name)
        refused = any(name.startswith(NOT_NULL) for domain in chain for name in self.domains[domain])
        return refused and chain[0] not in self.domain_defaults

    def tables_using(self, type_name: str) -> list[str]:
        """The tables the history shows with a column of this type, or of a domain over it."""
        return [
            table
            for table, columns in self.columns.items()
            if any(type_name in self._domain_chain(t) or t == type_name for t, _ in columns.values())
        ]

    def has_valid_check(self, table: str | None, reading: Iterable[str] | None) -> bool | None:
        """Whether the history shows a valid CHECK constraint on the table that reads every one of
        the columns; None if it does not know the table's checks, or the columns (and the table has
        a valid check)."""
        if table not in self.checks_known:
            return None
        valid = [check.reads for check in self.checks[table].values() if check.validated]
        if reading is None:
            return None if valid else False
        return any(set(reading) <= set(reads) for reads in valid)

    def is_composite(self, type_name: str | None) -> bool:
        """Whether the history shows `type_name` is a row type: a composite type it created, a table's
        own, or a domain over either."""
        base = self.base_type(type_name) if type_name is not None else None
        if base is None or base in BUILT_IN_TYPES:  # found in pg_catalog first, whatever the tables' names
            return False
        return unqualified(base) in self.composites or unqualified(base) in self.columns

    def not_null_proven_by(self, table: str | None, column: str | None) -> str | None:
        """The migration that validated a `CHECK (column IS NOT NULL)` on the table, if any. None for a
        column of a row type: for a row, IS NOT NULL means every field is non-null, and Postgres 16.2
        proves nothing by it (it scans)."""
        typed = self.column_type(table, column)
        if typed is not None and self.is_composite(typed[0]):
            return None
        checks = self.checks.get(table or "", {}).values()
        return next((check.validated for check in checks if check.validated and check.proves == column), None)

    def lacks_default(self, table: str | None, column: str | None) -> bool:
        """Whether the history shows the column has no default (it created the table, and knows
        every default set on it since)."""
        return table in self.defaults and column not in self.defaults[table or ""]

    def nullable(self, table: str | None, columns: Sequence[str]) -> list[str]:
        """Those of the columns the history does not show NOT NULL (all of them, for a table whose
        columns' nullability it does not know)."""
        known = self.not_null.get(table or "", set())
        return [column for column in columns if column not in known]

    def record(self, statement: Statement) -> None:
        self.record_actions(statement.file.tag, statement.actions, statement.start)

    def enter(self, tag: str) -> None:
        """Migration `tag` is read next. It may run in a later deploy, in a session of its own: the
        TEMP tables of the migrations before it are gone, and the live tables they hid are seen."""
        if tag == self.entered:
            return
        self.entered = tag
        for name in list(self.temporary_tables):
            qualified = f"pg_temp.{name}"
            self._on_drop_table(tag, Action("drop_table", table=qualified if qualified in self.columns else name))

    def record_actions(self, tag: str, actions: Iterable[Action], start: int | None = None) -> None:
        """What the actions of migration `tag` change; only those of `RECORDED_VERBS` change anything.
        `start`: where in the file the statement holding them starts, which keeps the names chosen
        for its unnamed checks (see `chosen_name`)."""
        self.enter(tag)
        for index, action in enumerate(actions):
            recorder = _RECORDERS.get(action.verb)
            if recorder is not None:
                if action.verb == "add_check" and not action.name and action.table:
                    # Named once, for the table named: its partitions and children take that name too.
                    action = replace(action, name=self.chosen_check_name(action.table, action.values))
                    if start is not None:
                        self.chosen[(tag, start, index)] = action.name or ""
                recorder(self, tag, action)
                if self.children and action.verb in _RECURSING_VERBS and not action.only:
                    for child in self.descendants(action.table):
                        recorder(self, tag, replace(action, table=child))

    def descendants(self, table: str | None) -> list[str]:
        """The partitions and inheriting tables of `table`, and theirs in turn."""
        found: list[str] = []
        pending = list(self.children.get(table or "", ()))
        while pending:
            child = pending.pop()
            if child not in found:
                found.append(child)
                pending.extend(self.children.get(child, ()))
        return found

    # One recorder per verb, or per family of verbs, each given (tag, action).

    def _on_check(self, tag: str, action: Action) -> None:
        """ADD, VALIDATE or DROP of a table's constraint: its CHECK constraints."""
        table = action.table
        if not table:
            return
        name = action.name or ""
        if action.verb == "add_check":
            validated = None if action.not_valid else tag
            self.checks.setdefault(table, {})[name] = Check(validated, action.column or "", action.values)
            return
        checks = self.checks.get(table, {})
        if action.verb == "validate_constraint" and name in checks and not checks[name].validated:
            checks[name] = replace(checks[name], validated=tag)
        elif action.verb == "drop_constraint":
            checks.pop(name, None)

    def chosen_check_name(self, table: str, reads: Sequence[str], also_taken: Collection[str] = ()) -> str:
        """The name Postgres gives an unnamed CHECK: by the one column of the table it reads (of the
        names it reads, when the history does not show the table's columns), numbered past the
        names of the constraints the history shows in the table's schema (its tables' checks and its
        domains' constraints) and `also_taken`."""
        columns = self.columns.get(table)
        read = {name for name in reads if name in columns} if columns else set(reads)
        schema = table.rpartition(".")[0]
        taken = {*also_taken}
        for other, names in self.checks.items():
            if other.rpartition(".")[0] == schema:
                taken.update(names)
        for domain, constraints in self.domains.items():
            if domain.rpartition(".")[0] == schema:
                taken.update(name.removeprefix(f"{NOT_NULL}:") for name in constraints if name != NOT_NULL)
        return constraint_name(table, read.pop() if len(read) == 1 else None, "check", taken)

    def chosen_name(self, statement: Statement, index: int) -> str | None:
        """The name the history gave the unnamed check of `statement.actions[index]`, once recorded."""
        return self.chosen.get((statement.file.tag, statement.start, index))

    def _on_rename_constraint(self, tag: str, action: Action) -> None:
        if action.table and action.name and action.values:
            _rekey(self.checks.get(action.table, {}), action.name, action.values[0])

    def _by_table(self) -> tuple[dict[str, Any], ...]:
        """The records kept by a table's name."""
        return (
            self.columns,
            self.not_null,
            self.defaults,
            self.policies,
            self.checks,
            self.partition_keys,
            self.default_partitions,
            self.children,
        )

    def _table_sets(self) -> tuple[set[str], ...]:
        """The sets of tables' names."""
        return (self.row_security, self.forced_row_security, self.partitioned, self.checks_known)

    def _hide(self, table: str) -> None:
        """A TEMP table created under a live table's name: the session's own schema comes first in the
        search path, so `table` names the TEMP one, and the live one's records wait until it goes."""
        records = tuple(by_table.pop(table, _ABSENT) for by_table in self._by_table())
        self.hidden[table] = (records, tuple(table in names for names in self._table_sets()))
        for names in self._table_sets():
            names.discard(table)

    def _reveal(self, table: str) -> None:
        """The TEMP table `table` dropped or renamed: a live table it hid has that name again."""
        if table not in self.hidden:
            return
        records, memberships = self.hidden.pop(table)
        for by_table, record in zip(self._by_table(), records, strict=True):
            if record is not _ABSENT:
                by_table[table] = record
        for names, member in zip(self._table_sets(), memberships, strict=True):
            if member:
                names.add(table)

    def creates(self, action: Action) -> bool:
        """Whether a `create_table` action creates its table: IF NOT EXISTS is a no-op where a table
        of its name exists in the schema it is created in (the session's own, for a TEMP table)."""
        if not action.table:
            return False
        exists = action.table in (self.temporary_tables if _temporary(action) else self.columns)
        return not (action.if_not_exists and exists)

    def _on_create_table(self, tag: str, action: Action) -> None:
        table = action.table
        if not table or not self.creates(action):
            return
        temporary = _temporary(action)
        if temporary and table in self.columns and table not in self.temporary_tables:
            self._hide(table)
        # A partition, or a table that INHERITS, has its parents' columns first (one of a name that
        # comes again merges with it), their NOT NULL constraints, defaults and CHECK constraints.
        parents = (action.partition_of,) if action.partition_of else action.inherits
        inherited: dict[str, tuple[str, str | None]] = {}
        for parent in parents:  # a parent it does not show has columns it cannot place: a placeholder
            inherited.update(self.columns.get(parent) or {"": ("", None)})
        own: dict[str, tuple[str, str | None]] = {}
        likes = iter(action.like)
        for name, type_, collation in action.columns:
            if name:
                own[name] = (type_, collation)
            else:  # a LIKE: the columns of the table it copies, or a placeholder when they are unknown
                own.update(self.columns.get(next(likes, ("",))[0]) or {"": ("", None)})
        self.columns[table] = {**inherited, **own}
        self.policies[table] = set()
        if temporary:  # the session's own schema comes first in the search path: `t` names it
            self.temporary_tables.add(table.removeprefix("pg_temp."))
        if action.object_kind == "PARTITIONED":
            self.partitioned.add(table)
            self.partition_keys[table] = action.values
        if action.partition_of and action.default_partition:
            self.default_partitions[action.partition_of] = table
        self.checks[table] = {}  # valid from the start
        self.checks_known.add(table)
        for name, proven, reads in action.checks:
            self.checks[table][name or self.chosen_check_name(table, reads)] = Check(tag, proven, reads)
        self.not_null[table] = set(action.key_columns)
        self.defaults[table] = set(action.default_columns)
        for parent in parents:
            self._inherit(parent, table)
            self.children.setdefault(parent, []).append(table)
        for source, with_defaults, with_checks in action.like:
            self._copy(tag, source, table, with_defaults, with_checks)
        self.row_security.discard(table)
        self.forced_row_security.discard(table)

    def _inherit(self, parent: str, table: str) -> None:
        """What a new child table takes from its parent: NOT NULL, defaults and checks (unknown when
        the parent's are)."""
        self.not_null[table] |= self.not_null.get(parent, set())
        self._take_defaults(table, self.defaults.get(parent))
        self._take_checks(table, parent, self.checks.get(parent, {}))

    def _copy(self, tag: str, source: str, table: str, with_defaults: bool, with_checks: bool) -> None:
        """What `CREATE TABLE table (LIKE source ...)` copies: NOT NULL always, the defaults and the
        CHECK constraints when told to (copied checks are valid: the new table is empty)."""
        self.not_null[table] |= self.not_null.get(source, set())
        if with_defaults:
            self._take_defaults(table, self.defaults.get(source))
        if with_checks:
            checks = self.checks.get(source, {})
            self._take_checks(table, source, {name: replace(c, validated=tag) for name, c in checks.items()})

    def _take_defaults(self, table: str, defaults: set[str] | None) -> None:
        """Another table's columns with defaults, now `table`'s (None: unknown, so `table`'s are too)."""
        if defaults is None:
            self.defaults.pop(table, None)
        elif table in self.defaults:
            self.defaults[table] |= defaults

    def _take_checks(self, table: str, source: str, checks: dict[str, Check]) -> None:
        """`source`'s CHECK constraints, now `table`'s too (unknown when `source`'s are)."""
        if source not in self.checks_known:
            self.checks_known.discard(table)
        self.checks[table].update(checks)

    def _on_column_typed(self, tag: str, action: Action) -> None:
        """ADD COLUMN, or ALTER COLUMN ... TYPE."""
        table, column = action.table, action.column
        if not (table and column and action.new_type):
            return
        self.columns.setdefault(table, {})[column] = (action.new_type, action.collation)
        if action.verb == "add_column" and action.not_null:
            self.not_null.get(table, set()).add(column)
        if action.verb == "add_column" and action.has_default:
            self.defaults.get(table, set()).add(column)

    def _on_drop_column(self, tag: str, action: Action) -> None:
        table, column = action.table, action.column
        if not (table and column):
            return
        self.columns.get(table, {}).pop(column, None)
        self.not_null.get(table, set()).discard(column)
        self.defaults.get(table, set()).discard(column)
        checks = self.checks.get(table, {})
        for name in [name for name, check in checks.items() if column in (check.proves, *check.reads)]:
            del checks[name]  # Postgres drops the constraints that read the column

    def _on_rename_column(self, tag: str, action: Action) -> None:
        table, old, new = action.table, action.column, action.name
        if not (table and old and new):
            return
        known = self.columns.get(table, {})
        if old in known:  # in its place: an INSERT without a column list fills the columns in order
            self.columns[table] = {new if name == old else name: typed for name, typed in known.items()}
        for known_columns in (self.not_null.get(table, set()), self.defaults.get(table, set())):
            if old in known_columns:
                known_columns.remove(old)
                known_columns.add(new)
        for index, columns in self.index_columns.items():
            if self.index_tables.get(index) == table and old in columns:
                self.index_columns[index] = tuple(new if column == old else column for column in columns)
        # A check, or a partition key, reads the column under its new name.
        for name, check in self.checks.get(table, {}).items():
            proves = new if check.proves == old else check.proves
            self.checks[table][name] = replace(check, proves=proves, reads=_renamed(check.reads, old, new))
        if table in self.partition_keys:
            self.partition_keys[table] = _renamed(self.partition_keys[table], old, new)

    def _on_rename_table(self, tag: str, action: Action) -> None:
        table, new = action.table, action.name
        if not (table and new):
            return
        if self.is_index(table):  # ALTER TABLE renames an index too
            self._move_index(table, new)
            return
        if action.object_kind == "VIEW":
            self._rename_type(table, new)  # its row type, which a column may have
            return
        self.columns[new] = self.columns.pop(table, {})
        for index, indexed in self.index_tables.items():
            if indexed == table:
                self.index_tables[index] = new
        self._replace_child(table, new)
        for by_table in self._by_table()[1:]:
            _rekey(by_table, table, new)
        for switched in (*self._table_sets(), self.temporary_tables):
            if table in switched:
                switched.remove(table)
                switched.add(new)
        self._rename_type(table, new)  # the table's row type, which a column may have
        self._reveal(table)

    def _on_drop_table(self, tag: str, action: Action) -> None:
        table = action.table
        if not table:
            return
        for by_table in self._by_table():
            by_table.pop(table, None)
        self._replace_child(table, None)
        self.temporary_tables.discard(table.removeprefix("pg_temp."))  # kept by its bare name
        for switched in self._table_sets():
            switched.discard(table)
        self._reveal(table.removeprefix("pg_temp."))

    def _on_partition(self, tag: str, action: Action) -> None:
        """ATTACH or DETACH of a partition: the partitioned table's DEFAULT partition."""
        if not (action.table and action.name):
            return
        if action.verb == "attach_partition":
            self.children.setdefault(action.table, []).append(action.name)
            if action.default_partition:
                self.default_partitions[action.table] = action.name
            return
        if action.name in self.children.get(action.table, ()):
            self.children[action.table].remove(action.name)
        if self.default_partitions.get(action.table) == action.name:
            del self.default_partitions[action.table]

    def _replace_child(self, table: str, new: str | None) -> None:
        """A renamed (or, `new` None, dropped) table, as a partition or child of another, and as its
        DEFAULT partition."""
        for children in self.children.values():
            if table in children:
                children.remove(table)
                children.extend([new] if new else [])
        for parent, partition in list(self.default_partitions.items()):
            if partition == table and new is None:
                del self.default_partitions[parent]
            elif partition == table and new is not None:
                self.default_partitions[parent] = new

    def _on_drop_object(self, tag: str, action: Action) -> None:
        if action.object_kind == "MATERIALIZED VIEW" and action.name:
            self.columns.pop(action.name, None)
        elif action.object_kind == "VIEW" and action.name:
            self.composites.discard(action.name)
        elif action.object_kind == "EXTENSION" and action.name:
            self.extensions.discard(action.name)

    def _on_policy(self, tag: str, action: Action) -> None:
        """CREATE, DROP or ALTER ... RENAME of a policy, on a table whose policies the history knows."""
        known = self.policies.get(action.table or "")
        if known is None:
            return
        if action.verb == "create_policy" and action.name:
            known.add(action.name)
        elif action.verb == "drop_policy" and action.name:
            known.discard(action.name)
        elif action.verb == "rename_policy" and len(action.values) == 2:
            known.discard(action.values[0])
            known.add(action.values[1])

    def _on_setting(self, tag: str, action: Action) -> None:
        if action.name == "check_function_bodies":
            self.bodies_unchecked_in = tag if action.values == ("off",) else None

    def _on_create_function(self, tag: str, action: Action) -> None:
        if action.name and action.object_kind and action.values:
            fewest, most = action.arguments
            self.functions.setdefault(action.name, {})[action.values[0]] = (fewest, most, action.object_kind)

    def _on_create_index(self, tag: str, action: Action) -> None:
        if not (action.name and action.table):
            return
        self.index_tables[action.name] = action.table
        self.index_columns.pop(action.name, None)
        if action.key_columns:  # none: a key with an expression, its columns unknown
            self.index_columns[action.name] = action.key_columns

    def _on_drop_or_rename_index(self, tag: str, action: Action) -> None:
        if action.name:
            renamed = action.verb == "rename_index" and action.values
            self._move_index(action.name, in_schema_of(action.name, action.values[0]) if renamed else None)

    def _move_index(self, index: str, new: str | None) -> None:
        """What the history knows of an index, under its new name; forgotten when `new` is None (dropped)."""
        table, columns = self.index_tables.pop(index, None), self.index_columns.pop(index, None)
        if new is not None and table is not None:
            self.index_tables[new] = table
        if new is not None and columns is not None:
            self.index_columns[new] = columns

    def _on_nullability(self, tag: str, action: Action) -> None:
        """SET / DROP NOT NULL, and a primary key, on a table whose columns' nullability the history knows."""
        known = self.not_null.get(action.table or "")
        if known is None:
            return
        if action.verb == "drop_not_null":
            known.discard(action.column or "")
        elif action.column:  # SET NOT NULL, or ADD COLUMN ... PRIMARY KEY
            known.add(action.column)
        else:  # a primary key makes its columns NOT NULL, and they stay so if it is dropped
            index = action.values[0] if action.values else ""
            known.update(action.key_columns or self.index_columns.get(index, ()))

    def _on_default(self, tag: str, action: Action) -> None:
        known = self.defaults.get(action.table or "")
        if known is None or not action.column:
            return
        if action.verb == "set_default":
            known.add(action.column)
        else:
            known.discard(action.column)

    def _on_row_security(self, tag: str, action: Action) -> None:
        if not action.table:
            return
        switched = self.forced_row_security if action.verb.endswith("force_rls") else self.row_security
        if action.verb in ("enable_rls", "force_rls"):
            switched.add(action.table)
        else:
            switched.discard(action.table)

    def _on_type(self, tag: str, action: Action) -> None:
        """CREATE TYPE, an enum's or a composite one (a view's row type too), and the changes of an
        enum's labels."""
        name = action.name or ""
        if action.verb == "create_type" and action.object_kind in ("COMPOSITE", "VIEW"):
            self.composites.add(name)
        elif action.verb == "create_type" and action.values:
            self.enums[name] = set(action.values)
        elif name in self.enums and action.verb == "add_enum_value" and action.values:
            self.enums[name].add(action.values[0])
        elif name in self.enums and action.verb == "rename_enum_value" and len(action.values) == 2:
            self.enums[name].discard(action.values[0])
            self.enums[name].add(action.values[1])

    def _on_drop_type(self, tag: str, action: Action) -> None:
        name = action.name or ""
        for by_name in (self.enums, self.domains, self.domain_types):
            by_name.pop(name, None)
        for named in (self.domain_defaults, self.composites):
            named.discard(name)

    def _on_create_extension(self, tag: str, action: Action) -> None:
        if action.name:
            self.extensions.add(action.name)

    def _on_rename_type(self, tag: str, action: Action) -> None:
        if action.name and action.values:
            self._rename_type(action.name, renamed_type(action))

    def _on_domain(self, tag: str, action: Action) -> None:
        if action.name:
            self._record_domain(action)

    def _rename_type(self, old: str, new: str) -> None:
        """A type renamed, or moved to another schema, is the same type: its columns, labels and
        constraints go with it (Postgres 16.2 names an enum's columns by the new name at once)."""
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
        for named in (self.domain_defaults, self.composites):
            if old in named:
                named.remove(old)
                named.add(new)

    def _record_domain(self, action: Action) -> None:
        domain = action.name or ""
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
                if name.startswith(NOT_NULL) and self.postgres_version < 17:
                    name = NOT_NULL  # no constraint, nor a name to drop it by
                elif name == NOT_NULL:  # unnamed, Postgres 17 and later name it domain_not_null
                    name = named_not_null(constraint_name(domain, None, "not_null"))
                if not (name.startswith(NOT_NULL) and any(known.startswith(NOT_NULL) for known in constraints)):
                    constraints.add(name or constraint_name(domain, None, "check", constraints))
        elif kind == "DROP" and action.values == (NOT_NULL,):  # DROP NOT NULL
            constraints -= {name for name in constraints if name.startswith(NOT_NULL)}
        elif kind == "DROP" and action.values:
            constraints -= {action.values[0], named_not_null(action.values[0])}
        elif kind == "RENAME CONSTRAINT" and len(action.values) == 2:
            old, new = action.values
            for known, renamed in ((old, new), (named_not_null(old), named_not_null(new))):
                if known in constraints:
                    constraints.remove(known)
                    constraints.add(renamed)


def _renamed(names: tuple[str, ...], old: str, new: str) -> tuple[str, ...]:
    return tuple(new if name == old else name for name in names)


def _temporary(action: Action) -> bool:
    """Whether a `create_table` action creates a TEMP table."""
    return action.temporary or (action.table or "").startswith("pg_temp.")


def _rekey(by_name: dict[str, _Known], old: str, new: str) -> None:
    """What `by_name` knows of `old`, under its new name."""
    if old in by_name:
        by_name[new] = by_name.pop(old)


def renamed_type(action: Action) -> str:
    """The new name of a type a `rename_type` action renames: in its schema, or the one it moved to."""
    new = action.values[0]
    return new if action.object_kind == "SCHEMA" else in_schema_of(action.name or "", new)


# Each verb the history follows, and the recorder that follows it.
_RECORDERS: dict[Verb, Callable[[History, str, Action], None]] = {
    "add_check": History._on_check,
    "validate_constraint": History._on_check,
    "drop_constraint": History._on_check,
    "rename_constraint": History._on_rename_constraint,
    "create_table": History._on_create_table,
    "add_column": History._on_column_typed,
    "alter_column_type": History._on_column_typed,
    "drop_column": History._on_drop_column,
    "rename_column": History._on_rename_column,
    "rename_table": History._on_rename_table,
    "drop_table": History._on_drop_table,
    "drop_object": History._on_drop_object,
    "set_not_null": History._on_nullability,
    "drop_not_null": History._on_nullability,
    "add_primary_key": History._on_nullability,
    "set_default": History._on_default,
    "drop_default": History._on_default,
    "enable_rls": History._on_row_security,
    "disable_rls": History._on_row_security,
    "force_rls": History._on_row_security,
    "no_force_rls": History._on_row_security,
    "create_policy": History._on_policy,
    "drop_policy": History._on_policy,
    "rename_policy": History._on_policy,
    "create_function": History._on_create_function,
    "set_setting": History._on_setting,
    "create_index": History._on_create_index,
    "rename_index": History._on_drop_or_rename_index,
    "drop_index": History._on_drop_or_rename_index,
    "create_type": History._on_type,
    "add_enum_value": History._on_type,
    "rename_enum_value": History._on_type,
    "drop_type": History._on_drop_type,
    "create_domain": History._on_domain,
    "alter_domain": History._on_domain,
    "create_extension": History._on_create_extension,
    "rename_type": History._on_rename_type,
    "attach_partition": History._on_partition,
    "detach_partition": History._on_partition,
}
# What an ALTER TABLE of a table does to its partitions and inheriting tables as well, without ONLY.
_RECURSING_VERBS: frozenset[Verb] = frozenset(
    {
        "add_column",
        "drop_column",
        "alter_column_type",
        "rename_column",
        "set_not_null",
        "drop_not_null",
        "set_default",
        "drop_default",
        "add_check",
        "validate_constraint",
        "drop_constraint",
        "rename_constraint",
    }
)
# The verbs whose actions `History.record` keeps, and of those the ones it keeps the migration's tag for.
RECORDED_VERBS: frozenset[Verb] = frozenset(_RECORDERS)
TAGGED_VERBS: frozenset[Verb] = frozenset({"add_check", "validate_constraint"})
