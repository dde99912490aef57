"""The lint's result cache: what each migration file gave, so an unchanged history is not re-read.

Results live in `.gates_cache/` (with a `.gitignore` inside) in the folder of the gates.toml in
use: one JSON file per migration set, holding an entry for each of its files, so that a warm run
opens one file, not one per migration (as ruff keeps one cache file per package). An entry's key
covers everything its result depends on: the linter's own source, the lint settings, the file's
name, tag and bytes, and the state the earlier files leave: a digest chained over every file's
changes to the schema history and the transaction still open after it. An edit that leaves that
state as it was keeps the later files cached; any other invalidates them. A result that read
statements of other files in its transaction (a rule looking across them) is keyed by those files'
bytes too.

An entry keeps the state it leaves, so a warm run walks the chain without decoding anything else,
and its changes to the schema history as text, decoded only when a later file must be read
against that history.

The cache is only ever a hint: a file that is missing, truncated, corrupt or of another format, and
an entry of another key or of the wrong shape, is ignored and rewritten, never trusted. JSON, not
pickle: reading the cache must not be able to run code, whoever wrote the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from migrations_checks.lint.context import RECORDED_VERBS, TAGGED_VERBS, History, LintOptions
from migrations_checks.lint.reader import MigrationFile, MigrationSet
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.records.findings import Coverage, Finding, Suppression

CACHE_DIR = ".gates_cache"
_FORMAT = "deploy-gates lint cache 2"
_SEVERITIES = ("error", "warning", "info")


class Distrusted(Exception):
    """A cached entry turned out malformed when it was decoded; the set is linted afresh."""


@dataclass
class FileOutcome:
    """What linting one file gave, and what it leaves for the files after it."""

    findings: list[Finding]  # active ones; `file` is filled in by whoever reports them
    silenced: list[Finding]
    statements: int  # counted for reported files only, as the coverage is
    coverage: Coverage
    changes: tuple[Action, ...]  # the actions that change the schema history, in order
    deprecations: tuple[tuple[str, str | None], ...]  # (table, column) the file deprecates
    open_after: str | None  # the transaction block still open after the file
    # Whether a rule read statements of earlier or later files of the same transaction, and the
    # digest of those files' bytes when it did (set by the cache).
    reads_earlier: bool = False
    reads_later: bool = False
    earlier_files: str = ""
    later_files: str = ""


@dataclass
class CachedOutcome:
    """A file's outcome served by the cache: its schema changes are decoded only to be replayed."""

    outcome: FileOutcome  # with no changes or deprecations: those are in `leaves`
    state_after: str
    leaves: str


def replay(done: Sequence[tuple[str, CachedOutcome]], history: History) -> None:
    """Make `history` what it would be had the files (tag, outcome) been read again, in order;
    raises `Distrusted` when their changes are malformed."""
    try:
        # One decode for all: a long history replays thousands of entries at once.
        leaves = json.loads(f"[{','.join(cached.leaves for _, cached in done)}]")
        for (tag, _), (changes, deprecations) in zip(done, leaves, strict=True):
            history.record_actions(tag, [_action(item) for item in changes])
            for table, column in deprecations:
                history.deprecations.setdefault((_str(table), _optional_str(column)), tag)
    except (ValueError, TypeError, KeyError) as error:
        raise Distrusted(str(error)) from None


