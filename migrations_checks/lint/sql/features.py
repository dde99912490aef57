"""Postgres features a statement relies on that only exist from some major version on.

Neon runs several majors side by side, and a migration written against a developer's newer local
Postgres fails at deploy time on an older branch. Knowing the first version of each feature lets
the linter stop that before the deploy instead of in the middle of it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from migrations_checks.lint.extract import describe
from migrations_checks.lint.extract.settings import FALSE
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.sql.classify import classify
from migrations_checks.lint.sql.do_blocks import plpgsql_statements
from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.version_guards import Guard
from migrations_checks.lint.sql.words import Cursor, Word, has_keyword, split_top_level, top_level

# feature -> (first major version that has it, how to name it in a message)
FEATURES: dict[str, tuple[int, str]] = {
    "drop-expression": (13, "ALTER COLUMN ... DROP EXPRESSION"),
    "drop-database-force": (13, "DROP DATABASE ... (FORCE)"),
    "with-ties": (13, "FETCH FIRST ... WITH TIES"),
    "detach-concurrently": (14, "DETACH PARTITION ... CONCURRENTLY"),
    "detach-finalize": (14, "DETACH PARTITION ... FINALIZE"),
    "create-or-replace-trigger": (14, "CREATE OR REPLACE TRIGGER"),
    "sql-body": (14, "function bodies in SQL (BEGIN ATOMIC, RETURN)"),
    "set-compression": (14, "ALTER COLUMN ... SET COMPRESSION"),
    "column-compression": (14, "a column's COMPRESSION"),
    "merge": (15, "MERGE"),
    "nulls-not-distinct": (15, "NULLS [NOT] DISTINCT"),
    "security-invoker": (15, "views WITH (security_invoker)"),
    "set-access-method": (15, "ALTER TABLE ... SET ACCESS METHOD"),
    "set-null-columns": (15, "ON DELETE SET NULL/DEFAULT (columns)"),
    "grant-role-options": (16, "GRANT role ... WITH INHERIT, SET, or ADMIN TRUE/FALSE"),
    "sql-json-constructors": (
        16,
        "SQL/JSON constructors (JSON_ARRAY, JSON_OBJECT with `:` or VALUE, JSON_ARRAYAGG, JSON_OBJECTAGG)",
    ),
    "is-json": (16, "IS JSON"),
    "reindex-without-name": (16, "REINDEX DATABASE/SYSTEM without a name"),
    "subquery-without-alias": (16, "a subquery or VALUES in FROM without an alias"),
    "domain-not-null-constraint": (17, "ALTER DOMAIN ... ADD [CONSTRAINT c] NOT NULL"),
    "merge-by-source": (17, "MERGE ... WHEN NOT MATCHED BY SOURCE/TARGET"),
    "merge-returning": (17, "MERGE ... RETURNING"),
    "set-expression": (17, "ALTER COLUMN ... SET EXPRESSION"),
    "set-access-method-default": (17, "SET ACCESS METHOD DEFAULT"),
    "merge-in-with": (17, "MERGE in a WITH query"),
    "grant-maintain": (17, "the MAINTAIN privilege"),
    "copy-on-error": (17, "COPY ... ON_ERROR / LOG_VERBOSITY"),
    "copy-force-all": (17, "COPY ... FORCE_NULL * / FORCE_NOT_NULL *"),
    "statistics-default": (17, "ALTER COLUMN ... SET STATISTICS DEFAULT"),
    "at-local": (17, "AT LOCAL"),
    "sql-json-queries": (
        17,
        "SQL/JSON query functions (JSON_TABLE, JSON_EXISTS, JSON_QUERY, JSON_VALUE, JSON_SCALAR, JSON_SERIALIZE)",
    ),
    "partitioned-access-method": (17, "an access method of a partitioned table"),
    "partitioned-exclusion": (17, "an exclusion constraint on a partitioned table"),
    "login-event-trigger": (17, "event triggers ON login"),
    "builtin-collation-provider": (17, "the builtin collation provider"),
    "jsonpath-conversions": (17, "jsonpath conversion methods (.integer(), .string(), .timestamp_tz() ...)"),
    "interval-infinity": (17, "an infinite interval ('infinity'::interval)"),
    "not-null-constraint": (18, "NOT NULL as a table constraint ([ADD] [CONSTRAINT c] NOT NULL column)"),
    "virtual-generated-column": (18, "virtual generated columns"),
    "without-overlaps": (18, "WITHOUT OVERLAPS"),
    "not-enforced": (18, "[NOT] ENFORCED constraints"),
    "not-null-no-inherit": (18, "NOT NULL ... NO INHERIT"),
    "temporal-foreign-key": (18, "FOREIGN KEY ... PERIOD"),
    "copy-reject-limit": (18, "COPY ... REJECT_LIMIT / LOG_VERBOSITY silent"),
    "returning-old-new": (18, "RETURNING old and new values"),
    "returning-with": (18, "RETURNING old and new values"),  # the WITH (OLD AS o) form: syntax
    "vacuum-only": (18, "VACUUM / ANALYZE ONLY"),
    "alter-constraint-inherit": (18, "ALTER CONSTRAINT ... [NO] INHERIT"),
    "default-privileges-large-objects": (18, "ALTER DEFAULT PRIVILEGES ... ON LARGE OBJECTS"),
}
# Built-in functions that older versions lack -> the first version that has them. The feature is
# the function's name; a function of that name the history creates itself is no new feature.
NEW_FUNCTIONS = {
    "gen_random_uuid": 13,  # drizzle-kit's `defaultRandom()`
    "date_bin": 14,
    "string_to_table": 14,
    "range_agg": 14,
    "trim_array": 14,
    "bit_count": 14,
    "unistr": 14,
    "regexp_like": 15,
    "regexp_count": 15,
    "regexp_substr": 15,
    "regexp_instr": 15,
    "any_value": 16,
    "pg_input_is_valid": 16,
    "pg_input_error_info": 16,
    "random_normal": 16,
    "array_sample": 16,
    "array_shuffle": 16,
    "date_add": 16,
    "date_subtract": 16,
    "uuid_extract_version": 17,
    "uuid_extract_timestamp": 17,
    "to_bin": 17,
    "to_oct": 17,
    "pg_basetype": 17,
    "to_regtypemod": 17,
    "unicode_assigned": 17,
    "unicode_version": 17,
    "xmltext": 17,
    "jsonb_populate_record_valid": 17,
    "uuidv4": 18,
    "uuidv7": 18,
    "casefold": 18,
    "array_sort": 18,
    "array_reverse": 18,
    "crc32": 18,
    "crc32c": 18,
    "gamma": 18,
    "lgamma": 18,
    "pg_get_acl": 18,
    "has_largeobject_privilege": 18,
    "pg_get_sequence_data": 18,
    "pg_get_loaded_modules": 18,
    "pg_restore_relation_stats": 18,
    "pg_restore_attribute_stats": 18,
    "pg_clear_relation_stats": 18,
    "pg_clear_attribute_stats": 18,
}
FEATURES.update({name: (version, f"{name}()") for name, version in NEW_FUNCTIONS.items()})
# A SQL/JSON query function's call with one of its own clauses (`RETURNING int`, `COLUMNS (...)`) is
# syntax older versions cannot parse; without one, it parses as a call of a function they lack.
FEATURES["sql-json-query-clauses"] = FEATURES["sql-json-queries"]
_SQL_JSON_CLAUSES = frozenset(
    {"COLUMNS", "PASSING", "RETURNING", "WRAPPER", "QUOTES", "ERROR", "EMPTY", "FORMAT", "KEEP", "OMIT"}
)
# The extension that provides a function on versions where it is not built in: the history creating
# it makes the function no new feature either.
PROVIDED_BY_EXTENSION = {"gen_random_uuid": "pgcrypto"}
# Predefined roles that older versions lack -> the first version that has them.
_NEW_ROLES = {
    "pg_read_all_data": 14,
    "pg_write_all_data": 14,
    "pg_database_owner": 14,
    "pg_checkpoint": 15,
    "pg_create_subscription": 16,
    "pg_maintain": 17,
    "pg_signal_autovacuum_worker": 18,
}
FEATURES.update({name: (version, f"the {name} role") for name, version in _NEW_ROLES.items()})
_NEW_COLLATIONS = {"pg_c_utf8": 17, "pg_unicode_fast": 18}
FEATURES.update({name: (version, f"the {name} collation") for name, version in _NEW_COLLATIONS.items()})
# Settings that older versions do not know (SET of one fails there): those a migration may set.
_NEW_SETTINGS = {
    "transaction_timeout": 17,
    "event_triggers": 17,
    "enable_group_by_reordering": 17,
    "restrict_nonsystem_relation_kind": 17,
    "enable_distinct_reordering": 18,
    "enable_self_join_elimination": 18,
    "log_lock_failures": 18,
    "vacuum_truncate": 18,  # as a setting; a table's storage parameter of that name is older
    "md5_password_warnings": 18,
    "track_cost_delay_timing": 18,
    "autovacuum_vacuum_max_threshold": 18,
    "vacuum_max_eager_freeze_failure_rate": 18,
}
FEATURES.update({name: (version, f"the {name} setting") for name, version in _NEW_SETTINGS.items()})
# Of them, those that are new as a table's storage parameter (`WITH (name = ...)`) too.
_NEW_STORAGE_PARAMETERS = frozenset({"autovacuum_vacuum_max_threshold", "vacuum_max_eager_freeze_failure_rate"})
# Built-in functions that take another argument from some version on: function -> that version, and
# the new form. A function of that name the history creates is no new form.
_LONGER_CALLS = {
    "random": (17, "random(min, max)"),
    "jsonb_strip_nulls": (18, "jsonb_strip_nulls(target, strip_in_arrays)"),
    "json_strip_nulls": (18, "json_strip_nulls(target, strip_in_arrays)"),
}
FEATURES.update({f"{name}-arguments": form for name, form in _LONGER_CALLS.items()})
# The function each feature is a new built-in of, or a new form of.
FUNCTION_OF = {**{name: name for name in NEW_FUNCTIONS}, **{f"{name}-arguments": name for name in _LONGER_CALLS}}
# Calls of functions (or of SQL/JSON syntax spelled as calls) that older versions lack -> feature.
_NEW_CALLS = {
    **{name: name for name in NEW_FUNCTIONS},
    "json_array": "sql-json-constructors",
    "json_arrayagg": "sql-json-constructors",
    "json_objectagg": "sql-json-constructors",
    **dict.fromkeys(
        ("json_table", "json_exists", "json_query", "json_value", "json_scalar", "json_serialize"), "sql-json-queries"
    ),
}
_NEW_CALL_KEYWORDS = frozenset(name.upper() for name in _NEW_CALLS)
# A quoted name has no keyword spelling, yet `"gen_random_uuid"()` calls the function all the same
# (`"GEN_RANDOM_UUID"()` calls none): the quoted name stands for the call's keyword. Only a function's:
# SQL/JSON's are syntax, and `"json_array"(1, 2)` names no function (Postgres 16.2 finds none).
_QUOTED_CALL_KEYWORDS = {name: name.upper() for name in NEW_FUNCTIONS}
# The words before a name followed by parentheses that make it no call: it names the routine a CREATE
# defines, or a table or view and its columns (`CREATE TABLE "crc32" (`, `REFERENCES "crc32"("id")`).
_NAMING_WORDS = frozenset(
    {"FUNCTION", "PROCEDURE", "AGGREGATE", "TABLE", "EXISTS", "VIEW", "REFERENCES", "INTO", "ON", "ONLY", "COPY"}
)
# Predefined roles and collations, named bare or quoted: the feature is the name.
_NEW_NAMES = frozenset({*_NEW_ROLES, *_NEW_COLLATIONS})
# What reads a jsonpath: its type, and the functions and operators that take one. SQL/JSON's queries
# do too, but they are of 17 themselves.
_JSONPATH_OPERATORS = ("@?", "@@")
_JSONPATH_READERS = frozenset(
    {
        "JSONPATH",
        *_JSONPATH_OPERATORS,
        *(
            f"JSONB_PATH_{name}{zone}"
            for name in ("EXISTS", "MATCH", "QUERY", "QUERY_ARRAY", "QUERY_FIRST")
            for zone in ("", "_TZ")
        ),
    }
)
# The keyword that stands for a word without one in the search below: a quoted new function called, a
# quoted new name or setting (Postgres finds `"pg_maintain"` as it finds `pg_maintain`), or an operator.
_QUOTED_SEARCH_KEYWORDS = {
    **_QUOTED_CALL_KEYWORDS,
    **{name: name.upper() for name in _LONGER_CALLS},
    **{name: name.upper() for name in (*_NEW_NAMES, *_NEW_SETTINGS)},
    **{operator: operator for operator in _JSONPATH_OPERATORS},  # symbols, with no keyword spelling either
    "interval": "INTERVAL",  # the type, quoted
}
# Words after which a FROM item's subquery has ended without an alias.
_AFTER_FROM_ITEM = frozenset(
    {
        "WHERE",
        "GROUP",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "JOIN",
        "INNER",
        "LEFT",
        "RIGHT",
        "FULL",
        "CROSS",
        "NATURAL",
        "ON",
        "USING",
        "WINDOW",
        "HAVING",
        "FETCH",
        "FOR",
        "RETURNING",
    }
)


def features_of(kind: str | None, words: Sequence[Word], actions: Sequence[Action]) -> frozenset[str]:
    found = set()
    if kind == "MERGE":
        found.add("merge")
        level = top_level(words)  # a WITH query's own RETURNING stays inside its parentheses
        if has_keyword(level, "NOT", "MATCHED", "BY"):
            found.add("merge-by-source")
        if any(word.upper == "RETURNING" for word in level):
            found.add("merge-returning")
    for action in actions:
        if action.verb == "detach_partition" and action.concurrently:
            found.add("detach-concurrently")
        elif action.verb == "detach_partition" and action.object_kind == "FINALIZE":
            found.add("detach-finalize")
    if any(
        (a.verb == "set_not_null" and a.object_kind == "CONSTRAINT") or (a.verb == "create_table" and a.not_null)
        for a in actions
    ):
        found.add("not-null-constraint")
    # Every statement is asked, and almost none uses a feature: one pass over its keywords tells
    # which of the slower searches can find anything.
    keywords = _search_keywords(words)
    searched = keywords & _SEARCH_KEYWORDS
    if searched:
        for search in {_SEARCHES[keyword] for keyword in searched}:
            found.update(search(words))
    if any(a.verb == "rewrite_table" and a.object_kind == "SET EXPRESSION" for a in actions):
        found.add("set-expression")
    if "GENERATED" in keywords and kind in ("CREATE TABLE", "ALTER TABLE") and _virtual_generated_column(words):
        found.add("virtual-generated-column")
    if kind is not None and kind in _KIND_FEATURES:
        found.update(_KIND_FEATURES[kind](words, keywords))
    return frozenset(found)


def features_of_plpgsql(statements: Sequence[tuple[Sequence[Word], Guard]]) -> frozenset[str]:
    """The features PL/pgSQL's own statements use (a DO block's conditions, declarations...), but
    those a version guard of each excuses."""
    # Nearly always none: the keywords of all of them at once tell whether any can.
    if _SEARCH_KEYWORDS.isdisjoint(_search_keywords(word for words, _ in statements for word in words)):
        return frozenset()
    return frozenset(
        feature
        for words, guard in statements
        for feature in features_of(None, words, ())
        if not excused(feature, guard)
    )


def excused(feature: str, guard: Guard, checked_when_run: bool = False) -> bool:
    """Whether a version guard excuses the feature: it runs (a function called, a value read), or
    is parsed (syntax), only on a Postgres that has it. `checked_when_run`: however Postgres checks
    it elsewhere, here it does only when the statement runs (a routine's body, at its CREATE)."""
    when_run = checked_when_run or feature in _LOOKED_UP_WHEN_RUN
    return FEATURES[feature][0] <= (guard.runs if when_run else guard.parsed)


def _search_keywords(words: Iterable[Word]) -> set[str]:
    """The keywords of the words, and those that stand for a word without one (see below)."""
    return {word.upper or _QUOTED_SEARCH_KEYWORDS.get(word.text, "") for word in words}


Search = Callable[[Sequence[Word]], Iterable[str]]


def _phrases(feature: str, *phrases: tuple[str, ...]) -> Search:
    """A search for `feature`: any of the keyword `phrases` in the statement."""
    return lambda words: [feature] if any(has_keyword(words, *phrase) for phrase in phrases) else []


def _found(feature: str, uses: Callable[[Sequence[Word]], bool]) -> Search:
    """A search for `feature`: `uses` tells whether the statement uses it."""
    return lambda words: [feature] if uses(words) else []


def _merge_in_with(words: Sequence[Word]) -> bool:
    return any(word.upper == "MERGE" and before.is_symbol("(") for before, word in itertools.pairwise(words))


def _new_names(words: Sequence[Word]) -> Iterator[str]:
    return (word.name for word in words if word.kind in ("word", "quoted") and word.name in _NEW_NAMES)


def _new_settings(words: Sequence[Word]) -> Iterator[str]:
    """A new setting set, reset or shown (`SET [SESSION | LOCAL] name`, a routine's or a role's `SET
    name`, `set_config('name', ...)`, `current_setting('name')`), or a new storage parameter (`WITH
    (name = ...)`); not a column of that name, which an UPDATE sets too."""
    sets_columns = words[0].upper in ("UPDATE", "INSERT", "MERGE", "WITH")
    for index in range(1, len(words)):
        word, before = words[index], words[index - 1]
        after = words[index + 1] if index + 1 < len(words) else None
        if word.kind in ("word", "quoted") and word.name in _NEW_SETTINGS and not sets_columns:
            set_here = before.upper in ("SET", "RESET", "SHOW", "SESSION", "LOCAL")
            stored = word.name in _NEW_STORAGE_PARAMETERS and after is not None and after.is_symbol("=")
            if set_here or stored:
                yield word.name
        elif word.kind == "string" and word.text in _NEW_SETTINGS and _reads_or_sets(words, index):
            yield word.text


def _reads_or_sets(words: Sequence[Word], index: int) -> bool:
    """Whether the setting named by the string at `index` is set (`set_config('name', ...)`) or read
    strictly (`current_setting('name')`); `current_setting('name', true)` asks, harmlessly, on any
    version."""
    if _called(words, index, "SET_CONFIG"):
        return True
    if not _called(words, index, "CURRENT_SETTING"):
        return False
    following = words[index + 1 : index + 3]
    missing_ok = len(following) == 2 and following[0].is_symbol(",") and following[1].text.lower() not in FALSE
    return not missing_ok


def _called(words: Sequence[Word], index: int, function: str) -> bool:
    """Whether `words[index]` is the first argument of a call of `function`."""
    return index >= 2 and words[index - 1].is_symbol("(") and words[index - 2].upper == function


def _new_calls(words: Sequence[Word]) -> Iterator[str]:
    for index, word in enumerate(words[:-1]):
        if (
            words[index + 1].text == "("
            and (
                (word.kind == "word" and word.name in _NEW_CALLS)
                or (word.kind == "quoted" and word.text in NEW_FUNCTIONS)
            )
            and _called_here(words, index)
        ):
            feature = _NEW_CALLS[word.name]
            yield "sql-json-query-clauses" if feature == "sql-json-queries" and _clauses(words, index + 1) else feature


def _clauses(words: Sequence[Word], parenthesis: int) -> bool:
    """Whether the call's parentheses, opening at `parenthesis`, hold a SQL/JSON clause."""
    cursor = Cursor(words, parenthesis)
    cursor.skip_group()
    return any(word.upper in _SQL_JSON_CLAUSES for word in top_level(words[parenthesis + 1 : cursor.position - 1]))


def _called_here(words: Sequence[Word], index: int) -> bool:
    """Whether the name at `index`, before parentheses, is a function called, not a routine a CREATE
    defines or a table and its columns (`CREATE FUNCTION random(lo int, ...)`, `REFERENCES "crc32"("id")`)."""
    named_by = index - 3 if index >= 3 and words[index - 1].is_symbol(".") else index - 1
    naming = words[named_by].upper if named_by >= 0 else ""
    # `ON t (...)` names a table only where an index is created; elsewhere ON starts a condition.
    return naming not in _NAMING_WORDS or (naming == "ON" and not _creates_index(words))


def _creates_index(words: Sequence[Word]) -> bool:
    return words[0].upper == "CREATE" and any(word.upper == "INDEX" for word in words[1:4])


def _enforced(words: Sequence[Word]) -> bool:
    """`[NOT] ENFORCED` of a constraint: after a constraint's keyword at the same depth of
    parentheses, with no comma between (`CHECK (...) NOT ENFORCED`, `REFERENCES t ENFORCED`,
    `ALTER CONSTRAINT c ENFORCED`); a column named `enforced`, in an expression or a list of
    columns, follows none."""
    if not any(word.upper == "TABLE" for word in words):
        return False  # only a table's constraints are enforced or not (CREATE SCHEMA may create one)
    constrained = [False]  # at each depth: whether a constraint's keyword came since the last comma
    for word in words:
        if word.is_symbol("("):
            constrained.append(False)
        elif word.is_symbol(")"):
            if len(constrained) > 1:
                constrained.pop()
        elif word.is_symbol(","):
            constrained[-1] = False
        elif word.upper in _CONSTRAINT_KEYWORDS:
            constrained[-1] = True
        elif word.upper == "ENFORCED" and constrained[-1]:
            return True
    return False


_CONSTRAINT_KEYWORDS = frozenset({"CONSTRAINT", "CHECK", "REFERENCES", "UNIQUE", "PRIMARY", "EXCLUDE", "FOREIGN"})


def _standard_json_object(words: Sequence[Word]) -> bool:
    """`JSON_OBJECT()` or `JSON_OBJECT(k : v | k VALUE v, ...)`, PostgreSQL 16's constructor; older
    versions have only the function `json_object(text[])`."""
    for index, word in enumerate(words[:-1]):
        if word.upper == "JSON_OBJECT" and words[index + 1].is_symbol("("):
            cursor = Cursor(words, index + 1)
            cursor.skip_group()
            arguments = top_level(words[index + 2 : cursor.position - 1])
            if not arguments or any(w.is_symbol(":") for w in arguments):
                return True
            # `k VALUE v`; a VALUE that starts an argument is a column of that name (`json_object(keys, value)`).
            if any(
                w.upper == "VALUE" and not (b.is_symbol(",") or b.is_symbol("("))
                for b, w in itertools.pairwise(words[index + 1 : cursor.position])
            ):
                return True
    return False


def _alter_table(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if "EXPRESSION" in keywords and _drops_expression(words):
        yield "drop-expression"
    if "COMPRESSION" in keywords:
        yield "set-compression" if has_keyword(words, "SET", "COMPRESSION") else "column-compression"
    yield from _access_method(words, keywords)
    yield from _table_definition(words, keywords)
    if "INHERIT" in keywords and _alters_inheritance_of_constraint(words):
        yield "alter-constraint-inherit"


def _alters_inheritance_of_constraint(words: Sequence[Word]) -> bool:
    """`ALTER CONSTRAINT c [NO] INHERIT`; not `[NO] INHERIT parent`, a table's parents changed."""
    for index, word in enumerate(words[:-1]):
        if word.upper == "ALTER" and words[index + 1].upper == "CONSTRAINT":
            cursor = Cursor(words, index + 2)
            if cursor.name() and (cursor.at("INHERIT") or cursor.at("NO", "INHERIT")):
                return True
    return False


def _access_method(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`SET ACCESS METHOD` of a table or a materialized view, and its `DEFAULT` form."""
    if "METHOD" in keywords and has_keyword(words, "SET", "ACCESS", "METHOD"):
        yield "set-access-method"
        if has_keyword(words, "SET", "ACCESS", "METHOD", "DEFAULT"):
            yield "set-access-method-default"


def _create_table(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if "COMPRESSION" in keywords:
        yield "column-compression"
    yield from _table_definition(words, keywords)
    if "PARTITION" in keywords:
        yield from _partitioned_table(words)


def _partitioned_table(words: Sequence[Word]) -> Iterator[str]:
    """What a table created `PARTITION BY` could not have before 17: an access method (`USING am`
    after the partitioning), and an exclusion constraint."""
    level = top_level(words)
    partitioned = [
        index for index, word in enumerate(level[:-1]) if word.upper == "PARTITION" and level[index + 1].upper == "BY"
    ]
    if not partitioned:
        return
    if any(word.upper == "USING" for word in level[partitioned[0] :]):
        yield "partitioned-access-method"
    if any(
        word.upper == "EXCLUDE" and (following.upper == "USING" or following.is_symbol("("))
        for word, following in itertools.pairwise(words)
    ):
        yield "partitioned-exclusion"


def _subquery_without_alias(words: Sequence[Word]) -> bool:
    """`FROM (SELECT ...)` or `JOIN (VALUES ...)` with no alias after it: older versions demand one."""
    for index, word in enumerate(words[:-2]):
        if (
            word.upper in ("FROM", "JOIN")
            and words[index + 1].is_symbol("(")
            and words[index + 2].upper
            in (
                "SELECT",
                "VALUES",
                "WITH",
                "TABLE",
            )
        ):
            cursor = Cursor(words, index + 1)
            cursor.skip_group()
            after = cursor.peek()
            if after is None or after.is_symbol(";") or after.is_symbol(")") or after.upper in _AFTER_FROM_ITEM:
                return True
    return False


def _longer_calls(words: Sequence[Word]) -> Iterator[str]:
    """Calls with more arguments than older versions take (`random(min, max)`; `random()` is older)."""
    for index, word in enumerate(words[:-1]):
        if word.kind in ("word", "quoted") and word.name in _LONGER_CALLS and words[index + 1].is_symbol("("):
            cursor = Cursor(words, index + 1)
            cursor.skip_group()
            arguments = top_level(words[index + 2 : cursor.position - 1])
            if any(w.is_symbol(",") for w in arguments) and _called_here(words, index):
                yield f"{word.name}-arguments"


# A jsonpath method of PostgreSQL 17 that converts a value (`$.age.integer()`); `.datetime()` is older.
_JSONPATH_CONVERSION = re.compile(
    r"\.\s*(?:bigint|boolean|date|decimal|integer|number|string|time|time_tz|timestamp|timestamp_tz)\s*\(",
    re.IGNORECASE,  # as 17 reads them (`.INTEGER()`)
)


def _jsonpath_conversions(words: Sequence[Word]) -> bool:
    """A jsonpath holding a conversion method, in a statement that reads one; not a routine's body
    (`AS '...'`), whose statements are read apart."""
    return any(
        word.kind == "string" and _converts_jsonpath(word.text) and not (index and words[index - 1].upper == "AS")
        for index, word in enumerate(words)
    )


def _converts_jsonpath(value: str) -> bool:
    """Whether a jsonpath (a string with a `$`, where a path starts) holds a conversion method."""
    return "$" in value and _JSONPATH_CONVERSION.search(value) is not None


# What Postgres reads as an infinite interval from 17 on (any case, blanks around it).
_INFINITIES = frozenset({"infinity", "+infinity", "-infinity"})


def _infinite(value: str) -> bool:
    return value.strip().lower() in _INFINITIES


def _infinite_interval(words: Sequence[Word]) -> bool:
    """`'infinity'` (or `'-infinity'`) read as an interval, which PostgreSQL 17 first accepts."""
    return any(
        word.kind == "string" and _infinite(word.text) and _read_as_interval(words, index)
        for index, word in enumerate(words)
    )


# The types a literal may be new as a value of: type -> the feature, and whether the literal is one.
_NEW_VALUES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "interval": ("interval-infinity", _infinite),
    "jsonpath": ("jsonpath-conversions", _converts_jsonpath),
}


def value_features(value: str) -> dict[str, str]:
    """The features a string literal uses as a value of a type: the type's name -> the feature, for
    those it would be new as (`'infinity'` as an interval)."""
    return {type_name: feature for type_name, (feature, is_new) in _NEW_VALUES.items() if is_new(value)}


def _read_as_interval(words: Sequence[Word], index: int) -> bool:
    """Whether the literal at `index` is an interval: `interval '...'`, `'...'::interval`, `CAST('...'
    AS interval)`, or the DEFAULT (a PL/pgSQL variable's `:=`) of a column, domain or variable
    defined as interval; the type also spelled `"interval"` or `pg_catalog.interval`."""
    before = words[index - 1] if index else None
    after = words[index + 1] if index + 1 < len(words) else None
    if (before is not None and before.upper == "INTERVAL") or (
        after is not None and after.is_symbol("::") and _names_interval(words, index + 2)
    ):
        return True
    if after is not None and after.upper == "AS":
        cast = index >= 2 and words[index - 2].upper == "CAST" and words[index - 1].is_symbol("(")
        return cast and _names_interval(words, index + 2)
    assigned = before is not None and (before.upper == "DEFAULT" or before.is_symbol(":=") or before.is_symbol("="))
    return assigned and _defined_as_interval(words, index - 1)


def _names_interval(words: Sequence[Word], index: int) -> bool:
    return Cursor(words, index).name() in ("interval", "pg_catalog.interval")


def _defined_as_interval(words: Sequence[Word], default: int) -> bool:
    """Whether the column (or domain, or variable) definition that holds the DEFAULT at `default`
    gives the type interval: an INTERVAL after its name, back to the comma or parenthesis that starts
    it. Not a column named `interval` (`ALTER COLUMN interval SET DEFAULT`, `(interval int DEFAULT ...`)."""
    depth = 0
    for index in range(default - 1, 0, -1):
        word = words[index]
        if word.is_symbol(")"):
            depth += 1
        elif word.is_symbol("("):
            if not depth:
                return False
            depth -= 1
        elif not depth and word.is_symbol(","):
            return False
        elif not depth and (word.upper == "INTERVAL" or (word.kind == "quoted" and word.text == "interval")):
            qualified = index >= 3 and words[index - 1].is_symbol(".") and words[index - 2].name == "pg_catalog"
            before = words[index - 3 if qualified else index - 1]
            return before.kind in ("word", "quoted") and before.upper not in ("ALTER", "COLUMN", "ADD")
    return False


def _temporal_key(words: Sequence[Word]) -> bool:
    """`FOREIGN KEY (..., PERIOD c) REFERENCES t (..., PERIOD c)`: PERIOD then a column, inside the
    column list that follows FOREIGN KEY or REFERENCES t."""
    for index, word in enumerate(words):
        if word.upper not in ("KEY", "REFERENCES"):
            continue
        cursor = Cursor(words, index + 1)
        if word.upper == "REFERENCES":
            cursor.name()
        if cursor.at_symbol("("):
            start = cursor.position
            cursor.skip_group()
            listed = words[start : cursor.position]
            if any(
                w.upper == "PERIOD" and following.kind in ("word", "quoted")
                for w, following in itertools.pairwise(listed)
            ):
                return True
    return False


def _drops_expression(words: Sequence[Word]) -> bool:
    """`ALTER [COLUMN] c DROP EXPRESSION`; not `DROP expression`, a column of that name dropped."""
    return any(
        words[index].upper == "DROP"
        and words[index + 1].upper == "EXPRESSION"
        and words[index - 2].upper in ("ALTER", "COLUMN")
        for index in range(2, len(words) - 1)
    )


def _table_definition(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`ON DELETE SET NULL (columns)`, or `SET DEFAULT (columns)`: only some of the key's columns."""
    if "DELETE" not in keywords:
        return
    for index in range(len(words) - 4):
        if (
            words[index].upper == "DELETE"
            and words[index + 1].upper == "SET"
            and words[index + 2].upper in ("NULL", "DEFAULT")
            and words[index + 3].is_symbol("(")
        ):
            yield "set-null-columns"
            return


# The mark of a feature a routine's body written as a string uses: Postgres checks such a body only
# while check_function_bodies is on.
IN_STRING_BODY = "body:"


def _routine(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """A body in SQL itself, `BEGIN ATOMIC ... END` or `RETURN expression`, not in a string; and what
    the statements of a body use that Postgres checks when it creates the routine, those of a string
    body marked."""
    atomic = [
        index for index, word in enumerate(words[:-1]) if word.upper == "BEGIN" and words[index + 1].upper == "ATOMIC"
    ]
    if atomic or any(word.upper == "RETURN" for word in top_level(words)):
        yield "sql-body"
    for index in atomic:  # up to its END, which is no statement's
        yield from _statements_features(split_top_level(words[index + 2 :], ";"))
    yield from (f"{IN_STRING_BODY}{feature}" for feature in _string_body_features(words))


def _string_body_features(words: Sequence[Word]) -> Iterator[str]:
    """What Postgres checks of a body written as a string (`AS '...'`, `AS $$...$$`) at CREATE."""
    language = _language(words)
    for before, word in itertools.pairwise(words):
        if before.upper != "AS" or word.kind != "string":
            continue
        if language == "sql":
            # Its queries are analysed, its utility statements (SET, GRANT, CREATE TABLE) only parsed;
            # with a polymorphic argument, whose type only a call tells, its queries too.
            text, lexed = tokenize(word.text)
            analysed = not _polymorphic(words)
            for statement in split_top_level(text, ";") if lexed else []:
                query = analysed and (statement[0].upper or statement[0].text) in _QUERIES
                yield from _statements_features([statement], _UTILITY_LOOKUPS if query else _LOOKED_UP_WHEN_RUN)
        elif language == "plpgsql":  # parsed only: what its statements call, set or name is looked up when run
            yield from _statements_features(plpgsql_statements(word.text), _LOOKED_UP_WHEN_RUN)


# What a SQL routine's body analyses at CREATE: its queries (which a WITH or parentheses may start),
# and CALL, whose procedure and arguments it looks up.
_QUERIES = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE", "CALL", "("})
# The polymorphic pseudo-types: a routine's argument of one takes its type from each call.
_POLYMORPHIC = frozenset(
    {
        "anyelement",
        "anyarray",
        "anynonarray",
        "anyenum",
        "anyrange",
        "anymultirange",
        "anycompatible",
        "anycompatiblearray",
        "anycompatiblenonarray",
        "anycompatiblerange",
        "anycompatiblemultirange",
    }
)


def _polymorphic(words: Sequence[Word]) -> bool:
    """Whether a CREATE FUNCTION or PROCEDURE has an input argument (not OUT) of a polymorphic type."""
    cursor = Cursor(words, next((i + 1 for i, w in enumerate(words) if w.upper in ("FUNCTION", "PROCEDURE")), 0))
    cursor.name()
    if not cursor.at_symbol("("):
        return False
    start = cursor.position
    cursor.skip_group()
    return any(
        argument[0].upper != "OUT" and any(w.kind in ("word", "quoted") and w.name in _POLYMORPHIC for w in argument)
        for argument in split_top_level(words[start + 1 : cursor.position - 1])
    )


def _statements_features(statements: Iterable[Sequence[Word]], ignored: frozenset[str] = frozenset()) -> Iterator[str]:
    """The features the statements of a routine's body use, but those `ignored` there."""
    for statement in statements:
        if statement:
            kind = classify(statement)
            # Some are known from a table statement's actions (SET EXPRESSION, a NOT NULL constraint).
            actions = describe(kind, statement, _no_tree) if kind in _TABLE_KINDS else None
            yield from features_of(kind, statement, actions or ()) - ignored


_TABLE_KINDS = frozenset({"ALTER TABLE", "CREATE TABLE"})


def _no_tree() -> None:
    """No statement of `_TABLE_KINDS` is parsed: their actions are read from their words."""
    return None


def _language(words: Sequence[Word]) -> str | None:
    """The language a CREATE FUNCTION or PROCEDURE names (`LANGUAGE sql`, `'sql'` or `"sql"`)."""
    for before, word in itertools.pairwise(words):
        if before.upper == "LANGUAGE" and word.kind in ("word", "quoted", "string"):
            return word.text.lower() if word.kind != "quoted" else word.text
    return None


def _create_trigger(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if has_keyword(words[:3], "CREATE", "OR", "REPLACE"):
        yield "create-or-replace-trigger"


def _create_event_trigger(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`CREATE EVENT TRIGGER name ON login`."""
    cursor = Cursor(words, 3)
    if cursor.name() and cursor.accept("ON") and (event := cursor.peek()) and event.name == "login":
        yield "login-event-trigger"


def _create_collation(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`CREATE COLLATION c (provider = builtin, ...)`: the value a name, a quoted name or a string."""
    for index in range(len(words) - 2):
        provider = words[index].kind in ("word", "quoted") and words[index].name == "provider"
        provider = provider and words[index + 1].is_symbol("=")
        if provider and words[index + 2].text.lower() == "builtin":
            yield "builtin-collation-provider"


def _drop_database(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`DROP DATABASE name [WITH] (FORCE)`: FORCE in the options' parentheses, not a database named so."""
    if "FORCE" in keywords and any(
        word.upper == "FORCE" and (before.is_symbol("(") or before.is_symbol(","))
        for before, word in itertools.pairwise(words)
    ):
        yield "drop-database-force"


def _grant(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """Role grants' options as PostgreSQL 16 spells them (`WITH ADMIN OPTION` is older), the MAINTAIN
    privilege of 17 (among the privileges, between GRANT or REVOKE and ON, not an object or a role of
    that name), and default privileges on large objects, of 18."""
    grants = [index for index, word in enumerate(words) if word.upper in ("GRANT", "REVOKE")]
    if "OBJECTS" in keywords and has_keyword(words, "ON", "LARGE", "OBJECTS"):  # a GRANT's is `LARGE OBJECT n`
        yield "default-privileges-large-objects"
    if "MAINTAIN" in keywords and grants:
        start = grants[-1]
        privileges = itertools.takewhile(lambda word: word.upper != "ON", words[start + 1 :])
        if any(word.upper == "MAINTAIN" for word in privileges) and has_keyword(words[start:], "ON"):
            yield "grant-maintain"
    yield from _grant_role_options(words, keywords)


def _copy(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if "ON_ERROR" in keywords or "LOG_VERBOSITY" in keywords:
        yield "copy-on-error"
    if "REJECT_LIMIT" in keywords or has_keyword(words, "LOG_VERBOSITY", "SILENT"):
        yield "copy-reject-limit"
    if any(
        word.upper in ("FORCE_NULL", "FORCE_NOT_NULL") and following.is_symbol("*")
        for word, following in itertools.pairwise(words)
    ):
        yield "copy-force-all"


def _grant_role_options(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if "WITH" not in keywords:
        return
    options = [words[index + 1 : index + 3] for index, word in enumerate(words[:-2]) if word.upper == "WITH"]
    if any(option[0].upper in ("INHERIT", "SET") or option[1].upper in ("TRUE", "FALSE") for option in options):
        yield "grant-role-options"


def _alter_domain(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`ALTER DOMAIN d ADD [CONSTRAINT c] NOT NULL`: older versions spell it only `SET NOT NULL`."""
    cursor = Cursor(words, 2)
    cursor.name()
    if cursor.accept("ADD") and (not cursor.accept("CONSTRAINT") or cursor.name()) and cursor.at("NOT", "NULL"):
        yield "domain-not-null-constraint"


def _vacuum(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`VACUUM ONLY t` or `ANALYZE ONLY t`: the partitioned table without its partitions."""
    if "ONLY" in keywords:
        yield "vacuum-only"


def _returning_old_new(words: Sequence[Word]) -> Iterator[str]:
    """`RETURNING WITH (OLD AS o, NEW AS n) ...` or `RETURNING old.c, new.c`: the values before and
    after the change."""
    for index, word in enumerate(words):
        if word.upper != "RETURNING":
            continue
        following = words[index + 1 : index + 3]
        if len(following) == 2 and following[0].upper == "WITH" and following[1].is_symbol("("):
            yield "returning-with"
        elif any(
            w.upper in ("OLD", "NEW") and w.kind == "word" and dot.is_symbol(".")
            for w, dot in itertools.pairwise(words[index + 1 :])
        ):
            yield "returning-old-new"


def _reindex(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`REINDEX DATABASE` or `REINDEX SYSTEM` of the current database, its name left out."""
    named = [word for word in top_level(words) if word.upper != "CONCURRENTLY" and not word.is_symbol(";")]
    if named and named[-1].upper in ("DATABASE", "SYSTEM"):
        yield "reindex-without-name"


_KIND_FEATURES: dict[str, Callable[[Sequence[Word], set[str]], Iterator[str]]] = {
    "ALTER TABLE": _alter_table,
    "ALTER DOMAIN": _alter_domain,
    "ALTER MATERIALIZED VIEW": _access_method,
    "CREATE TABLE": _create_table,
    "COPY": _copy,
    "REVOKE": _grant,
    "CREATE FUNCTION": _routine,
    "CREATE PROCEDURE": _routine,
    "CREATE TRIGGER": _create_trigger,
    "CREATE EVENT TRIGGER": _create_event_trigger,
    "CREATE COLLATION": _create_collation,
    "DROP DATABASE": _drop_database,
    "GRANT": _grant,
    "ALTER DEFAULT PRIVILEGES": _grant,
    "REINDEX": _reindex,
    "VACUUM": _vacuum,
    "ANALYZE": _vacuum,
}


def _virtual_generated_column(words: Sequence[Word]) -> bool:
    """`GENERATED ALWAYS AS (expression)` marked VIRTUAL, or not marked STORED: PostgreSQL 18 makes
    such a column virtual, and older versions reject it."""
    for index, word in enumerate(words):
        if word.upper != "GENERATED":
            continue  # the common case, kept cheap: most statements generate nothing
        cursor = Cursor(words, index)
        if cursor.accept("GENERATED", "ALWAYS", "AS") and cursor.at_symbol("("):
            cursor.skip_group()
            if not cursor.at("STORED"):
                return True
    return False


# The features a utility statement (SET, GRANT, CREATE TABLE...) looks up or checks only when it runs,
# not syntax: a SQL routine's body may use them and still be created.
_UTILITY_LOOKUPS = frozenset(
    {
        *_NEW_ROLES,
        *_NEW_SETTINGS,
        "grant-maintain",
        "partitioned-access-method",
        "partitioned-exclusion",
        "login-event-trigger",
        "builtin-collation-provider",
    }
)
# The features any statement looks up or reads when it runs, not syntax: a PL/pgSQL body's statements
# may use them and still be created (in a trigger's body, `old` and `new` are its rows). Their
# constants are read as their types when they run too (`'infinity'::interval`, a jsonpath).
_LOOKED_UP_WHEN_RUN = _UTILITY_LOOKUPS | {
    *_NEW_CALLS.values(),
    *_NEW_COLLATIONS,
    *(f"{name}-arguments" for name in _LONGER_CALLS),
    "sql-json-queries",
    "returning-old-new",
    "jsonpath-conversions",
    "interval-infinity",
}
_FROM_ITEM = _found("subquery-without-alias", _subquery_without_alias)
# The keyword a statement must hold for each search to find anything.
_SEARCHES: dict[str, Search] = {
    "NULLS": _phrases("nulls-not-distinct", ("NULLS", "NOT", "DISTINCT"), ("NULLS", "DISTINCT")),
    "SECURITY_INVOKER": _phrases("security-invoker", ("SECURITY_INVOKER",)),
    "MERGE": _found("merge-in-with", _merge_in_with),
    "FROM": _FROM_ITEM,
    "JOIN": _FROM_ITEM,
    **dict.fromkeys((name.upper() for name in _LONGER_CALLS), _longer_calls),
    "TIES": _phrases("with-ties", ("WITH", "TIES")),
    "OVERLAPS": _phrases("without-overlaps", ("WITHOUT", "OVERLAPS")),
    "ENFORCED": _found("not-enforced", _enforced),
    "STATISTICS": _phrases("statistics-default", ("SET", "STATISTICS", "DEFAULT")),
    "LOCAL": _phrases("at-local", ("AT", "LOCAL")),
    "RETURNING": _returning_old_new,
    "INHERIT": _phrases("not-null-no-inherit", ("NOT", "NULL", "NO", "INHERIT")),
    "PERIOD": _found("temporal-foreign-key", _temporal_key),
    "JSON": _phrases("is-json", ("IS", "JSON"), ("IS", "NOT", "JSON")),
    "JSON_OBJECT": _found("sql-json-constructors", _standard_json_object),
    "INTERVAL": _found("interval-infinity", _infinite_interval),
    **dict.fromkeys(_JSONPATH_READERS, _found("jsonpath-conversions", _jsonpath_conversions)),
    **dict.fromkeys((name.upper() for name in _NEW_NAMES), _new_names),
    **dict.fromkeys((*(name.upper() for name in _NEW_SETTINGS), "SET_CONFIG"), _new_settings),
    **dict.fromkeys(_NEW_CALL_KEYWORDS, _new_calls),
}
_SEARCH_KEYWORDS = frozenset(_SEARCHES)
