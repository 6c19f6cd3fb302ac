"""Loading the config: defaults, paths relative to the file, environment overrides, secrets,
and errors that name the exact key in one line."""

from __future__ import annotations

import typing
from datetime import time
from pathlib import Path

import pytest
from annotated_types import Le
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bot.config import (
    BlueskyAccount, MastodonAccount, SandboxAccount, Settings, load_settings, parse_quiet_hours, read_secret,
)
from bot.domain.stages import Stage
from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]

SANDBOX = """
[[accounts]]
name = "demo"
platform = "sandbox"
handle = "me@sandbox.example"
events = "examples/events.jsonl"
"""
MASTODON = """
[[accounts]]
name = "main-mastodon"
platform = "mastodon"
base_url = "https://mastodon.example"
"""
BLUESKY = """
[[accounts]]
name = "main-bluesky"
platform = "bluesky"
handle = "me.bsky.social"
"""


pytestmark = pytest.mark.usefixtures("clean_environment")  # tests/conftest.py


@pytest.fixture
def write(tmp_path: Path):
    def write(text: str, name: str = "config.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert "\n" not in message, "a config error is one line"
    return message


# defaults and paths -------------------------------------------------------------------------

def test_empty_config_file_gives_the_documented_defaults(write):
    path = write("")
    settings = load_settings(path)
    assert settings.data_dir == path.parent / "data"
    assert settings.database_url == f"sqlite:///{path.parent / 'data' / 'rapport.db'}"
    assert settings.policy.pitch.min_stage is Stage.RELATIONSHIP
    assert settings.policy.guardrails.quiet_hours == ""
    assert settings.policy.guardrails.quiet_window is None
    assert settings.policy.guardrails.timezone == "UTC"
    assert settings.drafting.backend == "template"
    assert settings.drafting.openai.base_url == "http://127.0.0.1:11434/v1"
    assert settings.drafting.openai.model == "llama3.1"
    assert settings.drafting.openai.api_key_env == "RAPPORT_LLM_KEY"
    assert settings.accounts == []


def test_missing_file_not_required_gives_defaults(tmp_path: Path):
    settings = load_settings(tmp_path / "absent.toml", required=False)
    assert settings.data_dir == tmp_path / "data"
    assert settings.accounts == []


def test_relative_paths_resolve_against_the_config_files_folder(write, tmp_path: Path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    folder = tmp_path / "conf"
    path = write('data_dir = "state"\n[storage]\nurl = "sqlite:///state/rapport.db"\n' + SANDBOX,
                 name="conf/config.toml")
    settings = load_settings(path)
    [account] = settings.accounts
    assert settings.data_dir == folder / "state"
    assert settings.database_url == f"sqlite:///{folder / 'state' / 'rapport.db'}"
    assert isinstance(account, SandboxAccount)
    assert account.events == folder / "examples" / "events.jsonl"
    assert account.outbox == folder / "state" / "sandbox-outbox.jsonl"


def test_relative_config_path_resolves_against_its_folder_not_the_caller(write, tmp_path: Path, monkeypatch):
    write(SANDBOX, name="conf/config.toml")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(Path("conf/config.toml"))
    assert settings.data_dir == tmp_path / "conf" / "data"
    assert settings.accounts[0].events == tmp_path / "conf" / "examples" / "events.jsonl"


def test_explicit_relative_outbox_resolves_against_the_config_folder(write, tmp_path: Path):
    settings = load_settings(write(SANDBOX + 'outbox = "out/posted.jsonl"\n'))
    assert settings.accounts[0].outbox == tmp_path / "out" / "posted.jsonl"


def test_absolute_paths_are_kept(write, tmp_path: Path):
    data = tmp_path / "abs-data"
    events = tmp_path / "abs" / "events.jsonl"
    text = f'data_dir = "{data}"\n' + SANDBOX.replace('"examples/events.jsonl"', f'"{events}"')
    settings = load_settings(write(text, name="sub/config.toml"))
    assert settings.data_dir == data
    assert settings.accounts[0].events == events
    assert settings.accounts[0].outbox == data / "sandbox-outbox.jsonl"


def test_absolute_sqlite_url_and_other_databases_are_kept(write):
    assert load_settings(write('[storage]\nurl = "sqlite:////var/lib/r.db"\n')).database_url == "sqlite:////var/lib/r.db"
    url = "postgresql+psycopg://rapport@db.example/rapport"
    assert load_settings(write(f'[storage]\nurl = "{url}"\n')).database_url == url


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+pysqlite:///:memory:",
                                 "sqlite:///file:rapport?mode=memory&cache=shared&uri=true"])
