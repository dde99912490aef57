"""`gates review` on a real git repository and the fake GitHub API over real HTTP.

Each test builds an application repository (gates.toml and a Drizzle folder), commits it on
`main`, branches `feature` off it for the pull request, and runs the review in-process; one test
runs the installed `gates` script as Actions would, reading the event payload.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gates import cli
from gates.github.local_store import Answer
from migrations_checks.lint.report.markdown import MARKER
from tests.helpers.app_repo import CLEAN_HISTORY, DROP_COLUMN, write_app_repo
from tests.helpers.fake_github import TOKEN, FakeGitHub, running_fake
from tests.helpers.git_repo import GitRepo

PR = 7
COMMENTS = f"/issues/{PR}/comments"
BOT = "github-actions[bot]"
ADD_NICKNAME = {
    "0002_nickname": ('ALTER TABLE "users" ADD COLUMN "nickname" text;', 'ALTER TABLE "users" DROP COLUMN "nickname";')
}
DEPRECATE_BIO = {
    "0002_deprecate_bio": (
        '-- gates: deprecate column users.bio\nALTER TABLE "users" ADD COLUMN "nickname" text;',
        'ALTER TABLE "users" DROP COLUMN "nickname";',
    )
}
DROP_BIO_LATER = {
    "0003_drop_bio": ('ALTER TABLE "users" DROP COLUMN "bio";', 'ALTER TABLE "users" ADD COLUMN "bio" text;')
}
ACTIONS_VARIABLES = (
    "GITHUB_STEP_SUMMARY",
    "GITHUB_WORKSPACE",
    "GITHUB_EVENT_PATH",
    "GITHUB_BASE_REF",
    "GITHUB_SERVER_URL",
    "GITHUB_RUN_ID",
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The application repository on branch `feature`, branched from `main` with the clean history."""
    root = tmp_path / "app"
    root.mkdir()
    repo = GitRepo.init(root)
    write_app_repo(root)
    repo.commit("the clean history")
    repo.git("checkout", "--quiet", "-b", "feature")
    monkeypatch.chdir(root)
    for name in ACTIONS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return repo


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with running_fake(monkeypatch) as fake:
        yield fake


def pull_request(repo: GitRepo, migrations: dict[str, tuple[str, str]], message: str = "the change") -> None:
    """Commit on the current branch the clean history plus `migrations` (and no other migration)."""
    shutil.rmtree(repo.root / "drizzle")
    write_app_repo(repo.root, {**CLEAN_HISTORY, **migrations})
    repo.commit(message)


def review(*arguments: str) -> int:
    return cli.main(["review", "--pr", str(PR), "--base", "main", *arguments])


def ours(fake: FakeGitHub) -> list[str]:
    return [c["body"] for c in fake.comments.get(PR, []) if c["user"]["login"] == BOT]


