"""Secrets out of log lines: what the settings hold, and whatever looks like a credential.

Two nets, because neither is enough alone. The exact values the settings resolved (tokens,
passwords, API keys) are caught whatever their shape, even a token that looks like a word.
Shapes only credentials have (JWTs, bearer tokens, Mastodon-style tokens, app passwords, the
values of `Authorization` headers and of `token=`-like fields, passwords inside URLs) catch
what the process learns at run time, like a refreshed session, or was never configured with.
The shapes are narrow on purpose: handles, URLs, ids, hashes and prose pass untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
# Shorter values are too likely to be ordinary words or numbers to be replaced everywhere.
MIN_SECRET_LENGTH = 8
_MAX_DEPTH = 8

_SECRET_KEY = re.compile(r"token|password|secret|api_?key|authorization|cookie|session|jwt", re.IGNORECASE)
# Names of where a secret is read from, and paths: not secrets themselves.
_ALLOWED_KEYS = frozenset({"session_path", "token_env", "password_env", "api_key_env",
                           "token_file", "password_file", "api_key_file"})

_TOKEN_CHARS = r"A-Za-z0-9_\-"
_MASTODON_TOKEN_LENGTH = 32
_FIELD_NAMES = (r"access_?token|refresh_?token|id_token|auth_?token|token|password|passwd|app_password"
                r"|api_?key|client_secret|secret|access_?jwt|refresh_?jwt")
# Each shape runs only on text holding one of its triggers (in lower case): finding them all
# takes one scan, and most logged values (names, ids, counts) hold none.
_FIELD_TRIGGERS = ("token", "passw", "api", "secret", "jwt", "authorization", "cookie")
_SHAPES: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    # `password=...` in query strings, forms and keyword reprs.
    (_FIELD_TRIGGERS, re.compile(rf"(?i)((?<![A-Za-z0-9])(?:{_FIELD_NAMES})=[\"']?)[^\s&\"',;)}}\[\]]+"),
     rf"\1{REDACTED}"),
    # `"accessJwt": "..."` in JSON bodies and dict reprs.
    (_FIELD_TRIGGERS, re.compile(rf"""(?i)(["'](?:{_FIELD_NAMES}|authorization|cookie)["']\s*:\s*["'])[^"']+"""),
     rf"\1{REDACTED}"),
    # `Authorization: Bearer ...` header lines: the scheme stays, what follows it goes. The
    # scheme is atomic so that an already redacted value is left as it is.
    (("authorization",),
     re.compile(r"(?i)(\b(?:proxy-)?authorization\s*[:=]\s*(?>(?:(?:bearer|basic|dpop|token)\s+)?))[^\s\"',;\[]+"),
     rf"\1{REDACTED}"),
    # `Bearer <token>` anywhere. Prose ("Basic Understanding") has no digit, symbol or capital
    # inside the word that follows; a token has one.
    (("bearer", "basic", "dpop"),
     re.compile(r"(\b(?i:bearer|basic|dpop)\s+)(?=[A-Za-z0-9\-._~+/]*(?:[0-9_~+/=]|[A-Za-z][A-Z]))"
                r"[A-Za-z0-9\-._~+/]{8,}=*"), rf"\1{REDACTED}"),
    # Passwords in URLs: scheme://user:password@host.
    (("://",), re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+(@)"), rf"\1{REDACTED}\2"),
    # JWTs (atproto sessions, OAuth): base64url JSON, whole or cut short.
    (("eyj",), re.compile(rf"(?<![{_TOKEN_CHARS}])eyJ[{_TOKEN_CHARS}]{{10,}}(?:\.[{_TOKEN_CHARS}]*){{0,2}}"),
     REDACTED),
    # Mastodon-style tokens: 32+ base64url characters mixing capitals, small letters and digits.
    # Ids (digits), CIDs, DIDs and hex hashes (no capitals) and identifiers (no digits) pass.
    ((), re.compile(rf"(?<![{_TOKEN_CHARS}])(?=[{_TOKEN_CHARS}]*[0-9])(?=[{_TOKEN_CHARS}]*[a-z])"
                    rf"(?=[{_TOKEN_CHARS}]*[A-Z])[{_TOKEN_CHARS}]{{{_MASTODON_TOKEN_LENGTH},}}"
                    rf"(?![{_TOKEN_CHARS}])"), REDACTED),
    # App passwords (xxxx-xxxx-xxxx-xxxx). A digit is required, so hyphenated words
    # ("long-term-care-plan") pass; a configured app password is caught by value anyway.
    (("-",), re.compile(r"(?<![A-Za-z0-9\-])(?=[a-z0-9\-]*[0-9])[a-z0-9]{4}(?:-[a-z0-9]{4}){3}(?![A-Za-z0-9\-])"),
     REDACTED),
)

