"""The lint's result cache: a cached run reports exactly what a cold run reports, reads only the
files it must, and never trusts an entry it cannot vouch for."""

from __future__ import annotations

import json
import tempfile
import typing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import fields, replace

from gates.config import load_config
from migrations_checks.lint import bulk_read, cache, engine
from migrations_checks.lint.cache import CACHE_DIR
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_sets
from migrations_checks.lint.history import RECORDED_VERBS, History
from migrations_checks.lint.reader import MigrationFile, read_configured
from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.records.findings import LintResult
from migrations_checks.lint.statements import FileStatements, read_statements

BREAK = "\n--> statement-breakpoint\n"

# Statements that reach across files: through the schema history (tables, columns, checks proven
# valid, deprecations, function volatility, policies) and through one transaction (COMMIT and
# BEGIN, an enum value used, a default dropped then set, a constraint validated).
SNIPPETS = (
    'CREATE TABLE "t" ("id" int PRIMARY KEY, "c" text DEFAULT \'x\', "d" uuid);',
    'ALTER TABLE "t" ADD COLUMN "e" uuid DEFAULT gen_random_uuid();',
    'ALTER TABLE "t" ALTER COLUMN "c" DROP DEFAULT;',
    'ALTER TABLE "t" ALTER COLUMN "c" SET DEFAULT \'y\';',
    "CREATE TYPE \"mood\" AS ENUM ('ok');",
    "ALTER TYPE \"mood\" ADD VALUE 'meh';",
    'UPDATE "t" SET "c" = \'meh\' WHERE "id" = 1;',
    'ALTER TABLE "t" ADD CONSTRAINT "t_c" CHECK ("c" IS NOT NULL) NOT VALID;',
    'ALTER TABLE "t" VALIDATE CONSTRAINT "t_c";',
    'ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL;',
    "COMMIT;",
    "BEGIN;",
    'CREATE INDEX CONCURRENTLY "t_c_idx" ON "t" ("c");',
    'CREATE INDEX CONCURRENTLY "t_id_idx" ON "t" ("id");\nSELECT 1;',
    'DROP TABLE "t";',
    "-- gates: deprecate column t.c\nSELECT 1;",
    'ALTER TABLE "t" DROP COLUMN "c";',
    '-- gates: allow drop-column -- gone since the last release\nALTER TABLE "t" DROP COLUMN "d";',
    'DELETE FROM "t";',
    "CREATE FUNCTION f() RETURNS int IMMUTABLE LANGUAGE sql AS $$ SELECT 1 $$;",
    'ALTER TABLE "t" ADD COLUMN "g" int DEFAULT f();',
    'ALTER TABLE "t" RENAME TO "u";',
    'ALTER TABLE "u" RENAME TO "t";',
    'CREATE POLICY "p" ON "t" USING (true);',
    'DROP POLICY IF EXISTS "p" ON "t";',
    "FROB THE TABLE;",
    "-- gates: allow nothing-here\nSELECT 2;",
)
CONFIGS = (
    "",
    "transactional = false\n",
    "postgres_version = 12\n",
    'hot_tables = ["t"]\n',
    'format = "plain"\n',
    '[migrations.severity]\ndrop-column = "warning"\n',
)

# Drawn half the time: what one transaction ties across files, the part a cache most easily gets wrong.
ACROSS = tuple(SNIPPETS[i] for i in (2, 3, 5, 6, 7, 8, 10, 11, 12))
# Appended to a file: they change what it leaves open, or nothing later files can see.
APPENDED = ("\n-- a comment\n", "\nSELECT 3;\n", BREAK + "COMMIT;\n", BREAK + "BEGIN;\n")
texts = st.lists(st.one_of(st.sampled_from(ACROSS), st.sampled_from(SNIPPETS)), min_size=1, max_size=3).map(
    lambda picked: BREAK.join(picked) + "\n"
)
edits = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 99), texts),
    st.tuples(st.just("append"), st.integers(0, 99), st.sampled_from(APPENDED)),
    st.tuples(st.just("insert"), st.integers(0, 99), texts),
    st.tuples(st.just("delete"), st.integers(0, 99), st.just("")),
    st.tuples(st.just("rename"), st.integers(0, 99), st.just("")),
    st.tuples(st.just("config"), st.integers(0, len(CONFIGS) - 1), st.just("")),
    st.tuples(st.just("pending"), st.integers(0, 99), st.just("")),
    st.tuples(st.just("none"), st.just(0), st.just("")),
)


