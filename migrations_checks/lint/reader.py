"""Find and read migrations: a Drizzle folder, a plain folder of `.sql` files, or single files.

A Drizzle folder is recognised by `meta/_journal.json`; its journal gives the order, exactly as
drizzle-orm applies it. A plain folder is applied in file-name order. Rollback files
(`NNNN_name.down.sql`) sit beside the migrations they undo and are never migrations themselves.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from msgspec import Struct
from msgspec.structs import replace

from gates.config import MigrationSettings
from gates.usage import UsageError

JOURNAL_PATH = Path("meta") / "_journal.json"
DOWN_SUFFIX = ".down.sql"
BOM = "\ufeff"


class InputError(UsageError):
    """A path or file cannot be read as migrations; one sentence, shown without a traceback."""


class JournalEntry(Struct, frozen=True):
    """One entry of Drizzle's journal: a migration's tag and the `when` drizzle-kit gave it."""

    tag: str
    when: int


class Journal(Struct, frozen=True, dict=True):  # a __dict__ for the cached property
    """Drizzle's `meta/_journal.json`: the migrations in the order drizzle-orm applies them."""

    path: Path
    entries: tuple[JournalEntry, ...]
    text: str = ""  # the file as read, where `line_of` finds each entry

    def line_of(self, position: int) -> int:
        """The 1-based line on which the entry at `position` opens, for findings."""
        return self._lines[position] if position < len(self._lines) else 1

    @cached_property
    def _lines(self) -> list[int]:
        # Worked out only for a finding: scanning a long journal costs more than reading it.
        return _entry_lines(self.text, len(self.entries))


class MigrationFile(Struct, frozen=True):
    """One migration file: where it is, its tag and its text."""

    path: Path
    tag: str  # the file name without `.sql`, as Drizzle names migrations
    text: str
    when: int | None = None  # the journal's `when` (Drizzle only)

    @property
    def down_path(self) -> Path:
        return self.path.with_name(self.tag + DOWN_SUFFIX)


class TrackingTable(Struct, frozen=True):
    """Where drizzle-orm records the migrations it applied (drizzle.config's `migrations.schema`
    and `migrations.table`)."""

    schema: str = "drizzle"
    table: str = "__drizzle_migrations"


class MigrationSet(Struct, frozen=True):
    """Migrations in the order they are applied, with the Drizzle journal when there is one."""

    root: Path | None
    files: tuple[MigrationFile, ...]
    journal: Journal | None = None
    orphan_files: tuple[Path, ...] = ()  # `.sql` files in a Drizzle folder with no journal entry
    tracking: TrackingTable = TrackingTable()


def is_migration_name(name: str) -> bool:
    """Whether a file name is a migration's: `.sql` (not a hidden file of that name), and not a
    rollback file."""
    return name.endswith(".sql") and name != ".sql" and not name.endswith(DOWN_SUFFIX)


def read_text(path: Path) -> str:
    """A migration file's text, or an InputError naming the file."""
    try:
        # Unbuffered: the file is read whole in one call, and a buffer would only add a copy (a
        # long history is thousands of files, read on every run).
        with open(path, "rb", buffering=0) as handle:
            text = handle.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InputError(f"{path} cannot be read: {error.strerror}") from None
    if "\x00" in text:
        # A query ends at a NUL for libpq, so the rest would never run; drizzle-orm's query fails.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(f"{path} holds a NUL character on line {line}, which no Postgres query can carry")
    if text.startswith(BOM):
        # drizzle-orm and psql send it as is, and the server reads it as a letter of the first word.
        raise InputError(
            f"{path} starts with a byte-order mark, which Postgres reads as part of the first statement "
            "(a syntax error there); save it as UTF-8 without one"
        )
    return text


