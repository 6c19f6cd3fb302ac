"""Logging in to Mastodon, or a server that speaks its client API, for the CLI's `auth` command:
register rapport with the instance, send the owner to grant access, trade the code shown for a
token, and check that the token can read the account before anyone stores it.

The scopes default to `read write`, which every server accepts. Granular scopes
(`read:notifications`, ...) are narrower, and Mastodon honours them, but Takahe grants them and
then refuses `verify_credentials` and `relationships`, which need `read`.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mastodon import (
    Mastodon, MastodonAPIError, MastodonIllegalArgumentError, MastodonNetworkError, MastodonServerError,
)

from bot.errors import AuthFailedError, RemoteRejectedError, TransientError

SCOPES = ("read", "write")
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
    redirect_uri: str = OOB_REDIRECT, state: str | None = None, lang: str | None = None,
) -> str:
    """The page where the account's owner grants access and is shown a code."""
    api = _login_api(instance_url, client_id, client_secret)
    url = api.auth_request_url(
        redirect_uris=redirect_uri, scopes=list(scopes), state=state, lang=lang, force_login=True
    )
    # Mastodon.py writes every parameter, an unset one as the text "None" (`state=None&lang=None`).
    unset = {name for name, value in (("state", state), ("lang", lang)) if value is None}
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in unset]
    return urlunsplit(parts._replace(query=urlencode(kept)))


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


def account_of(instance_url: str, token: str, *, scopes: Sequence[str] = SCOPES,
               request_timeout: float = 30.0) -> str:
    """The `acct` the new token reads with one `verify_credentials` call; a token that cannot
    read the account is refused here, so that nobody stores one that would fail every poll."""
    api = Mastodon(access_token=token, api_base_url=instance_url, mastodon_version="4.3.0",
                   version_check_mode="created", request_timeout=request_timeout, user_agent="rapport")
    try:
        me = api.account_verify_credentials()
    except (MastodonNetworkError, MastodonServerError) as error:
        raise TransientError(f"{instance_url} gave no usable answer when the new token was checked;"
                             " it was not stored: log in again later") from error
    except MastodonAPIError as error:
        status = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None
        if status is None:  # an answer that is not JSON: a proxy's or maintenance page
            raise TransientError(f"{instance_url} gave no usable answer when the new token was checked;"
                                 " it was not stored: log in again later") from error
        raise AuthFailedError(
            f"{instance_url} gave a token that cannot read the account (HTTP {status} on verify_credentials),"
            f" so it was not stored: the server may not honour the scopes asked ({' '.join(scopes)});"
            ' set scopes = ["read", "write"] for this account and log in again'
        ) from error
    finally:
        api.session.close()
    acct = me.get("acct") if isinstance(me, dict) else None
    return acct if isinstance(acct, str) else ""


def _login_api(instance_url: str, client_id: str, client_secret: str) -> Mastodon:
    return Mastodon(
        client_id=client_id, client_secret=client_secret, api_base_url=instance_url,
        mastodon_version="4.3.0", version_check_mode="created", user_agent="rapport",
    )