@dataclass
class Project:
    """A gates.toml and a Drizzle folder, rewritten from this model after every edit."""

    root: Path
    files: list[list[str]] = field(default_factory=list)  # [tag, text], in journal order
    config: str = ""
    pending_from: int | None = None  # report only the files from this index (the gate's pending ones)
    names: int = 0

    def new_tag(self) -> str:
        self.names += 1
        return f"{self.names:04d}_m{self.names}"

    def apply(self, kind: str, number: int, text: str) -> None:
        position = number % len(self.files) if self.files else 0
        if kind == "edit" and self.files:
            self.files[position][1] = text
        elif kind == "append" and self.files:
            self.files[position][1] += text
        elif kind == "insert":
            self.files.insert(number % (len(self.files) + 1), [self.new_tag(), text])
        elif kind == "delete" and len(self.files) > 1:
            del self.files[position]
        elif kind == "rename" and self.files:
            self.files[position][0] = self.new_tag()
        elif kind == "config":
            self.config = CONFIGS[number]
        elif kind == "pending":
            self.pending_from = None if number % 3 == 0 else number % (len(self.files) + 1)

    def write(self) -> None:
        folder = self.root / "migrations"
        (folder / "meta").mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.sql"):
            old.unlink()
        for tag, text in self.files:
            (folder / f"{tag}.sql").write_text(text, encoding="utf-8")
        entries = [
            {"idx": i, "version": "7", "when": 1_700_000_000_000 + i, "tag": tag, "breakpoints": True}
            for i, (tag, _) in enumerate(self.files)
        ]
        journal = {"version": "7", "dialect": "postgresql", "entries": entries}
        (folder / "meta" / "_journal.json").write_text(json.dumps(journal), encoding="utf-8")
        body = self.config if not self.config.startswith("[") else "\n" + self.config
        (self.root / "gates.toml").write_text('[migrations]\npath = "migrations"\n' + body, encoding="utf-8")

    def lint(self, cached: bool) -> LintResult:
        config = load_config(self.root / "gates.toml")
        migration_set = read_configured(config.migrations)
        only = None
        if self.pending_from is not None:
            only = frozenset(file.tag for file in migration_set.files[self.pending_from :])
        options = LintOptions.from_config(config, only=only)
        assert options.cache == self.root
        return lint_sets([migration_set], options if cached else replace(options, cache=None))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(texts, min_size=1, max_size=4), steps=st.lists(edits, max_size=8))