def read_migrations(paths: Sequence[Path], configured: MigrationSettings | None = None) -> list[MigrationSet]:
    """Read every path given on a command line; each folder becomes one set, loose files one more.
    A path given twice, or a migration inside a folder that is given too, is read once. The folder
    that `configured` (a gates.toml's `[migrations]`) names is read in its format, never guessed."""
    home = configured.path.resolve() if configured is not None else None
    sets: list[MigrationSet] = []
    loose: list[MigrationFile] = []
    seen: set[Path] = set()
    for path in paths:
        with _unreadable_is_input_error(path):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if path.is_dir() and resolved == home and configured is not None:
                sets.append(read_configured(replace(configured, path=path)))
            elif path.is_dir():
                sets.append(read_folder(path))
            elif path.is_file() and path.suffix != ".sql":
                # Read as SQL, a README would pass having been checked for nothing.
                raise InputError(f"{path} is not a .sql file")
            elif path.is_file():
                loose.append(MigrationFile(path=path, tag=_tag(path.name), text=read_text(path)))
            elif path.exists():
                raise InputError(f"{path} is neither a file nor a folder")
            else:
                raise InputError(f"{path} does not exist")
    loose = [file for file in loose if not (file.path.parent.resolve() in seen and is_migration_name(file.path.name))]
    if loose:
        sets.append(MigrationSet(root=None, files=tuple(loose)))
    return sets


def read_configured(settings: MigrationSettings) -> MigrationSet:
    """The folder `[migrations] path` names, read as `[migrations] format` says, never guessed: a
    Drizzle folder whose journal went missing must not quietly become a plain folder."""
    folder = settings.path
    with _unreadable_is_input_error(folder):
        if not folder.is_dir():
            raise InputError(f"the migrations folder {folder} ([migrations] path) does not exist")
        if settings.format == "plain":
            return read_plain_folder(folder)
        if not (folder / JOURNAL_PATH).is_file():
            raise InputError(f"{folder} has no {JOURNAL_PATH.as_posix()}, but [migrations] format is drizzle")
        return tracked_as(read_drizzle_folder(folder), settings)


def tracking_table(settings: MigrationSettings) -> TrackingTable:
    """Where `[migrations]` says drizzle-orm records the applied migrations."""
    return TrackingTable(settings.migrations_schema, settings.migrations_table)


def tracked_as(migrations: MigrationSet, settings: MigrationSettings) -> MigrationSet:
    """`migrations` recorded where `[migrations]` says drizzle-orm records them."""
    tracking = tracking_table(settings)
    return migrations if tracking == migrations.tracking else replace(migrations, tracking=tracking)


@contextmanager
def _unreadable_is_input_error(path: Path) -> Iterator[None]:
    """A folder that cannot be listed or looked into is an input error like an unreadable file."""
    try:
        yield
    except OSError as error:
        raise InputError(f"{error.filename or path} cannot be read: {error.strerror}") from None


def read_folder(folder: Path) -> MigrationSet:
    """A folder named on a command line: Drizzle when it has a journal, plain otherwise."""
    if (folder / JOURNAL_PATH).is_file():
        return read_drizzle_folder(folder)
    return read_plain_folder(folder)


def read_plain_folder(folder: Path) -> MigrationSet:
    # A link to nothing is kept, to fail as unreadable: skipped, it would never have been checked.
    files = sorted(p for p in folder.iterdir() if (p.is_file() or p.is_symlink()) and is_migration_name(p.name))
    if not files:
        # A gate that reads an empty folder would pass having checked nothing: a mistyped path,
        # or drizzle-kit 1.x's one-folder-per-migration layout, which this reader does not know.
        nested = (
            "; drizzle-kit 1.x folders (<name>/migration.sql) are not supported"
            if any((child / "migration.sql").is_file() for child in folder.iterdir() if child.is_dir())
            else ""
        )
        raise InputError(f"{folder} holds no .sql migrations{nested}")
    return MigrationSet(
        root=folder,
        files=tuple(MigrationFile(path=p, tag=_tag(p.name), text=read_text(p)) for p in files),
    )