_TRIGGERS = re.compile("|".join(sorted({re.escape(t) for triggers, _, _ in _SHAPES for t in triggers})))


def _triggered(triggers: tuple[str, ...], text: str, found: set[str]) -> bool:
    if not triggers:  # the bare token shape: only its length can rule it out cheaply
        return len(text) >= _MASTODON_TOKEN_LENGTH
    return not found.isdisjoint(triggers)


def is_secret_key(key: object) -> bool:
    return _is_secret_name(str(key))


@lru_cache(maxsize=4096)  # events reuse a few dozen key names
def _is_secret_name(name: str) -> bool:
    return name not in _ALLOWED_KEYS and bool(_SECRET_KEY.search(name))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value)


def _spellings(value: str) -> set[str]:
    """The ways a value travels in text: as is, URL-encoded (forms), JSON-escaped (bodies)."""
    return {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}


class Redactor:
    """A structlog processor; `text` and `value` serve other log paths (the standard library's)."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._known: set[str] = set()
        self._known_pattern: re.Pattern[str] | None = None
        self.remember(*secrets)

    def remember(self, *secrets: str | None) -> None:
        """From now on, these values never reach a log line, whatever their shape."""
        added = {spelling for secret in secrets if secret and len(secret.strip()) >= MIN_SECRET_LENGTH
                 for spelling in _spellings(secret.strip())}
        if added - self._known:
            self._known |= added
            # Longest first, so a secret containing another is replaced whole.
            ordered = sorted(self._known, key=len, reverse=True)
            self._known_pattern = re.compile("|".join(re.escape(secret) for secret in ordered))

    def text(self, text: str) -> str:
        if self._known_pattern is not None:
            text = self._known_pattern.sub(REDACTED, text)
        found = set(_TRIGGERS.findall(text.lower()))
        for triggers, pattern, replacement in _SHAPES:
            if _triggered(triggers, text, found):
                text = pattern.sub(replacement, text)
        return text

    def value(self, value: Any, depth: int = 0) -> Any:
        """`value` with secrets replaced, nested containers included; other objects are judged
        by their repr, which is what the renderers print."""
        if isinstance(value, str):
            return self.text(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if depth >= _MAX_DEPTH:
            return self.text(repr(value))
        if isinstance(value, Mapping):
            return self.mapping(value, depth + 1)
        if isinstance(value, (list, tuple, set, frozenset)):
            items = [self.value(item, depth + 1) for item in value]
            return tuple(items) if isinstance(value, tuple) else items
        shown = repr(value)
        cleaned = self.text(shown)
        return value if cleaned == shown else cleaned

    def mapping(self, data: Mapping[Any, Any], depth: int = 0) -> dict[Any, Any]:
        # An empty or missing secret is shown as such: "no password set" is worth seeing.
        return {key: REDACTED if is_secret_key(key) and not _empty(item) else self.value(item, depth)
                for key, item in data.items()}

    def __call__(self, _logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
        return self.mapping(event)