def test_a_cached_run_reports_what_a_cold_run_reports(start: list[str], steps: list[tuple[str, int, str]]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        project = Project(Path(temp))
        project.files = [[project.new_tag(), text] for text in start]
        for kind, number, text in [("none", 0, ""), *steps]:
            project.apply(kind, number, text)
            project.write()
            cold = project.lint(cached=False)
            assert project.lint(cached=True) == cold, (kind, project.files, project.config)
            assert project.lint(cached=True) == cold, ("warm", kind, project.files, project.config)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tags of the files the lint reads into statements, in order."""
    seen: list[str] = []

    def spy(file: MigrationFile) -> FileStatements:
        seen.append(file.tag)
        return read_statements(file)

    monkeypatch.setattr(engine, "read_statements", spy)
    monkeypatch.setattr(bulk_read, "read_statements", spy)
    return seen


def _project(root: Path, *texts: str) -> Project:
    project = Project(root)
    project.files = [[project.new_tag(), text] for text in texts]
    project.write()
    return project


HISTORY = (
    'CREATE TABLE "t" ("id" int PRIMARY KEY, "c" text);\n',
    'ALTER TABLE "t" ADD COLUMN "d" text;\n',
    'ALTER TABLE "t" DROP COLUMN "c";\n',
    'CREATE INDEX "t_d_idx" ON "t" ("d");\n',
)


def test_an_unchanged_history_is_not_read_again(tmp_path: Path, reads: list[str]) -> None:
    project = _project(tmp_path, *HISTORY)
    cold = project.lint(cached=True)
    assert len(reads) == 4
    reads.clear()
    assert project.lint(cached=True) == cold
    assert reads == []
    assert (tmp_path / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_an_edit_that_keeps_the_schema_keeps_later_files_cached(tmp_path: Path, reads: list[str]) -> None:
    project = _project(tmp_path, *HISTORY)
    project.lint(cached=True)
    reads.clear()
    project.apply("append", 1, "\nSELECT 1;\n-- only a comment\n")
    project.write()
    result = project.lint(cached=True)
    assert reads == ["0002_m2"]
    assert result == project.lint(cached=False)


def test_an_edit_that_changes_the_schema_invalidates_later_files(tmp_path: Path, reads: list[str]) -> None:
    project = _project(tmp_path, *HISTORY)
    project.lint(cached=True)
    reads.clear()
    project.apply("edit", 1, 'ALTER TABLE "t" ADD COLUMN "e" text;\n')  # "d" no longer exists for 0004
    project.write()
    result = project.lint(cached=True)
    assert reads == ["0002_m2", "0003_m3", "0004_m4"]
    assert result == project.lint(cached=False)


def _set_file(root: Path) -> Path:
    [path] = (root / CACHE_DIR).glob("*.json")
    return path


def _entries(path: Path) -> dict[str, list[typing.Any]]:
    entries = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[1])
    assert isinstance(entries, dict)
    return entries


def _rewrite(path: Path, entries: dict[str, list[typing.Any]]) -> None:
    """Write entries back with a valid header, as whoever can write the folder could."""
    body = json.dumps(entries)
    path.write_text(f"{cache._FORMAT} {cache._hash(body)}\n{body}", encoding="utf-8")


def _valid_header(body: str) -> str:
    return f"{cache._FORMAT} {cache._hash(body)}\n{body}"


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "",  # empty
        lambda text: "\x00\xff not json",  # corrupt
        lambda text: text.replace("0001_m1", "0001_m9", 1),  # edited: the digest no longer matches
        lambda text: text.replace(cache._FORMAT, "deploy-gates lint cache 1", 1),  # another format
        lambda text: _valid_header("[1, 2, 3]"),  # another shape
        lambda text: _valid_header(json.dumps({"x": 1, "y": [1], "z": ["0" * 32, "s", [], ""]})),  # foreign paths
    ],
)
def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path: Path, reads: list[str], damage: object) -> None:
    assert callable(damage)
    project = _project(tmp_path, *HISTORY)
    cold = project.lint(cached=True)
    path = _set_file(tmp_path)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    reads.clear()
    assert project.lint(cached=True) == cold
    assert len(reads) == 4
    reads.clear()
    assert project.lint(cached=True) == cold
    assert reads == []


def test_a_foreign_entry_is_not_trusted(tmp_path: Path, reads: list[str]) -> None:
    """Another file's entry put in this one's place (its key is that file's) is never served."""
    project = _project(tmp_path, 'ALTER TABLE "t" DROP COLUMN "c";\n', "SELECT 1;\n")
    cold = project.lint(cached=True)
    assert [f.rule for f in cold.findings] == ["drop-column"]
    path = _set_file(tmp_path)
    entries = _entries(path)
    first, second = entries
    entries[first] = entries[second]
    _rewrite(path, entries)
    reads.clear()
    assert project.lint(cached=True) == cold
    assert reads == ["0001_m1"]


def _first_finding(entry: list[typing.Any]) -> dict[str, typing.Any]:
    finding = entry[2][0][0]
    assert isinstance(finding, dict) and finding["severity"] == "error"
    return finding


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: _first_finding(entry).update(severity="ignore"),  # no such severity
        lambda entry: _first_finding(entry).update(line=True),  # a boolean where a number belongs
        lambda entry: _first_finding(entry).update(ruel="drop-column"),  # a key no finding has
        lambda entry: entry[2].append(0),  # an outcome with a value too many
        lambda entry: entry.append(""),  # an entry with a value too many
    ],
)
def test_an_entry_with_a_valid_digest_but_the_wrong_shape_is_not_trusted(
    tmp_path: Path, reads: list[str], damage: typing.Callable[[list[typing.Any]], None]
) -> None:
    """Whoever writes the folder can recompute a digest; the entry's contents are checked all the same."""
    project = _project(tmp_path, 'ALTER TABLE "t" DROP COLUMN "c";\n')
    cold = project.lint(cached=True)
    path = _set_file(tmp_path)
    entries = _entries(path)
    [entry] = entries.values()
    damage(entry)
    _rewrite(path, entries)
    reads.clear()
    assert project.lint(cached=True) == cold
    assert reads == ["0001_m1"]


