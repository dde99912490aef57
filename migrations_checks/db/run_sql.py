"""Run a migration file's SQL the way drizzle-orm does, and say exactly where it failed.

drizzle-orm splits every file on the exact string `--> statement-breakpoint` (whatever the journal's
`breakpoints` flag says) and sends each chunk as one raw query; a chunk may hold several
statements. psycopg sends a query without parameters with the simple-query protocol, which runs
such multi-statement chunks just as node-postgres does. Rollback files are run the same way.

When Postgres rejects a chunk, the error names the file, the line of the failing statement (from
the error's position inside the chunk when Postgres reports one), the statement and the SQLSTATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from gates.excerpt import excerpt
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.sql.comments import BREAKPOINT


@dataclass(frozen=True)
class Chunk:
    """One query drizzle-orm sends: a piece of the file between breakpoints."""

    text: str
    offset: int  # where the chunk starts in the file, in characters


class StatementError(Exception):
    """A chunk of a migration (or rollback) file failed; the message locates it for a human."""

    def __init__(self, path: Path, line: int, statement: str, sqlstate: str | None, message: str) -> None:
        self.path = path
        self.line = line
        self.statement = statement
        self.sqlstate = sqlstate
        self.message = message
        super().__init__(
            f"{display_path(path)} line {line}: [SQLSTATE {sqlstate or 'unknown'}] {message}\n"
            f"    statement: {statement}"
        )


def split_chunks(text: str) -> list[Chunk]:
    """`text` cut on every breakpoint, exactly as drizzle-orm's `readMigrationFiles` cuts it."""
    chunks = []
    offset = 0
    for piece in text.split(BREAKPOINT):
        chunks.append(Chunk(text=piece, offset=offset))
        offset += len(piece) + len(BREAKPOINT)
    return chunks


def execute_file(connection: psycopg.Connection, path: Path, text: str) -> None:
    """Send every chunk of `text`, in order; the first failure raises StatementError."""
    for chunk in split_chunks(text):
        execute_chunk(connection, path, text, chunk)


def execute_chunk(connection: psycopg.Connection, path: Path, text: str, chunk: Chunk) -> psycopg.Cursor[Any]:
    """Send one chunk as a simple query (bytes, no parameters: psycopg passes it through untouched);
    the cursor carries the command status and row count of the chunk's last statement."""
    try:
        # Never prepared: psycopg would prepare a text it ran five times and send it with the
        # extended protocol from then on, where node-postgres always sends a simple query.
        return connection.execute(chunk.text.encode("utf-8"), prepare=False)
    except psycopg.Error as error:
        raise _located_error(path, text, chunk, error) from None


def _located_error(path: Path, text: str, chunk: Chunk, error: psycopg.Error) -> StatementError:
    """The StatementError for `error`, raised by Postgres while running `chunk` of `text`."""
    diag = error.diag
    first = first_code_offset(chunk.text) or 0
    position = _position(diag.statement_position)
    at = chunk.offset + (position - 1 if position is not None else first)
    parts = [diag.message_primary or str(error).splitlines()[0]]
    parts += [
        f"{label}: {value}"
        for label, value in (("detail", diag.message_detail), ("hint", diag.message_hint), ("where", diag.context))
        if value
    ]
    return StatementError(
        path=path,
        line=text.count("\n", 0, at) + 1,
        statement=excerpt(chunk.text[first:]),
        sqlstate=error.sqlstate,
        message="; ".join(parts),
    )


def _position(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def first_code_offset(text: str) -> int | None:
    """Offset of the first character that is neither whitespace nor part of a `--` comment line."""
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped and not stripped.startswith("--"):
            return offset + len(line) - len(stripped)
        offset += len(line)
    return None
