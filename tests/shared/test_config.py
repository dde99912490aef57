"""The config loader: a bad value is one sentence naming the key and the file, never a crash later."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from gates.config import ConfigError, load_config


def load(tmp_path: Path, migrations: str) -> object:
    path = tmp_path / "gates.toml"
    path.write_text(f"[migrations]\n{migrations}\n", encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("connect_budget_s = 0", "connect_budget_s"),
        ("connect_budget_s = -1", "connect_budget_s"),
        ("connect_budget_s = nan", "connect_budget_s"),
        ("connect_budget_s = inf", "connect_budget_s"),
        ('lock_timeout = "five"', "lock_timeout"),
        ('statement_timeout = "1 minute"', "statement_timeout"),
        ('hot_tables = [""]', "hot_tables"),
        ('migrations_schema = ""', "migrations_schema"),
        ("migrations_table = 3", "migrations_table"),
    ],
)
def test_bad_values_are_refused_naming_the_key_and_file(tmp_path: Path, setting: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, setting)
    assert f"migrations.{key} in {tmp_path / 'gates.toml'}" in str(caught.value)


@pytest.mark.parametrize(
    "setting",
    [
        'lock_timeout = "500ms"',
        'lock_timeout = "0"',
        'statement_timeout = "1min"',
        'statement_timeout = "2.5 s"',
        "connect_budget_s = 0.5",
        'migrations_schema = "ops"\nmigrations_table = "Applied migrations"',
    ],
)
def test_good_durations_budgets_and_names_are_accepted(tmp_path: Path, setting: str) -> None:
    load(tmp_path, setting)


def test_branch_replay_settings_default_to_the_design_and_are_read(tmp_path: Path) -> None:
    config = tmp_path / "gates.toml"
    config.write_text('[branch_replay]\nhot_table_lock_budget_s = 0.5\nrows_per_table = 1000\nreport_dir = "out"\n')

    defaults = load_config(None).branch_replay
    loaded = load_config(config).branch_replay

    assert (defaults.hot_table_lock_budget_s, defaults.lock_budget_s, defaults.rows_per_table) == (2.0, 10.0, 0)
    assert (loaded.hot_table_lock_budget_s, loaded.rows_per_table) == (0.5, 1000)
    assert loaded.report_dir == tmp_path / "out"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("lock_budget_s = 0", "branch_replay.lock_budget_s in {} must be a positive, finite number of seconds"),
        ("rows_per_table = -1", "branch_replay.rows_per_table in {} must be 0 or more"),
        ("lock_budget = 3", "branch_replay.lock_budget in {} is not a known setting; check its spelling"),
    ],
)
def test_bad_branch_replay_settings_are_refused(tmp_path: Path, setting: str, message: str) -> None:
    config = tmp_path / "gates.toml"
    config.write_text(f"[branch_replay]\n{setting}\n")

    with pytest.raises(ConfigError) as error:
        load_config(config)

    assert str(error.value) == message.format(config)


def test_github_settings_default_and_parse(tmp_path: Path) -> None:
    from gates.config import GitHubSettings

    assert load_config(None).github == GitHubSettings()
    path = tmp_path / "gates.toml"
    path.write_text('[github]\nstaging_context = "ci/staging"\nstaging_branch = "develop"\npending_budget_s = 30\n')
    settings = load_config(path).github
    assert (settings.staging_context, settings.staging_branch, settings.pending_budget_s) == (
        "ci/staging",
        "develop",
        30.0,
    )
    assert settings.context("production") == "deploy/production"
    assert settings.context("local") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[github]\nstaging_contxt = 'x'\n", "github.staging_contxt in * is not a known setting*"),
        ("[github]\npending_budget_s = 0\n", "github.pending_budget_s in * must be a positive, finite number*"),
        ("[github]\nstaging_branch = ' '\n", "github.staging_branch in * must not be empty"),
        ("[github]\nreview_author = ''\n", "github.review_author in * must not be empty"),
    ],
)
def test_github_settings_refuse_bad_values(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert fnmatch.fnmatch(str(raised.value), message)


@pytest.mark.parametrize("names", ['["DATABASE_URL", "AI API KEY"]', '["1KEY"]', '["KEY;rm"]', '[""]'])
@pytest.mark.parametrize("key", ["required_secrets", "per_environment_secrets"])
def test_secret_names_must_be_variable_names(tmp_path: Path, key: str, names: str) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(f"[fly]\n{key} = {names}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"fly.{key} in {path} must be a list of secret names")


def test_the_secret_names_are_both_lists_once_each(tmp_path: Path) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(
        '[fly]\nrequired_secrets = ["DATABASE_URL", "AI_API_KEY"]\nper_environment_secrets = ["_TOKEN", "AI_API_KEY"]\n'
    )
    assert load_config(path).fly.secret_names == ("DATABASE_URL", "AI_API_KEY", "_TOKEN")