@pytest.mark.parametrize(
    "change",
    [
        # (the cache names an action's fields in short: `v` is its verb, `t` its table)
        {"v": "create_table", "t": 7},  # a number where a name belongs
        {"v": "create_table", "tabel": "t"},  # a field no action has
        {"v": "select", "t": "t"},  # no such verb
        {"v": "other"},  # a verb that changes no history, which the cache never keeps
    ],
)
def test_malformed_schema_changes_found_at_replay_make_a_cold_run(
    tmp_path: Path, reads: list[str], change: dict[str, object]
) -> None:
    """A cached file's schema changes are decoded only when a later file is read against them: one
    found malformed then is not half-trusted, the whole set is read afresh."""
    project = _project(tmp_path, *HISTORY)
    cold = project.lint(cached=True)
    path = _set_file(tmp_path)
    entries = _entries(path)
    first = next(iter(entries))
    assert entries[first][3][0][0]["v"] == "create_table"  # its first change
    entries[first][3] = [[change], []]
    _rewrite(path, entries)
    project.apply("append", 3, "\nSELECT 1;\n")
    project.write()
    reads.clear()
    result = project.lint(cached=True)
    assert reads == ["0001_m1", "0002_m2", "0003_m3", "0004_m4"]
    assert result == project.lint(cached=False) != cold
    reads.clear()
    assert project.lint(cached=True) == result
    assert reads == []


def test_a_cached_finding_names_its_file_as_the_current_folder_shows_it(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings are cached with the file's name as shown where the lint ran; a run from another
    folder names it as that folder shows it, a suppression's file included."""
    project = _project(tmp_path, SNIPPETS[16] + "\n", SNIPPETS[17] + "\n")
    monkeypatch.chdir(tmp_path)
    first = project.lint(cached=True)
    assert [f.file for f in first.findings + first.suppressed] == ["migrations/0001_m1.sql", "migrations/0002_m2.sql"]
    monkeypatch.chdir(tmp_path / "migrations")
    reads.clear()
    moved = project.lint(cached=True)
    assert reads == []
    assert moved == project.lint(cached=False)
    [silenced] = moved.suppressed
    assert silenced.suppressed_by is not None
    assert (silenced.file, silenced.suppressed_by.file) == ("0002_m2.sql", "0002_m2.sql")


def test_one_cache_file_per_migration_set(tmp_path: Path) -> None:
    """A warm run opens one file, not one per migration."""
    project = _project(tmp_path, *HISTORY)
    project.lint(cached=True)
    assert len(_entries(_set_file(tmp_path))) == 4
    project.apply("delete", 3, "")
    project.write()
    project.lint(cached=True)
    assert len(_entries(_set_file(tmp_path))) == 3  # a removed file's entry goes with it


@pytest.mark.parametrize("blocker", ["a file", "a link to a file"])
def test_a_cache_folder_that_cannot_be_used_costs_only_speed(tmp_path: Path, reads: list[str], blocker: str) -> None:
    project = _project(tmp_path, *HISTORY)
    cold = project.lint(cached=False)
    if blocker == "a file":
        (tmp_path / CACHE_DIR).write_text("not a folder", encoding="utf-8")
    else:
        (tmp_path / "elsewhere").write_text("not a folder", encoding="utf-8")
        (tmp_path / CACHE_DIR).symlink_to(tmp_path / "elsewhere")
    reads.clear()
    assert project.lint(cached=True) == cold
    assert project.lint(cached=True) == cold
    assert len(reads) == 8  # read afresh each time, and nothing raised


def test_a_missing_gitignore_comes_back_on_a_run_that_changes_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path, *HISTORY)
    project.lint(cached=True)
    ignore = tmp_path / CACHE_DIR / ".gitignore"
    ignore.unlink()
    project.lint(cached=True)
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_the_key_covers_the_parsers_and_pythons_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer sqlglot may parse differently: its results are not served to an older one."""
    import importlib.util

    key = cache._tool_digest()
    sqlglot = importlib.util.find_spec("sqlglot")
    assert sqlglot is not None and sqlglot.origin is not None
    other = tmp_path / "sqlglot" / "__init__.py"
    other.parent.mkdir()
    other.touch()
    (other.parent / "_version.py").write_text("__version__ = version = '0.0.1'\n", encoding="utf-8")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: type(sqlglot)(name, None, origin=str(other)))
    cache._tool_digest.cache_clear()
    try:
        assert cache._tool_digest() != key
        monkeypatch.undo()
        cache._tool_digest.cache_clear()
        assert cache._tool_digest() == key
        monkeypatch.setattr(cache.sys, "version", "3.99.0")
        cache._tool_digest.cache_clear()
        assert cache._tool_digest() != key
    finally:
        monkeypatch.undo()
        cache._tool_digest.cache_clear()


def test_loose_files_of_one_folder_share_one_cache_file_whichever_are_linted(tmp_path: Path) -> None:
    """The staged-files hook lints a different selection at every commit: the files must not pile up."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    paths = []
    for number in range(3):
        paths.append(folder / f"000{number}_m.sql")
        paths[-1].write_text(f'ALTER TABLE "t" DROP COLUMN "c{number}";\n', encoding="utf-8")
    options = LintOptions(cache=tmp_path)
    for selection in ([paths[0]], [paths[1], paths[2]], paths):
        cached = engine.lint_paths(selection, options)
        assert cached == engine.lint_paths(selection, replace(options, cache=None))
    assert len(list((tmp_path / CACHE_DIR).glob("*.json"))) == 1
    engine.lint_paths([folder], options)  # the folder as a set of its own: a file of its own
    assert len(list((tmp_path / CACHE_DIR).glob("*.json"))) == 2