def test_first_run_posts_one_comment_and_annotates_the_diff(
    repo: GitRepo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    pull_request(repo, DROP_COLUMN)

    assert review() == 1

    out = capsys.readouterr().out
    assert "::error file=drizzle/0002_drop_bio.sql,line=1,col=1,title=drop-column::drops column users.bio" in out
    [body] = ours(fake)
    assert body.startswith(MARKER)
    assert "## Migration lint: 1 error, 0 warnings" in body
    assert "1 added or changed migration(s) against `main`" in body
    assert TOKEN not in out


def test_only_the_pull_requests_migrations_are_reported(repo: GitRepo, fake: FakeGitHub) -> None:
    repo.git("checkout", "--quiet", "main")
    pull_request(repo, DROP_COLUMN, "main drops a column after the branch left it")
    repo.git("checkout", "--quiet", "feature")
    pull_request(repo, ADD_NICKNAME)

    assert review() == 0
    [body] = ours(fake)
    assert "Checked 1 file" in body
    assert "drop-column" not in body


def test_a_second_run_updates_the_comment(repo: GitRepo, fake: FakeGitHub) -> None:
    pull_request(repo, DROP_COLUMN)
    review()
    [first] = fake.comments[PR]
    pull_request(repo, ADD_NICKNAME, "drop the drop, add a column instead")

    assert review() == 0

    [comment] = fake.comments[PR]
    assert comment["id"] == first["id"]
    assert "0 errors, 0 warnings" in comment["body"]
    posts = [request for request in fake.requests if request[0] == "POST"]
    assert len(posts) == 1
    assert ("PATCH", f"/repos/{fake.owner_repo}/issues/comments/{first['id']}") in fake.requests


def test_a_pull_request_that_no_longer_touches_migrations_loses_its_comment(
    repo: GitRepo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    pull_request(repo, DROP_COLUMN)
    review()
    assert len(ours(fake)) == 1
    (repo.root / "README.md").write_text("docs only\n")
    pull_request(repo, {}, "back to main's migrations; docs only")

    assert review() == 0

    assert ours(fake) == []
    assert "changes nothing in drizzle/" in capsys.readouterr().out


def test_another_users_comment_with_the_marker_is_left_alone(repo: GitRepo, fake: FakeGitHub) -> None:
    quoted = f"{MARKER}\nI copied the bot's comment here"
    fake.comments[PR] = [{"id": 999, "body": quoted, "user": {"login": "alice", "type": "User"}}]
    pull_request(repo, DROP_COLUMN)

    review()
    review()
    pull_request(repo, {}, "no migrations any more")
    review()

    assert fake.comments[PR] == [{"id": 999, "body": quoted, "user": {"login": "alice", "type": "User"}}]
    assert ("PATCH", f"/repos/{fake.owner_repo}/issues/comments/999") not in fake.requests


def test_a_fork_without_write_permission_gets_annotations_and_a_summary(
    repo: GitRepo,
    fake: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    refused = Answer(403, {"message": "Resource not accessible by integration", "documentation_url": ""})
    fake.fail(f"{COMMENTS}$", refused, method="POST")
    pull_request(repo, ADD_NICKNAME)

    assert review() == 0  # the refused comment does not fail a clean review

    out = capsys.readouterr().out
    assert "::warning::the review comment was not posted (POST " in out
    assert "a pull request from a fork runs with a read-only token" in out
    assert fake.comments.get(PR, []) == []
    written = summary.read_text()
    assert "## Migration lint: 0 errors" in written
    assert "The review comment was not posted" in written


def test_a_fork_with_findings_still_fails_on_them_and_annotates(
    repo: GitRepo, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail(f"{COMMENTS}$", Answer(403, {"message": "Resource not accessible by integration"}), method="POST")
    pull_request(repo, DROP_COLUMN)

    assert review() == 1

    out = capsys.readouterr().out
    assert "::error file=drizzle/0002_drop_bio.sql" in out
    assert "::warning::the review comment was not posted" in out


def test_any_other_github_error_fails_the_review_with_its_sentence(
    repo: GitRepo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail(f"{COMMENTS}$", Answer(401, {"message": "Bad credentials"}))
    pull_request(repo, ADD_NICKNAME)

    assert review() == 2

    captured = capsys.readouterr()
    assert "::error::the review comment could not be delivered: GET " in captured.out
    assert "answered 401 (Bad credentials)" in captured.err
    assert TOKEN not in captured.out + captured.err


def test_sarif_is_written_with_the_findings(repo: GitRepo, fake: FakeGitHub, tmp_path: Path) -> None:
    sarif = tmp_path / "review.sarif"
    pull_request(repo, DROP_COLUMN)

    review("--sarif", str(sarif))

    log = json.loads(sarif.read_text())
    [result] = log["runs"][0]["results"]
    assert (result["ruleId"], result["level"]) == ("drop-column", "error")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "drizzle/0002_drop_bio.sql"
    assert location["region"]["startLine"] == 1


def test_sarif_is_written_empty_when_no_migrations_changed(repo: GitRepo, fake: FakeGitHub, tmp_path: Path) -> None:
    sarif = tmp_path / "review.sarif"
    repo.commit("nothing")

    assert review("--sarif", str(sarif)) == 0

    assert json.loads(sarif.read_text())["runs"][0]["results"] == []


def test_a_deprecation_and_its_drop_in_the_same_pull_request_is_an_error(
    repo: GitRepo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    pull_request(repo, {**DEPRECATE_BIO, **DROP_BIO_LATER})

    assert review() == 1

    out = capsys.readouterr().out
    assert (
        "::error file=drizzle/0003_drop_bio.sql,line=1,col=1,title=drop-column::drops column users.bio "
        "(deprecated in 0002_deprecate_bio) in the same pull request as its deprecation"
    ) in out
    [body] = ours(fake)
    assert "1 error, 0 warnings, 0 info" in body  # the lint's info about the drop is replaced


def test_a_drop_after_a_deprecation_already_on_main_is_info(
    repo: GitRepo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.git("checkout", "--quiet", "main")
    pull_request(repo, DEPRECATE_BIO, "deprecate users.bio")
    repo.git("checkout", "--quiet", "-B", "feature")
    pull_request(repo, {**DEPRECATE_BIO, **DROP_BIO_LATER})

    assert review() == 0

    out = capsys.readouterr().out
    assert "::notice file=drizzle/0003_drop_bio.sql,line=1,col=1,title=drop-column::drops column users.bio" in out
    assert "same pull request" not in out


def test_a_clean_pull_request_passes(repo: GitRepo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    pull_request(repo, ADD_NICKNAME)

    assert review() == 0

    assert "::error" not in capsys.readouterr().out
    [body] = ours(fake)
    assert "No findings. ✅" in body


def test_journal_problems_are_reported(repo: GitRepo, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "drizzle" / "0002_orphan.sql").write_text('ALTER TABLE "users" ADD COLUMN "nickname" text;\n')
    repo.commit("a migration the journal does not list")

    assert review() == 1

    assert "title=journal-missing-entry" in capsys.readouterr().out


def test_warnings_block_by_default_and_not_with_fail_on_error(repo: GitRepo, fake: FakeGitHub) -> None:
    index = ('CREATE INDEX "plans_user" ON "plans" ("user_id");', 'DROP INDEX "plans_user";')
    pull_request(repo, {"0002_index": index})

    assert review() == 1
    assert review("--fail-on", "error") == 0


@pytest.mark.parametrize(
    ("unset", "arguments", "sentence"),
    [
        ("GITHUB_TOKEN", ("--pr", "7", "--base", "main"), "GITHUB_TOKEN is not set: pass it to the step"),
        ("GITHUB_REPOSITORY", ("--pr", "7", "--base", "main"), "GITHUB_REPOSITORY is not set:"),
        (None, ("--base", "main"), "no pull request number: pass --pr N, or run on a pull_request event"),
        (None, ("--pr", "7"), "no base branch: pass --base REF (e.g. origin/main), or run on a pull_request event"),
        (None, ("--pr", "7", "--base", "origin/nope"), "the base ref origin/nope is not in this clone: fetch it"),
    ],
)
def test_a_missing_input_fails_with_one_sentence_before_anything_is_posted(
    repo: GitRepo,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    unset: str | None,
    arguments: tuple[str, ...],
    sentence: str,
) -> None:
    if unset:
        monkeypatch.delenv(unset)
    pull_request(repo, DROP_COLUMN)

    assert cli.main(["review", *arguments]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"gates: {sentence}")
    assert len(err.strip().splitlines()) == 1
    assert fake.requests == []


def test_every_unusable_input_is_named_at_once_wrong_first(
    repo: GitRepo,
    fake: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "no-such-event.json"))
    pull_request(repo, DROP_COLUMN)

    assert cli.main(["review"]) == 2

    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    named = ["cannot read the event payload", "GITHUB_TOKEN is not set", "no base branch: pass --base REF"]
    places = [err.find(sentence) for sentence in named]
    assert err.startswith("gates: ") and -1 not in places and places == sorted(places), err
    assert fake.requests == []


def test_an_event_without_a_pull_request_is_refused(
    repo: GitRepo, fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))

    assert cli.main(["review", "--base", "main"]) == 2

    assert "has no pull_request.number: run on a pull_request event, or pass --pr N" in capsys.readouterr().err


def test_the_installed_script_reads_the_pull_request_event(
    repo: GitRepo, fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": PR, "pull_request": {"number": PR}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_BASE_REF", "main")  # no origin/main in this clone: the name itself is found
    pull_request(repo, DROP_COLUMN)

    done = subprocess.run(
        [str(Path(sys.executable).with_name("gates")), "review"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    assert "::error file=drizzle/0002_drop_bio.sql" in done.stdout
    assert len(ours(fake)) == 1
    assert TOKEN not in done.stdout + done.stderr


def test_the_author_is_the_configured_login(repo: GitRepo, fake: FakeGitHub) -> None:
    pull_request(repo, ADD_NICKNAME)
    with (repo.root / "gates.toml").open("a") as file:
        file.write('\n[github]\nreview_author = "deploy-bot"\n')
    fake.login = "deploy-bot"  # the token of a personal or app account, not the Actions token
    actions_comment = {"id": 998, "body": f"{MARKER}\nan older workflow's", "user": {"login": BOT}}
    fake.comments[PR] = [dict(actions_comment)]

    review()
    review()

    assert fake.comments[PR][0] == actions_comment
    assert [c["user"]["login"] for c in fake.comments[PR]] == [BOT, "deploy-bot"]
