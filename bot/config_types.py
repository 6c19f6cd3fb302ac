"""The value types of the settings: bounded numbers, checked names, and what storage may be.

TOML accepts `inf`, `nan` and `1e12`; so do environment variables. Left unbounded, such a value
passes `config check` and crashes much later, when a period built from it overflows a date
(`now - timedelta(days=1e12)`) or a driver's integer. Every number in the settings therefore has
a finite upper bound, documented next to its key in config.example.toml; a value outside it is
refused with one line naming the key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_DAYS = 3650  # ten years: longer than any history read, kept or waited for
MAX_INTERVAL_SECONDS = 7 * 24 * 3600  # a week: a service that waits longer between jobs is not running
MAX_TIMEOUT_SECONDS = 3600  # an hour: a call or a lock wait that takes longer has failed
MAX_COUNT = 10_000  # a count of messages, drafts or attempts; far above any sane setting

# Every number in the settings is one of these. They carry the upper bound and finiteness only:
# each field states its own lower bound (pydantic lets a field's `ge` replace, not add to, its type's).
Days = Annotated[float, Field(le=MAX_DAYS, allow_inf_nan=False)]
WholeDays = Annotated[int, Field(le=MAX_DAYS)]
IntervalSeconds = Annotated[float, Field(le=MAX_INTERVAL_SECONDS, allow_inf_nan=False)]
TimeoutSeconds = Annotated[float, Field(le=MAX_TIMEOUT_SECONDS, allow_inf_nan=False)]
Count = Annotated[int, Field(le=MAX_COUNT)]

# `token_env` names a variable; a value that cannot be one is most likely the secret itself.
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=ENV_NAME_PATTERN)]

# An OAuth scope as Mastodon-compatible servers name them: `read`, `write:statuses`, `admin:read:accounts`.
Scope = Annotated[str, Field(pattern=r"^[a-z]+(:[a-z_]+)*$")]

SECRET_KEYS = frozenset({"token", "access_token", "password", "app_password", "api_key", "secret"})
PLATFORMS = ("sandbox", "mastodon", "bluesky")


def is_in_memory_database(url: str) -> bool:
    """True for the SQLite URLs that keep nothing on disk: `sqlite://`, `sqlite:///:memory:`,
    a `file::memory:` name, or `mode=memory` in the query."""
    scheme, separator, rest = url.strip().partition("://")
    if not separator or not scheme.lower().startswith("sqlite"):
        return False
    database, _, query = rest.removeprefix("/").partition("?")
    return (database in ("", ":memory:") or database.startswith("file::memory:")
            or "mode=memory" in query.lower() or "mode=memory" in database.lower())