def test_no_cache_without_a_gates_toml(tmp_path: Path) -> None:
    assert LintOptions.from_config(load_config(None)).cache is None


def test_a_begin_removed_from_an_earlier_file_reaches_a_later_cached_one(tmp_path: Path) -> None:
    # Without the runner's transaction, a block the earlier file leaves open holds the later file.
    project = _project(tmp_path, "SELECT 1;" + BREAK + "BEGIN;\n", 'CREATE INDEX CONCURRENTLY "i" ON "t" ("c");\n')
    project.apply("config", 1, "")  # transactional = false
    project.write()
    assert "concurrently-in-transaction" in {f.rule for f in project.lint(cached=True).findings}
    project.apply("edit", 0, "SELECT 1;\n")
    project.write()
    result = project.lint(cached=True)
    assert result == project.lint(cached=False)
    assert result.findings == []  # the BEGIN's finding went too


def test_a_later_file_edited_reaches_an_earlier_cached_one(tmp_path: Path) -> None:
    """An enum value added in one file and used in the next, in one transaction: the finding is the
    first file's, and it goes when the second stops using the value."""
    project = _project(
        tmp_path, "ALTER TYPE \"mood\" ADD VALUE 'meh';\n", 'UPDATE "t" SET "c" = \'meh\' WHERE id = 1;\n'
    )
    assert "enum-value-used-in-same-transaction" in {f.rule for f in project.lint(cached=True).findings}
    project.apply("edit", 1, "SELECT 1;\n")
    project.write()
    result = project.lint(cached=True)
    assert result == project.lint(cached=False)
    assert result.findings == []  # the UPDATE's data-backfill went with it


def test_the_history_changes_only_by_the_verbs_a_cached_file_keeps() -> None:
    """A cached file keeps only the actions of RECORDED_VERBS to replay; any other must change nothing."""
    for verb in typing.get_args(Verb):
        if verb in RECORDED_VERBS:
            continue
        everything = Action(
            verb,
            table="t",
            column="c",
            name="n",
            object_kind="IMMUTABLE",
            new_type="text",
            columns=(("c", "text", None),),
            temporary=True,
        )
        history = History()
        history.record_actions("0001_x", [everything])
        assert history == History(entered="0001_x"), verb  # only which migration it read last


def test_every_action_field_has_a_short_cache_name_of_its_own() -> None:
    names = [field.encode_name for field in fields(Action)]
    assert all(len(name) <= 3 for name in names), names
    assert len(set(names)) == len(names)
