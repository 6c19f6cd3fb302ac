"""Logging in to Mastodon for the CLI's `login` command: register rapport with the instance, send
the owner to grant access, trade the code shown for a token. Only the scopes rapport uses."""

from __future__ import annotations

from collections.abc import Sequence

from mastodon import Mastodon, MastodonAPIError, MastodonIllegalArgumentError, MastodonNetworkError

from bot.errors import AuthFailedError, RemoteRejectedError, TransientError

SCOPES = ("read:notifications", "read:statuses", "read:accounts", "read:follows", "write:statuses")
OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"


def register_app(
    instance_url: str, *, client_name: str = "rapport", scopes: Sequence[str] = SCOPES,
    redirect_uri: str = OOB_REDIRECT, request_timeout: float = 30.0,
) -> tuple[str, str]:
    """Register rapport with the instance; returns (client_id, client_secret)."""
    try:
        return Mastodon.create_app(
            client_name, scopes=list(scopes), redirect_uris=redirect_uri,
            api_base_url=instance_url, request_timeout=request_timeout, user_agent="rapport",
        )
    except MastodonNetworkError as error:
        raise TransientError(f"could not reach {instance_url} to register the app") from error
    except (KeyError, TypeError) as error:
        raise RemoteRejectedError(f"{instance_url} refused to register the app") from error


def authorization_url(
    instance_url: str, *, client_id: str, client_secret: str, scopes: Sequence[str] = SCOPES,
    redirect_uri: str = OOB_REDIRECT, state: str | None = None,
) -> str:
    """The page where the account's owner grants access and is shown a code."""
    api = _login_api(instance_url, client_id, client_secret)
    return api.auth_request_url(
        redirect_uris=redirect_uri, scopes=list(scopes), state=state, force_login=True
    )


def exchange_code(
    instance_url: str, *, client_id: str, client_secret: str, code: str,
    scopes: Sequence[str] = SCOPES, redirect_uri: str = OOB_REDIRECT,
) -> str:
    """Trade the code the owner was shown for an access token."""
    api = _login_api(instance_url, client_id, client_secret)
    try:
        return api.log_in(code=code, redirect_uri=redirect_uri, scopes=list(scopes))
    except (MastodonIllegalArgumentError, MastodonAPIError) as error:
        raise AuthFailedError(
            f"{instance_url} refused the code, or granted fewer scopes than asked"
        ) from error


def _login_api(instance_url: str, client_id: str, client_secret: str) -> Mastodon:
    return Mastodon(
        client_id=client_id, client_secret=client_secret, api_base_url=instance_url,
        mastodon_version="4.3.0", version_check_mode="created", user_agent="rapport",
    )
