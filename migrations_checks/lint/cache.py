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

An entry keeps the state it leaves, so a warm run walks the chain comparing keys, and its changes
to the schema history as raw JSON, decoded only when a later file must be read against that history.

The cache is only ever a hint: a file that is missing, truncated, corrupt, of another format or of
the wrong shape, and an entry of another key, is ignored and rewritten, never trusted. JSON, not
pickle: reading the cache must not be able to run code, whoever wrote the folder. msgspec decodes it
into the lint's own records, checking every value's type as it goes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from functools import cache
from pathlib import Path

import msgspec
from msgspec import Raw, Struct
from msgspec.structs import replace

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.history import RECORDED_VERBS, TAGGED_VERBS, History
from migrations_checks.lint.reader import MigrationFile, MigrationSet
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.records.findings import Coverage, Finding

CACHE_DIR = ".gates_cache"
_FORMAT = "deploy-gates lint cache 4"


class Distrusted(Exception):
    """A cached entry turned out malformed when it was decoded; the set is linted afresh."""


class FileOutcome(Struct, array_like=True, forbid_unknown_fields=True):
    """What linting one file gave, and what it leaves for the files after it."""

    findings: list[Finding]  # active ones, naming the file as `display_path` shows it
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


class CachedOutcome(Struct, array_like=True, forbid_unknown_fields=True):
    """A file's entry in the cache: its outcome, and its schema changes kept as JSON, decoded only
    when a later file must be read against them."""

    key: str
    state_after: str
    outcome: FileOutcome  # with no changes or deprecations: those are in `leaves`
    leaves: Raw  # [changes, deprecations]


_ENTRIES = msgspec.json.Decoder(dict[str, CachedOutcome])
_LEAVES = msgspec.json.Decoder(list[tuple[tuple[Action, ...], tuple[tuple[str, str | None], ...]]])


def replay(done: Sequence[tuple[str, CachedOutcome]], history: History) -> None:
    """Make `history` what it would be had the files (tag, outcome) been read again, in order;
    raises `Distrusted` when their changes are malformed."""
    try:
        # One decode for all: a long history replays thousands of entries at once.
        leaves = _LEAVES.decode(b"[" + b",".join(cached.leaves for _, cached in done) + b"]")
    except msgspec.DecodeError as error:  # a ValidationError is one
        raise Distrusted(str(error)) from None
    for (tag, _), (changes, deprecations) in zip(done, leaves, strict=True):
        if any(action.verb not in RECORDED_VERBS for action in changes):
            raise Distrusted(f"{tag}: a cached change that is not a history change")
        history.record_actions(tag, changes)
        for key in deprecations:
            history.deprecations.setdefault(key, tag)


def history_changes(actions: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(action for action in actions if action.verb in RECORDED_VERBS)


@cache
def _tool_digest() -> str:
    """The linter's own source, sqlglot's version (it parses the statements whose tree a rule reads)
    and Python's: an edited rule or an upgraded parser must not be served an old result."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    # Its version file, found without importing sqlglot: a warm run never needs the parser.
    sqlglot = importlib.util.find_spec("sqlglot")
    if sqlglot is None or sqlglot.origin is None:
        raise RuntimeError("sqlglot is not installed")
    digest.update(Path(sqlglot.origin).with_name("_version.py").read_bytes())
    return digest.hexdigest()


def _hash(*parts: str) -> str:
    return _digest("\0".join(parts).encode())


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
        # Loose files (the staged-files pre-commit hook) are cached per folder, not per selection:
        # one file per selection would pile up, one for every commit.
        where = (
            [os.path.abspath(migration_set.root)]
            if migration_set.root
            else ["loose", *sorted({os.path.abspath(file.path.parent) for file in migration_set.files})]
        )
        self._path = self._folder / f"{_hash(*where)}.json"
        self._old = self._read()
        self._new: dict[str, CachedOutcome] = {}
        self._changed = False
        self._neighbours: tuple[list[str], list[str]] | None = None

    def key(self, file: MigrationFile, reported: bool, state: str) -> str:
        return _hash(state, str(file.path), file.tag, repr(file.when), repr(reported), file.text)

    def state_after(self, state: str, file: MigrationFile, outcome: FileOutcome) -> str:
        """The state the file leaves: only what later files can see of it."""
        tagged = (
            any(
                action.verb in TAGGED_VERBS or any(proven for _, proven, _ in action.checks)
                for action in outcome.changes
            )
            or outcome.deprecations
        )
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
        cached = self._old.get(str(file.path))
        if cached is None or cached.key != key:
            return None
        outcome = cached.outcome
        if outcome.findings or outcome.silenced:
            # The file's name as shown depends on the current folder, not on when it was cached.
            shown = display(file.path)
            outcome.findings = [_shown_as(shown, finding) for finding in outcome.findings]
            outcome.silenced = [_shown_as(shown, finding) for finding in outcome.silenced]
        self._new[str(file.path)] = cached
        return cached

    def store(self, file: MigrationFile, key: str, outcome: FileOutcome, state_after: str) -> None:
        leaves = Raw(msgspec.json.encode([outcome.changes, outcome.deprecations]))
        kept = replace(outcome, changes=(), deprecations=())
        self._new[str(file.path)] = CachedOutcome(key, state_after, kept, leaves)
        self._changed = True

    def save(self) -> None:
        """Write the entries of this run, once, if any differs from what was read, and the
        folder's `.gitignore` if it is missing. A cache that cannot be written (a file in the
        folder's place, no permission) only costs the next run its speed."""
        changed = self._changed or self._new.keys() != self._old.keys()
        if not changed and not self._old:
            return  # nothing cached, nothing to write
        # Written aside and renamed: a concurrent run reads the old file or the new one, never a torn one.
        aside = self._path.with_name(f"{self._path.name}.{os.getpid()}.tmp")
        try:
            self._folder.mkdir(exist_ok=True)
            ignore = self._folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# The lint's result cache (gates lint --no-cache skips it).\n*\n", encoding="utf-8")
            if changed:
                body = msgspec.json.encode(self._new)
                aside.write_bytes(f"{_FORMAT} {_digest(body)}\n".encode() + body)
                os.replace(aside, self._path)
        except OSError:
            with suppress(OSError):
                aside.unlink(missing_ok=True)

    def _read(self) -> dict[str, CachedOutcome]:
        try:
            header, body = self._path.read_bytes().split(b"\n", 1)
            if header != f"{_FORMAT} {_digest(body)}".encode():
                return {}
            return _ENTRIES.decode(body)
        except (OSError, ValueError):  # msgspec's DecodeError is a ValueError
            return {}


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _shown_as(shown: str, finding: Finding) -> Finding:
    if finding.file == shown:
        return finding
    allow = finding.suppressed_by
    return replace(finding, file=shown, suppressed_by=allow and replace(allow, file=shown))
