"""The configuration: one pydantic-settings model, loaded from TOML, overridable by environment.

Precedence: `RAPPORT_*` environment variables (nested with `__`, e.g.
`RAPPORT_POLICY__PITCH__MIN_STAGE=trusted`) over the TOML file over the defaults.
Secrets are never read from the TOML file: only from an environment variable or a file
(Docker secrets), named by `*_env` / `*_file` keys.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from bot.config_about import AboutSettings
from bot.config_errors import describe_source_error, format_validation_error
from bot.config_types import PLATFORMS as PLATFORMS  # re-exported: callers know them as bot.config's
from bot.config_types import SECRET_KEYS as SECRET_KEYS
from bot.config_types import Count, Days, EnvName, IntervalSeconds, TimeoutSeconds, WholeDays, is_in_memory_database
from bot.config_types import Scope
from bot.domain.stages import Stage
from bot.errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Section):
    url: str = ""  # empty: SQLite under data_dir
    busy_timeout_seconds: TimeoutSeconds = Field(30.0, gt=0)
    model_cache: str = ""  # empty: <data_dir>/cache/models; "off": models stay in memory

    @field_validator("url")
    @classmethod
    def _kept_on_disk(cls, value: str) -> str:
        if is_in_memory_database(value):
            raise ValueError("an in-memory database is refused: every draft, approval and contact would be lost"
                             " when the process exits; use a file (sqlite:///data/rapport.db), or \"\" for the default")
        return value


class PitchSettings(_Section):
    min_stage: Stage = Stage.RELATIONSHIP
    cooldown_days: Days = Field(30.0, ge=0)
    min_exchanges_between: Count = Field(5, ge=0)
    extra_terms: list[str] = []
    commercial_domains: list[str] = []
    products: list[str] = []
    # The semantic model on outgoing drafts and incoming messages: "auto" uses it when the
    # encoder is installed.
    semantic: Literal["auto", "on", "off"] = "auto"
    outgoing_threshold: float | None = Field(None, ge=0.05, le=1.0)  # None: the trained model's own
    incoming_threshold: float | None = Field(None, ge=0.05, le=1.0)  # None: the trained model's own
    judge: Literal["off", "openai"] = "off"  # a model's second opinion on drafts below min_stage


class GuardrailSettings(_Section):
    quiet_hours: str = ""
    timezone: str = "UTC"
    max_messages_per_contact_per_day: Count = Field(3, ge=1)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours_format(cls, value: str) -> str:
        if value and parse_quiet_hours(value) is None:
            raise ValueError(f"expected 'HH:MM-HH:MM' (e.g. '22:00-08:00'), got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'Europe/Madrid')") from None
        return value

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        return parse_quiet_hours(self.quiet_hours) if self.quiet_hours else None


class StageSettings(_Section):
    acquaintance_conversations: Count = Field(2, ge=1)
    acquaintance_days: WholeDays = Field(2, ge=1)
    relationship_conversations: Count = Field(5, ge=1)
    relationship_span_days: WholeDays = Field(30, ge=0)
    relationship_facts: Count = Field(2, ge=0)


class PolicySettings(_Section):
    pitch: PitchSettings = PitchSettings()
    guardrails: GuardrailSettings = GuardrailSettings()
    stages: StageSettings = StageSettings()


class OpenAISettings(_Section):
    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = "llama3.1"
    api_key_env: EnvName = "RAPPORT_LLM_KEY"
    api_key_file: Path | None = None
    timeout_seconds: TimeoutSeconds = Field(30.0, gt=0)


class CheckinSettings(_Section):
    enabled: bool = True
    quiet_days: Days = Field(21.0, gt=0)
    max_per_day: Count = Field(3, ge=0)
    lookback_days: Days = Field(60.0, gt=0)  # a plan whose day passed within this is asked about


class DraftingSettings(_Section):
    backend: Literal["template", "openai"] = "template"
    suggestions: int = Field(1, ge=1, le=3)
    max_age_days: Days = Field(14.0, ge=0)  # 0: draft for messages of any age
    voice: str = ""  # how the account speaks, for the LLM drafter ("warm, brief, no emoji")
    templates_file: Path | None = None  # extra reply templates, merged with the built-in ones
    followup_cooldown_days: Days = Field(30.0, ge=0)  # one follow-up per subject and person in this time
    openai: OpenAISettings = OpenAISettings()
    checkins: CheckinSettings = CheckinSettings()
    about: AboutSettings = AboutSettings()  # what drafts may say about you; `rapport about set` adds to it


class AnnounceSettings(_Section):
    max_per_day: Count = Field(5, ge=1)  # announcement messages per account per day
    working_hours: str = "09:00-18:00"  # in [policy.guardrails] timezone; "" = any time
    visibility: Literal["direct", "private", "unlisted", "public"] = "direct"

    @field_validator("working_hours")
    @classmethod
    def _working_hours_format(cls, value: str) -> str:
        if value and parse_quiet_hours(value) is None:
            raise ValueError(f"expected 'HH:MM-HH:MM' (e.g. '09:00-18:00'), got {value!r}")
        return value

    @property
    def window(self) -> tuple[time, time] | None:
        return parse_quiet_hours(self.working_hours) if self.working_hours else None


class PrivacySettings(_Section):
    retention_days: Days = Field(0.0, ge=0)  # erase message text older than this; 0 = keep


class ServiceSettings(_Section):
    poll_interval_seconds: IntervalSeconds = Field(120.0, ge=1)
    poll_jitter_seconds: IntervalSeconds = Field(10.0, ge=0)
    send_interval_seconds: IntervalSeconds = Field(30.0, ge=1)
    heartbeat_interval_seconds: IntervalSeconds = Field(30.0, ge=1)
    heartbeat_max_age_seconds: IntervalSeconds = Field(180.0, ge=1)
    send_lease_seconds: IntervalSeconds = Field(300.0, ge=10)  # a `sending` draft older than this is retried
    max_send_attempts: Count = Field(5, ge=1)
    # How long a replica's claim on an account lasts without renewal; None: twice the account's
    # poll interval plus the jitter plus a minute (a living holder always renews it in time).
    poll_lease_seconds: IntervalSeconds | None = Field(None, ge=10)


class LoggingSettings(_Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class _AccountBase(_Section):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    poll_interval_seconds: IntervalSeconds | None = Field(None, ge=1)  # default: service.poll_interval_seconds
    backfill_days: WholeDays = Field(90, ge=0)


class SandboxAccount(_AccountBase):
    platform: Literal["sandbox"]
    handle: str
    events: Path
    outbox: Path | None = None  # default: data_dir/sandbox-outbox.jsonl


class MastodonAccount(_AccountBase):
    platform: Literal["mastodon"]
    base_url: str
    handle: str | None = None  # user@domain, when the account's domain differs from base_url's host
    token_env: EnvName = "RAPPORT_MASTODON_TOKEN"
    token_file: Path | None = None
    mastodon_version: str = "4.3.0"
    request_timeout_seconds: TimeoutSeconds = Field(30.0, gt=0)
    notification_types: list[str] = ["mention", "follow", "favourite", "reblog", "quote"]
    # What `rapport auth mastodon` asks for. `read write` is accepted by every server; granular
    # scopes are not (Takahe grants them, then refuses the calls that need `read`).
    scopes: list[Scope] = ["read", "write"]

    def secret(self) -> SecretStr:
        return read_secret(self.name, "token", self.token_env, self.token_file)

    @field_validator("scopes")
    @classmethod
    def _reads_and_writes(cls, value: list[str]) -> list[str]:
        def has(kind: str) -> bool:
            return any(scope == kind or scope.startswith(f"{kind}:") for scope in value)

        if not (has("read") and has("write")):
            raise ValueError('rapport reads notifications and posts replies: include "read" and "write"'
                             " (or their granular parts, e.g. read:notifications, write:statuses)")
        return value


class BlueskyAccount(_AccountBase):
    platform: Literal["bluesky"]
    handle: str
    service: str = "https://bsky.social"
    password_env: EnvName = "RAPPORT_BLUESKY_APP_PASSWORD"
    password_file: Path | None = None
    request_timeout_seconds: TimeoutSeconds = Field(30.0, gt=0)
    reasons: list[str] = ["mention", "reply", "quote", "follow", "like", "repost"]

    def secret(self) -> SecretStr | None:
        try:
            return read_secret(self.name, "password", self.password_env, self.password_file)
        except ConfigError:
            return None  # a stored session may be enough


Account = Annotated[SandboxAccount | MastodonAccount | BlueskyAccount, Field(discriminator="platform")]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RAPPORT_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    data_dir: Path = Path("data")
    storage: StorageSettings = StorageSettings()
    policy: PolicySettings = PolicySettings()
    drafting: DraftingSettings = DraftingSettings()
    service: ServiceSettings = ServiceSettings()
    logging: LoggingSettings = LoggingSettings()
    privacy: PrivacySettings = PrivacySettings()
    announce: AnnounceSettings = AnnounceSettings()
    accounts: list[Account] = []

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init arguments; the environment overrides it.
        return (env_settings, init_settings)

    @field_validator("accounts")
    @classmethod
    def _unique_names(cls, accounts: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for account in accounts:
            if account.name in seen:
                raise ValueError(f"account name {account.name!r} is used twice")
            seen.add(account.name)
        return accounts

    @property
    def model_cache_dir(self) -> Path | None:
        """Where models are unpacked to be mapped (`bot.model_files`); None keeps them in memory."""
        value = self.storage.model_cache.strip()
        if value == "off":
            return None
        return Path(value).expanduser() if value else self.data_dir / "cache" / "models"

    @property
    def database_url(self) -> str:
        return self.storage.url or f"sqlite:///{self.data_dir / 'rapport.db'}"

    def account(self, name: str) -> SandboxAccount | MastodonAccount | BlueskyAccount:
        for account in self.accounts:
            if account.name == name:
                return account
        known = ", ".join(a.name for a in self.accounts) or "none configured"
        raise ConfigError(f"unknown account {name!r} (known: {known})")


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    return time(h1, m1), time(h2, m2)


def read_secret(account: str, what: str, env: str, file: Path | None) -> SecretStr:
    """A secret from its file or environment variable; the error names where it was looked for."""
    if file is not None:
        try:
            return SecretStr(file.read_text(encoding="utf-8").strip())
        except OSError as error:
            raise ConfigError(f"account {account!r}: cannot read {what} file {file}: {error.strerror}") from None
    value = os.environ.get(env, "").strip()
    if not value:
        raise ConfigError(f"account {account!r}: no {what}: set ${env} or {what}_file")
    return SecretStr(value)


def load_settings(path: Path, *, required: bool = True) -> Settings:
    """Read and validate the config file; relative paths resolve against its folder."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: invalid TOML: {error}") from None
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    elif required:
        raise ConfigError(f"config file not found: {path} (copy config.example.toml, or pass --config)")
    try:
        settings = Settings(**data)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error)) from None
    except SettingsError as error:  # an environment variable holding JSON that does not parse
        raise ConfigError(describe_source_error(error)) from None
    return _resolve_paths(settings, path.resolve().parent)


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def resolve(p: Path | None) -> Path | None:
        return None if p is None else (p if p.is_absolute() else base / p)

    data_dir = resolve(settings.data_dir)
    accounts = []
    for account in settings.accounts:
        updates: dict[str, Any] = {}
        for key in ("events", "outbox", "token_file", "password_file"):
            if getattr(account, key, None) is not None:
                updates[key] = resolve(getattr(account, key))
        if isinstance(account, SandboxAccount) and account.outbox is None:
            updates["outbox"] = data_dir / "sandbox-outbox.jsonl"
        accounts.append(account.model_copy(update=updates))
    storage = settings.storage
    if storage.url.startswith("sqlite:///") and not storage.url.startswith("sqlite:////"):
        relative = storage.url.removeprefix("sqlite:///")
        if relative:  # an in-memory URL never gets here: the settings refuse it
            storage = storage.model_copy(update={"url": f"sqlite:///{base / relative}"})
    openai = settings.drafting.openai
    drafting = settings.drafting.model_copy(update={
        "openai": openai.model_copy(update={"api_key_file": resolve(openai.api_key_file)}),
        "templates_file": resolve(settings.drafting.templates_file),
    })
    return settings.model_copy(
        update={"data_dir": data_dir, "accounts": accounts, "storage": storage, "drafting": drafting}
    )
