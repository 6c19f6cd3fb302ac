"""Platform adapters, registered by their config name.

Each builder imports its SDK only when called, so commands that never talk to a platform
(the approval queue, for one) stay fast and work without the optional SDKs installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.ports import PlatformClient


def _sandbox(account: Any, settings: Settings, log: Any) -> PlatformClient:
    from bot.platforms.sandbox import SandboxClient

    return SandboxClient(account=account.name, handle=account.handle, events=account.events,
                         outbox=account.outbox, log=log)


def _mastodon(account: Any, settings: Settings, log: Any) -> PlatformClient:
    module = _import("bot.platforms.mastodon", "mastodon")
    return module.MastodonClient(
        account=account.name, base_url=account.base_url, handle=account.handle,
        access_token=account.secret().get_secret_value(),
        mastodon_version=account.mastodon_version, request_timeout=account.request_timeout_seconds,
        notification_types=tuple(account.notification_types), log=log,
    )


def _bluesky(account: Any, settings: Settings, log: Any) -> PlatformClient:
    module = _import("bot.platforms.bluesky", "bluesky")
    password = account.secret()
    return module.BlueskyClient(
        account=account.name, handle=account.handle,
        password=password.get_secret_value() if password else None,
        service=account.service, session_path=bluesky_session_path(settings, account.name),
        reasons=tuple(account.reasons), request_timeout=account.request_timeout_seconds, log=log,
    )


def bluesky_session_path(settings: Settings, account: str):  # noqa: ANN201
    return settings.data_dir / "sessions" / f"{account}.bluesky-session"


def _import(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise ConfigError(
            f"the {extra} platform needs its SDK ({error.name} is missing): pip install 'rapport[{extra}]'"
        ) from None


PLATFORMS: dict[str, Callable[[Any, Settings, Any], PlatformClient]] = {
    "sandbox": _sandbox,
    "mastodon": _mastodon,
    "bluesky": _bluesky,
}


def build_client(account: Any, settings: Settings, log: Any) -> PlatformClient:
    return PLATFORMS[account.platform](account, settings, log)
