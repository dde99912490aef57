"""The lint's result cache: what each migration file gave, so an unchanged history is not re-read.

Entries live in `.gates_cache/` (with a `.gitignore` inside) in the folder of the gates.toml in
use, one JSON file per migration file. An entry's key covers everything its result depends on:
the linter's own source, the lint settings, the file's name, tag and bytes, and the state the
earlier files leave: a digest chained over every file's changes to the schema history and the
transaction still open after it. An edit that leaves that state as it was keeps the later files
cached; any other invalidates them. A result that read statements of other files in its
transaction (a rule looking across them) is keyed by those files' bytes too.

An entry is only ever a hint: one that is missing, truncated, corrupt, of another key or of the
wrong shape is ignored and rewritten, never trusted. JSON, not pickle: reading an entry must not
be able to run code, whoever wrote the folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from migrations_checks.lint.context import RECORDED_VERBS, TAGGED_VERBS, History, LintOptions
from migrations_checks.lint.reader import MigrationFile
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.records.findings import Coverage, Finding, Suppression

CACHE_DIR = ".gates_cache"
_FORMAT = 1
_SEVERITIES = ("error", "warning", "info")
_ACTION_FIELDS = {f.name: f for f in dataclasses.fields(Action)}


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

    def replay(self, history: History, tag: str) -> None:
        """Make `history` what it would be had the file been read again."""
        history.record_actions(tag, self.changes)
        for key in self.deprecations:
            history.deprecations.setdefault(key, tag)


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
    """The cache of one migration set linted with one set of options."""

    def __init__(self, folder: Path, options: LintOptions, one_connection: bool) -> None:
        self._folder = folder / CACHE_DIR
        self.start = _hash(_tool_digest(), _settings(options, one_connection))
        self._neighbours: tuple[list[str], list[str]] | None = None
        self._made = False  # the folder and its .gitignore exist

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

    def load(self, file: MigrationFile, key: str, display: Callable[[Path], str]) -> FileOutcome | None:
        """The file's cached outcome, its findings naming the file by `display(file.path)`."""
        try:
            envelope = json.loads(self._entry(file).read_text(encoding="utf-8"))
            if envelope.get("format") != _FORMAT or envelope.get("key") != key:
                return None
            body = envelope["body"]
            if envelope.get("digest") != _hash(key, body):
                return None
            return _outcome(json.loads(body), lambda: display(file.path))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def store(self, file: MigrationFile, key: str, outcome: FileOutcome) -> None:
        body = json.dumps(_plain(outcome), separators=(",", ":"))
        envelope = json.dumps({"format": _FORMAT, "key": key, "digest": _hash(key, body), "body": body})
        # Written in place, not aside and renamed (creating files is most of a cold run's cache
        # cost): an entry torn by a crash or a concurrent run fails its digest and is rewritten.
        try:
            if not self._made:
                self._folder.mkdir(exist_ok=True)
                ignore = self._folder / ".gitignore"
                if not ignore.exists():
                    ignore.write_text(
                        "# The lint's result cache (gates lint --no-cache skips it).\n*\n", encoding="utf-8"
                    )
                self._made = True
            self._entry(file).write_text(envelope, encoding="utf-8")
        except OSError:
            return  # a cache that cannot be written only costs the next run its speed

    def _entry(self, file: MigrationFile) -> Path:
        return self._folder / f"{_hash(os.path.abspath(file.path))}.json"


def _plain(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "findings": [_plain_finding(f) for f in outcome.findings],
        "silenced": [_plain_finding(f) for f in outcome.silenced],
        "statements": outcome.statements,
        "coverage": [outcome.coverage.parsed, outcome.coverage.classified, outcome.coverage.opaque],
        "changes": [_plain_action(a) for a in outcome.changes],
        "deprecations": [list(key) for key in outcome.deprecations],
        "open_after": outcome.open_after,
        "reads": [outcome.reads_earlier, outcome.reads_later, outcome.earlier_files, outcome.later_files],
    }


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
    values = ((name, getattr(action, name)) for name in _ACTION_FIELDS)
    return {name: value for name, value in values if name == "verb" or value != _ACTION_FIELDS[name].default}


def _outcome(data: dict[str, Any], display: Callable[[], str]) -> FileOutcome:
    reads = data["reads"]
    coverage = data["coverage"]
    file = display() if data["findings"] or data["silenced"] else ""
    outcome = FileOutcome(
        findings=[_finding(item, file) for item in data["findings"]],
        silenced=[_finding(item, file) for item in data["silenced"]],
        statements=_int(data["statements"]),
        coverage=Coverage(parsed=_int(coverage[0]), classified=_int(coverage[1]), opaque=_int(coverage[2])),
        changes=tuple(_action(item) for item in data["changes"]),
        deprecations=tuple((_str(table), _optional_str(column)) for table, column in data["deprecations"]),
        open_after=_optional_str(data["open_after"]),
        reads_earlier=_bool(reads[0]),
        reads_later=_bool(reads[1]),
        earlier_files=_str(reads[2]),
        later_files=_str(reads[3]),
    )
    if len(coverage) != 3 or len(reads) != 4:
        raise ValueError("malformed entry")
    return outcome


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
    values: dict[str, Any] = {}
    for name, value in item.items():
        default = _ACTION_FIELDS[name].default
        if isinstance(default, bool):
            values[name] = _bool(value)
        elif name == "columns":
            values[name] = tuple((_str(column), _str(kind)) for column, kind in value)
        elif isinstance(default, tuple):
            values[name] = tuple(_str(part) for part in value)
        else:
            values[name] = _optional_str(value) if name != "verb" else value
    return Action(**values)


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