def read_drizzle_folder(folder: Path) -> MigrationSet:
    journal = read_journal(folder / JOURNAL_PATH)
    if not journal.entries:
        # drizzle-orm would apply nothing, so every gate would pass having checked nothing.
        unlisted = sorted(p.name for p in folder.glob("*.sql") if is_migration_name(p.name))
        found = f"; {', '.join(unlisted)} would never be applied" if unlisted else " and there is no .sql file"
        raise InputError(f"{folder} holds no migrations: its journal lists none{found}")
    files = []
    for entry in journal.entries:
        path = _entry_path(folder, entry.tag)
        text = _read_if_file(path)
        if text is not None:
            files.append(MigrationFile(path=path, tag=entry.tag, text=text, when=entry.when))
    listed = {_entry_name(entry.tag) for entry in journal.entries}
    with os.scandir(folder) as listing:
        names = [item.name for item in listing if is_migration_name(item.name)]
    orphans = tuple(sorted(folder / name for name in names if name not in listed))
    return MigrationSet(root=folder, files=tuple(files), journal=journal, orphan_files=orphans)


def _entry_path(folder: Path, tag: str) -> Path:
    """Where drizzle-orm looks for an entry's file: the folder and the tag joined as text, so an
    absolute tag (`/x`) stays inside the folder rather than replacing it, as with `folder / tag`."""
    # Most tags are a plain name; joining one is cheaper than parsing the joined text.
    return folder / f"{tag}.sql" if "/" not in tag else Path(f"{folder}/{tag}.sql")


def _entry_name(tag: str) -> str:
    """The entry's file as a name inside the folder (`./0000_a` is `0000_a.sql`); a name with a
    `/` left in it is a file elsewhere."""
    return f"{tag}.sql" if "/" not in tag else os.path.normpath(f"./{tag}.sql")


def _read_if_file(path: Path) -> str | None:
    """The text of a journal entry's file, None when there is no such file (one stat fewer than
    asking first: a long history has thousands)."""
    try:
        return read_text(path)
    except InputError:
        if path.is_file():
            raise
        return None


def read_journal(path: Path) -> Journal:
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path} is not valid JSON: {error.msg} at line {error.lineno}") from None
    raw_entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw_entries, list):
        raise InputError(f"{path} has no `entries` list; it is not a Drizzle journal")
    dialect = data.get("dialect", "postgresql")
    if dialect not in _POSTGRES_DIALECTS:
        raise InputError(f"{path} is a journal of dialect {dialect!r}; deploy-gates reads Postgres migrations")
    entries = []
    positions: dict[str, int] = {}  # by file name: `./0000_a` and `0000_a` are one file
    for position, raw in enumerate(raw_entries):
        tag, when = (raw.get("tag"), raw.get("when")) if isinstance(raw, dict) else (None, None)
        if not isinstance(tag, str) or not isinstance(when, int) or isinstance(when, bool):
            line = _entry_lines(text, len(raw_entries))[position]
            raise InputError(f"{path} entry {position} (line {line}) needs a string `tag` and an integer `when`")
        first = positions.setdefault(_entry_name(tag), position)
        if first != position:
            raise InputError(
                f"{path} lists {tag} twice (entries {first} and {position}): drizzle-orm would run that file twice"
            )
        entries.append(JournalEntry(tag=tag, when=when))
    return Journal(path=path, entries=tuple(entries), text=text)


# drizzle-kit writes `postgresql`; its older journals (version "5") say `pg`.
_POSTGRES_DIALECTS = ("postgresql", "pg")


def _tag(name: str) -> str:
    return name.removesuffix(".sql") if name.endswith(".sql") else Path(name).stem


# JSON strings (which may hold braces), the brackets that give the entries' nesting, and newlines.
_JOURNAL_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]\n]')


def _entry_lines(text: str, count: int) -> list[int]:
    """The line on which each of the journal's entry objects opens (best effort, else line 1)."""
    start = text.find('"entries"')
    if start < 0:
        return [1] * count
    lines = []
    line = text.count("\n", 0, start) + 1
    depth = -1  # inside the entries list once its "[" is seen
    for token in _JOURNAL_TOKEN.finditer(text, start):
        char = token.group()
        if char == "\n":
            line += 1
        elif char == "{" or char == "[":
            if char == "{" and depth == 0:
                lines.append(line)
            depth += 1
        elif char == "}" or char == "]":
            depth -= 1
            if depth < 0:
                break
    return (lines + [1] * count)[:count]
