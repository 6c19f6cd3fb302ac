"""One exception hierarchy for the whole project.

Adapters translate SDK and driver errors into these; the CLI prints `str(error)` as one line
and picks the exit code from the class. Messages never contain secrets.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.decisions import Decision


class RapportError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code = 1


class ConfigError(RapportError):
    """The configuration is invalid; the message names the key."""


class NotFoundError(RapportError):
    """A draft, contact or account the user named does not exist."""


class InvalidTransitionError(RapportError):
    """A draft cannot move to the asked status from where it is (approve a sent draft...)."""


class InvalidInputError(RapportError):
    """Input from the user or a file that cannot be used as given."""


class UsageError(InvalidInputError):
    """A command-line value that cannot be used as given: exit 2, like any usage error, but in
    one line (Click's own usage errors print the usage first)."""

    exit_code = 2


class InvalidRecordError(InvalidInputError):
    """One incoming record (an event, a notification) that cannot be stored as it is.

    It is skipped with one line saying why; the rest of its batch is stored and the cursor
    moves past it, so it never blocks a later poll.
    """


class PolicyRefusedError(RapportError):
    """A guardrail blocked the action; carries the decision with its reasons."""

    exit_code = 3

    def __init__(self, message: str, decision: Decision) -> None:
        super().__init__(message)
        self.decision = decision


class StoreError(RapportError):
    """The database cannot be reached or is in an unexpected state."""


class PlatformError(RapportError):
    """Something went wrong talking to a platform."""


class AuthFailedError(PlatformError):
    """Credentials were refused: polling that account stops until a person fixes them."""


class RateLimitedError(PlatformError):
    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class RemoteNotFoundError(PlatformError):
    """The thing on the platform is gone (a deleted status, a suspended account)."""


class TransientError(PlatformError):
    """A network failure or a 5xx: worth retrying later."""


class RemoteRejectedError(PlatformError):
    """The platform refused the request as invalid (a 4xx that retrying will not fix)."""


class JudgeUnavailableError(RapportError):
    """A pitch judge gave no usable verdict (timeout, HTTP error, an answer of the wrong shape).
    The local verdict stands; the message is one line without the key or the server's body."""