def history_changes(actions: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(action for action in actions if action.verb in RECORDED_VERBS)


@cache
def _tool_digest() -> str:
    """The linter's own source: an edited rule must not be served an old result."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _settings(options: LintOptions, one_connection: bool) -> str:
    """The options a result depends on. Not `only`: each file's key says whether it is reported,
    so the deploy gate's entries survive a deploy that turns pending migrations into applied ones."""
    return repr(
        (
            options.transactional,
            options.postgres_version,
            sorted(options.hot_tables),
            sorted(options.severity.items()),
            one_connection,
        )
    )


class SetCache:
    """The cache of one migration set linted with one set of options: read once when made,
    written once by `save`, and only when an entry changed."""

    def __init__(self, folder: Path, options: LintOptions, migration_set: MigrationSet) -> None:
        one_connection = migration_set.journal is not None
        self.start = _hash(_tool_digest(), _settings(options, one_connection))
        self._folder = folder / CACHE_DIR
        where = [migration_set.root] if migration_set.root else [file.path for file in migration_set.files]
        self._path = self._folder / f"{_hash(*(os.path.abspath(path) for path in where))}.json"
        self._old = self._read()
        self._new: dict[str, list[Any]] = {}
        self._changed = False
        self._neighbours: tuple[list[str], list[str]] | None = None

    def key(self, file: MigrationFile, reported: bool, state: str) -> str:
        return _hash(state, str(file.path), file.tag, repr(file.when), repr(reported), file.text)

    def state_after(self, state: str, file: MigrationFile, outcome: FileOutcome) -> str:
        """The state the file leaves: only what later files can see of it."""
        tagged = any(action.verb in TAGGED_VERBS for action in outcome.changes) or outcome.deprecations
        return _hash(
            state,
            file.tag if tagged else "",
            repr(outcome.changes),
            repr(outcome.deprecations),
            repr(outcome.open_after),
        )

    def neighbours(self, files: Sequence[MigrationFile], reported: Sequence[bool], index: int) -> tuple[str, str]:
        """Digests of the bytes of the reported files before and after `files[index]`."""
        if self._neighbours is None:
            texts = [(file.tag, file.text) for file, counted in zip(files, reported, strict=True) if counted]
            before, after = [""], [""]
            for tag, text in texts:
                before.append(_hash(before[-1], tag, text))
            for tag, text in reversed(texts):
                after.append(_hash(after[-1], tag, text))
            after.reverse()
            self._neighbours = (before, after)
        position = sum(1 for counted in reported[:index] if counted)
        before, after = self._neighbours
        return before[position], after[position + 1 if reported[index] else position]

    def load(self, file: MigrationFile, key: str, display: Callable[[Path], str]) -> CachedOutcome | None:
        """The file's cached outcome, its findings naming the file by `display(file.path)`."""
        entry = self._old.get(str(file.path))
        try:
            if entry is None or entry[0] != key:
                return None
            _, state_after, result, leaves = entry
            cached = CachedOutcome(_outcome(result, lambda: display(file.path)), _str(state_after), _str(leaves))
        except (ValueError, TypeError, KeyError, IndexError):
            return None
        self._new[str(file.path)] = entry
        return cached

    def store(self, file: MigrationFile, key: str, outcome: FileOutcome, state_after: str) -> None:
        leaves = json.dumps(
            [[_plain_action(a) for a in outcome.changes], [list(key) for key in outcome.deprecations]],
            separators=(",", ":"),
        )
        self._new[str(file.path)] = [key, state_after, _plain(outcome), leaves]
        self._changed = True

    def save(self) -> None:
        """Write the entries of this run, once, if any differs from what was read."""
        if not self._changed and self._new.keys() == self._old.keys():
            return
        body = json.dumps(self._new, separators=(",", ":"))
        # Written aside and renamed: a concurrent run reads the old file or the new one, never a torn one.
        aside = self._path.with_name(f"{self._path.name}.{os.getpid()}.tmp")
        try:
            self._folder.mkdir(exist_ok=True)
            ignore = self._folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# The lint's result cache (gates lint --no-cache skips it).\n*\n", encoding="utf-8")
            aside.write_text(f"{_FORMAT} {_hash(body)}\n{body}", encoding="utf-8")
            os.replace(aside, self._path)
        except OSError:
            aside.unlink(missing_ok=True)  # a cache that cannot be written only costs the next run its speed

    def _read(self) -> dict[str, list[Any]]:
        try:
            header, body = self._path.read_text(encoding="utf-8").split("\n", 1)
            if header != f"{_FORMAT} {_hash(body)}":
                return {}
            entries = json.loads(body)
        except (OSError, ValueError):
            return {}
        return entries if isinstance(entries, dict) else {}


def _plain(outcome: FileOutcome) -> list[Any]:
    return [
        [_plain_finding(f) for f in outcome.findings],
        [_plain_finding(f) for f in outcome.silenced],
        outcome.statements,
        [outcome.coverage.parsed, outcome.coverage.classified, outcome.coverage.opaque],
        outcome.open_after,
        [outcome.reads_earlier, outcome.reads_later, outcome.earlier_files, outcome.later_files],
    ]


def _plain_finding(finding: Finding) -> list[Any]:
    allow = finding.suppressed_by
    suppression = None if allow is None else [list(allow.rules), allow.reason, allow.line]
    return [
        finding.rule,
        finding.severity,
        finding.line,
        finding.column,
        finding.message,
        finding.hint,
        finding.source_line,
        suppression,
    ]


def _plain_action(action: Action) -> dict[str, Any]:
    defaults = Action._field_defaults
    values = zip(Action._fields, action, strict=True)
    return {name: value for name, value in values if name == "verb" or value != defaults[name]}


def _outcome(result: list[Any], display: Callable[[], str]) -> FileOutcome:
    found, silenced, statements, coverage, open_after, reads = result
    parsed, classified, opaque = coverage
    reads_earlier, reads_later, earlier_files, later_files = reads
    file = display() if found or silenced else ""
    return FileOutcome(
        findings=[_finding(item, file) for item in found],
        silenced=[_finding(item, file) for item in silenced],
        statements=_int(statements),
        coverage=Coverage(parsed=_int(parsed), classified=_int(classified), opaque=_int(opaque)),
        changes=(),
        deprecations=(),
        open_after=_optional_str(open_after),
        reads_earlier=_bool(reads_earlier),
        reads_later=_bool(reads_later),
        earlier_files=_str(earlier_files),
        later_files=_str(later_files),
    )


def _finding(item: list[Any], file: str) -> Finding:
    rule, severity, line, column, message, hint, source_line, suppression = item
    if severity not in _SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    allow = None
    if suppression is not None:
        rules, reason, allow_line = suppression
        allow = Suppression(rules=tuple(_str(r) for r in rules), reason=_str(reason), file=file, line=_int(allow_line))
    return Finding(
        rule=_str(rule),
        severity=severity,
        file=file,
        line=_int(line),
        column=_int(column),
        message=_str(message),
        hint=_str(hint),
        source_line=_str(source_line),
        suppressed_by=allow,
    )


def _action(item: dict[str, Any]) -> Action:
    if _str(item["verb"]) not in RECORDED_VERBS:
        raise ValueError("not a history change")
    return Action(**{name: _FIELD_READERS[name](value) for name, value in item.items()})


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer")
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("expected a boolean")
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected a string")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(_str(part) for part in value)


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple((_str(first), _str(second)) for first, second in value)


def _field_reader(name: str) -> Callable[[Any], Any]:
    """How an entry's value of one `Action` field is checked, by the field's default."""
    if name == "verb":
        return _str
    if name == "columns":
        return _pairs
    default = Action._field_defaults[name]
    if isinstance(default, bool):
        return _bool
    return _strs if isinstance(default, tuple) else _optional_str


_FIELD_READERS = {name: _field_reader(name) for name in Action._fields}