def test_in_memory_database_is_refused_saying_why(write, url: str):
    """Everything would be lost when the process exits, silently: the config refuses it."""
    message = config_error(write(f'[storage]\nurl = "{url}"\n'))
    assert message.startswith("storage.url: an in-memory database is refused: ")
    assert "would be lost" in message


def test_in_memory_database_from_the_environment_is_refused(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_STORAGE__URL", "sqlite://")
    assert config_error(write("")).startswith("storage.url: an in-memory database is refused")


def test_secret_files_resolve_against_the_config_folder(write, tmp_path: Path):
    text = (MASTODON + 'token_file = "secrets/token"\n' + BLUESKY + 'password_file = "secrets/pw"\n'
            '[drafting.openai]\napi_key_file = "secrets/llm"\n')
    settings = load_settings(write(text))
    mastodon, bluesky = settings.accounts
    assert mastodon.token_file == tmp_path / "secrets" / "token"
    assert bluesky.password_file == tmp_path / "secrets" / "pw"
    assert settings.drafting.openai.api_key_file == tmp_path / "secrets" / "llm"


def test_every_platform_loads_with_its_defaults(write):
    settings = load_settings(write(SANDBOX + MASTODON + BLUESKY))
    sandbox, mastodon, bluesky = settings.accounts
    assert isinstance(sandbox, SandboxAccount)
    assert isinstance(mastodon, MastodonAccount) and mastodon.token_env == "RAPPORT_MASTODON_TOKEN"
    assert isinstance(bluesky, BlueskyAccount) and bluesky.service == "https://bsky.social"
    assert bluesky.password_env == "RAPPORT_BLUESKY_APP_PASSWORD"
    assert settings.account("main-bluesky") is bluesky


def test_unknown_account_name_lists_the_known_ones(write):
    settings = load_settings(write(SANDBOX))
    with pytest.raises(ConfigError, match=r"unknown account 'nope' \(known: demo\)"):
        settings.account("nope")


def test_quiet_hours_are_parsed_into_a_window(write):
    settings = load_settings(write('[policy.guardrails]\nquiet_hours = "22:00-08:00"\ntimezone = "Europe/Madrid"\n'))
    assert settings.policy.guardrails.quiet_window == (time(22, 0), time(8, 0))
    assert settings.policy.guardrails.timezone == "Europe/Madrid"


@pytest.mark.parametrize("value", ["22-08", "24:00-08:00", "22:00-08:60", "22:00 08:00", "late"])
def test_malformed_quiet_hours_do_not_parse(value: str):
    assert parse_quiet_hours(value) is None


# environment overrides ----------------------------------------------------------------------

def test_environment_overrides_the_file(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_POLICY__PITCH__MIN_STAGE", "trusted")
    settings = load_settings(write('[policy.pitch]\nmin_stage = "acquaintance"\n'))
    assert settings.policy.pitch.min_stage is Stage.TRUSTED


def test_environment_override_keeps_the_files_sibling_keys(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_POLICY__PITCH__MIN_STAGE", "trusted")
    text = '[policy.pitch]\ncooldown_days = 10\n[policy.guardrails]\ntimezone = "Europe/Madrid"\n'
    settings = load_settings(write(text))
    assert settings.policy.pitch.min_stage is Stage.TRUSTED
    assert settings.policy.pitch.cooldown_days == 10
    assert settings.policy.guardrails.timezone == "Europe/Madrid"


def test_invalid_environment_value_names_the_key(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_POLICY__PITCH__MIN_STAGE", "best-friend")
    assert config_error(write("")).startswith("policy.pitch.min_stage: ")


def test_rapport_config_variable_is_not_mistaken_for_a_setting(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_CONFIG", "/somewhere/config.toml")
    monkeypatch.setenv("RAPPORT_MASTODON_TOKEN", "not-a-setting")
    assert load_settings(write(SANDBOX)).accounts[0].name == "demo"


# errors name the exact key --------------------------------------------------------------------

def test_unknown_platform_names_the_account_index(write):
    message = config_error(write(SANDBOX + '[[accounts]]\nname = "m"\nplatform = "masto"\n'))
    assert message == "accounts[1].platform: unknown platform 'masto' (expected one of: sandbox, mastodon, bluesky)"


def test_missing_platform_names_the_key(write):
    message = config_error(write('[[accounts]]\nname = "m"\n'))
    assert message.startswith("accounts[0].platform: missing")


def test_missing_required_key_names_it(write):
    message = config_error(write(SANDBOX.replace('events = "examples/events.jsonl"\n', "")))
    assert message == "accounts[0].events: required key is missing"


def test_missing_required_key_of_a_later_account_names_its_index(write):
    message = config_error(write(SANDBOX + MASTODON.replace('base_url = "https://mastodon.example"\n', "")))
    assert message == "accounts[1].base_url: required key is missing"


@pytest.mark.parametrize(
    "text, key",
    [
        ('data_dri = "x"\n', "data_dri"),
        ('[policy.pitch]\nmin_stag = "trusted"\n', "policy.pitch.min_stag"),
        ('[policy.guardrails]\nquiet = "22:00-08:00"\n', "policy.guardrails.quiet"),
        (SANDBOX + 'evnets = "x"\n', "accounts[0].evnets"),
    ],
    ids=["top_level", "nested", "guardrails", "account"],
)
def test_unknown_key_is_named(write, text: str, key: str):
    assert config_error(write(text)) == f"{key}: unknown key"


def test_secret_in_the_file_is_refused_without_echoing_it(write):
    message = config_error(write(MASTODON + 'token = "s3cret-token-value"\n'))
    assert message == "accounts[0].token: secrets are not read from the config file; use token_env or token_file"
    assert "s3cret" not in message


@pytest.mark.parametrize(
    "text, expected",
    [
        (BLUESKY + 'password = "hunter2"\n',
         "accounts[0].password: secrets are not read from the config file; use password_env or password_file"),
        ('[drafting.openai]\napi_key = "sk-hunter2"\n',
         "drafting.openai.api_key: secrets are not read from the config file; use api_key_env or api_key_file"),
    ],
    ids=["bluesky_password", "openai_api_key"],
)
def test_other_secrets_in_the_file_are_refused(write, text: str, expected: str):
    message = config_error(write(text))
    assert message == expected
    assert "hunter2" not in message


def test_bad_quiet_hours_name_the_key_and_the_format(write):
    message = config_error(write('[policy.guardrails]\nquiet_hours = "10pm-8am"\n'))
    assert message == (
        "policy.guardrails.quiet_hours: expected 'HH:MM-HH:MM' (e.g. '22:00-08:00'), got '10pm-8am'"
    )


def test_unknown_timezone_names_the_key(write):
    message = config_error(write('[policy.guardrails]\ntimezone = "Mars/Olympus"\n'))
    assert message == (
        "policy.guardrails.timezone: unknown time zone 'Mars/Olympus' (use an IANA name like 'Europe/Madrid')"
    )


def test_duplicate_account_names_are_refused(write):
    message = config_error(write(SANDBOX + SANDBOX))
    assert message == "accounts: account name 'demo' is used twice"


def test_several_problems_are_reported_together_on_one_line(write):
    message = config_error(write('data_dri = "x"\n[policy.guardrails]\ntimezone = "Nowhere"\n'))
    assert "data_dri: unknown key" in message
    assert "policy.guardrails.timezone: unknown time zone 'Nowhere'" in message


def test_invalid_toml_names_the_file(write):
    path = write('data_dir = "unterminated\n')
    message = config_error(path)
    assert message.startswith(f"{path}: invalid TOML: ")
    assert "line 1" in message


def test_missing_required_file_is_an_error_naming_it(tmp_path: Path):
    path = tmp_path / "nope.toml"
    assert config_error(path) == f"config file not found: {path} (copy config.example.toml, or pass --config)"


# numbers are finite and bounded ---------------------------------------------------------------

BOUNDED = [  # (TOML table, key, its upper bound): every number in the settings
    ("storage", "busy_timeout_seconds", 3600), ("policy.pitch", "cooldown_days", 3650),
    ("policy.pitch", "min_exchanges_between", 10000), ("policy.guardrails", "max_messages_per_contact_per_day", 10000),
    ("policy.stages", "acquaintance_conversations", 10000), ("policy.stages", "acquaintance_days", 3650),
    ("policy.stages", "relationship_conversations", 10000), ("policy.stages", "relationship_span_days", 3650),
    ("policy.stages", "relationship_facts", 10000), ("drafting", "max_age_days", 3650),
    ("drafting", "suggestions", 3), ("drafting.openai", "timeout_seconds", 3600),
    ("drafting.checkins", "quiet_days", 3650), ("drafting.checkins", "max_per_day", 10000),
    ("privacy", "retention_days", 3650), ("service", "poll_interval_seconds", 604800),
    ("service", "poll_jitter_seconds", 604800), ("service", "send_interval_seconds", 604800),
    ("service", "heartbeat_interval_seconds", 604800), ("service", "heartbeat_max_age_seconds", 604800),
    ("service", "send_lease_seconds", 604800), ("service", "max_send_attempts", 10000),
]
ACCOUNT_BOUNDED = [("poll_interval_seconds", 604800), ("backfill_days", 3650),
                   ("request_timeout_seconds", 3600)]


@pytest.mark.parametrize("table, key, bound", BOUNDED, ids=[f"{t}.{k}" for t, k, _ in BOUNDED])
@pytest.mark.parametrize("value", ["inf", "nan", "1e12", "9999999"])
def test_an_unbounded_number_is_refused_naming_the_key(write, table: str, key: str, bound: int, value: str):
    message = config_error(write(f"[{table}]\n{key} = {value}\n"))
    assert message.startswith(f"{table}.{key}: must be ")
    expected = "a finite number" if value in ("inf", "nan") else f"at most {bound}"
    assert expected in message


@pytest.mark.parametrize("table, key, bound", BOUNDED, ids=[f"{t}.{k}" for t, k, _ in BOUNDED])
def test_the_upper_bound_itself_is_accepted(write, table: str, key: str, bound: int):
    load_settings(write(f"[{table}]\n{key} = {bound}\n"))


@pytest.mark.parametrize("key, bound", ACCOUNT_BOUNDED)
@pytest.mark.parametrize("value", ["inf", "1e12", "9999999"])
def test_an_unbounded_account_number_is_refused_naming_the_key(write, key: str, bound: int, value: str):
    message = config_error(write(MASTODON + f"{key} = {value}\n"))
    assert message.startswith(f"accounts[0].{key}: must be ")


def test_an_unbounded_number_from_the_environment_is_refused(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_SERVICE__HEARTBEAT_MAX_AGE_SECONDS", "inf")
    message = config_error(write(""))
    assert message == "service.heartbeat_max_age_seconds: must be a finite number, got 'inf'"


def test_the_lower_bounds_still_hold(write):
    assert config_error(write("[service]\nsend_lease_seconds = 5\n")) == (
        "service.send_lease_seconds: must be at least 10, got 5")
    assert config_error(write("[drafting.checkins]\nquiet_days = 0\n")) == (
        "drafting.checkins.quiet_days: must be more than 0, got 0")


def _is_number(kind: object) -> bool:
    return kind in (int, float) or any(_is_number(arg) for arg in typing.get_args(kind) if arg is not kind)


def _upper_bound(field: FieldInfo) -> float | None:
    """The field's `le`, or its type's (inside `Annotated`, or inside `X | None`)."""
    found = [m.le for m in field.metadata if isinstance(m, Le)]
    for arg in typing.get_args(field.annotation):
        found += [m.le for info in getattr(arg, "__metadata__", ()) for m in getattr(info, "metadata", ())
                  if isinstance(m, Le)]
    return min(found) if found else None


def _unbounded(model: type[BaseModel], prefix: str) -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            names += _unbounded(field.annotation, f"{prefix}{name}.")
        elif _is_number(field.annotation) and _upper_bound(field) is None:
            names.append(prefix + name)
    return names


def test_every_number_in_the_settings_has_an_upper_bound():
    """A new number without a bound would pass `config check` as `inf` and crash later."""
    models = [(Settings, ""), *((m, f"{m.__name__}.") for m in (SandboxAccount, MastodonAccount, BlueskyAccount))]
    assert [name for model, prefix in models for name in _unbounded(model, prefix)] == []


def test_the_bound_finder_sees_an_unbounded_number():
    class Loose(BaseModel):
        days: float | None = None
        count: int = 0

    assert _unbounded(Loose, "") == ["days", "count"]


def test_an_env_key_holding_a_value_rather_than_a_name_is_refused_without_echoing_it(write):
    message = config_error(write(MASTODON + 'token_env = "abc-123.secret-token"\n'))
    assert message.startswith("accounts[0].token_env: expected the NAME of an environment variable")
    assert "secret-token" not in message


def test_bad_json_in_an_environment_variable_is_one_line_naming_it(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_ACCOUNTS", '[{"name": "x", bad')
    message = config_error(write(""))
    assert message.startswith("RAPPORT_ACCOUNTS: not valid JSON (")
    assert "bad" not in message


# secrets ------------------------------------------------------------------------------------

def test_secret_is_read_from_its_environment_variable(monkeypatch):
    monkeypatch.setenv("MY_TOKEN", "  tok-123\n")
    assert read_secret("main", "token", "MY_TOKEN", None).get_secret_value() == "tok-123"


def test_secret_is_read_from_its_file_stripped(tmp_path: Path):
    secret = tmp_path / "token"
    secret.write_text("tok-from-file\n", encoding="utf-8")
    assert read_secret("main", "token", "UNSET_TOKEN_VAR", secret).get_secret_value() == "tok-from-file"


def test_secret_file_wins_over_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MY_TOKEN", "from-env")
    secret = tmp_path / "token"
    secret.write_text("from-file", encoding="utf-8")
    assert read_secret("main", "token", "MY_TOKEN", secret).get_secret_value() == "from-file"


def test_missing_secret_says_where_it_was_looked_for(monkeypatch):
    monkeypatch.delenv("MY_TOKEN", raising=False)
    with pytest.raises(ConfigError) as raised:
        read_secret("main", "token", "MY_TOKEN", None)
    assert str(raised.value) == "account 'main': no token: set $MY_TOKEN or token_file"


def test_blank_secret_variable_counts_as_missing(monkeypatch):
    monkeypatch.setenv("MY_TOKEN", "   ")
    with pytest.raises(ConfigError, match=r"no token"):
        read_secret("main", "token", "MY_TOKEN", None)


def test_unreadable_secret_file_names_the_file(tmp_path: Path):
    missing = tmp_path / "no-such-token"
    with pytest.raises(ConfigError) as raised:
        read_secret("main", "token", "MY_TOKEN", missing)
    assert str(raised.value).startswith(f"account 'main': cannot read token file {missing}: ")


def test_mastodon_account_reads_its_token_from_the_environment(write, monkeypatch):
    monkeypatch.setenv("RAPPORT_MASTODON_TOKEN", "masto-token")
    [account] = load_settings(write(MASTODON)).accounts
    assert account.secret().get_secret_value() == "masto-token"


def test_mastodon_account_without_token_is_an_error(write):
    [account] = load_settings(write(MASTODON)).accounts
    with pytest.raises(ConfigError, match=r"account 'main-mastodon': no token: set \$RAPPORT_MASTODON_TOKEN"):
        account.secret()


def test_bluesky_account_reads_its_password_file(write, tmp_path: Path):
    (tmp_path / "pw").write_text("app-pass\n", encoding="utf-8")
    [account] = load_settings(write(BLUESKY + 'password_file = "pw"\n')).accounts
    assert account.secret().get_secret_value() == "app-pass"


def test_bluesky_account_without_password_may_rely_on_a_stored_session(write):
    [account] = load_settings(write(BLUESKY)).accounts
    assert account.secret() is None


def test_secret_value_is_hidden_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("MY_TOKEN", "tok-visible?")
    assert "tok-visible?" not in repr(read_secret("main", "token", "MY_TOKEN", None))


# the shipped example ------------------------------------------------------------------------

def test_example_config_loads_without_error():
    example = PROJECT_ROOT / "config.example.toml"
    if not example.exists():
        pytest.skip("config.example.toml does not exist yet at the project root")
    settings = load_settings(example)
    assert settings.data_dir.is_absolute()


def test_models_are_unpacked_under_the_data_folder_unless_told_otherwise(write, tmp_path, monkeypatch):
    assert load_settings(write("")).model_cache_dir == tmp_path / "data" / "cache" / "models"
    assert load_settings(write('[storage]\nmodel_cache = "off"\n')).model_cache_dir is None
    shared = tmp_path / "shared-models"
    assert load_settings(write(f'[storage]\nmodel_cache = "{shared}"\n')).model_cache_dir == shared
    monkeypatch.setenv("RAPPORT_STORAGE__MODEL_CACHE", "off")  # how the tests share one folder
    assert load_settings(write("")).model_cache_dir is None
