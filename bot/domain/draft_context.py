"""What a drafter may know beyond the message it answers: the conversation above it, where the
reply goes and how long it may be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# What a reply may hold on each platform. Mastodon's limit is set per server; 500 is the default
# most servers keep. Bluesky counts graphemes, which is never more than the characters.
PLATFORM_CHARS = {"bluesky": 300, "mastodon": 500}
DEFAULT_CHARS = 500
# Replies stay short whatever the platform allows: a model told "under 500" writes 500.
COMFORTABLE_CHARS = 280


@dataclass(frozen=True)
class EarlierMessage:
    """A message above the one answered, in the same thread: theirs or the account's."""

    text: str
    at: datetime
    from_them: bool


@dataclass(frozen=True)
class DraftContext:
    platform: str | None = None
    handle: str = ""  # the person's, which the platform puts in front of the reply
    thread: tuple[EarlierMessage, ...] = ()  # oldest first

    @property
    def max_chars(self) -> int:
        """How long a reply may be: the platform's limit less the mention put in front of it,
        and never more than a short reply needs."""
        limit = PLATFORM_CHARS.get(self.platform or "", DEFAULT_CHARS)
        mention = len(self.handle.lstrip("@")) + 2 if self.handle else 0
        return max(60, min(COMFORTABLE_CHARS, limit - mention))


NO_CONTEXT = DraftContext()
