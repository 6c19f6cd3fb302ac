"""A contact: a person as seen from one account, with what is known about them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.domain.stages import RelationshipCounters, Stage

# Matched on plain text (adapters convert HTML first); "#nobot", "#NoBot", "#nobots".
_NOBOT = re.compile(r"(?<![\w#])#no_?bots?\b", re.IGNORECASE)


def asks_for_no_bots(*texts: str) -> bool:
    """True when any of these profile texts carries a #nobot tag.

    NFKC first: "＃ｎｏｂｏｔ" in fullwidth letters asks the same thing.
    """
    return any(_NOBOT.search(unicodedata.normalize("NFKC", text or "")) for text in texts)


@dataclass(frozen=True)
class Contact:
    id: int
    account: str
    handle: str
    platform_id: str | None = None
    name: str = ""
    bio: str = ""
    bot: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    stage: Stage = Stage.AUDIENCE
    stage_reason: str = ""
    counters: RelationshipCounters = RelationshipCounters()
    signals: int = 0  # follows, likes, reposts
    opted_out: bool = False
    opted_out_at: datetime | None = None
    last_pitch_at: datetime | None = None
    exchanges_since_pitch: int = 0
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    profile_refreshed_at: datetime | None = None
    last_checkin_at: datetime | None = None

    @property
    def nobot(self) -> bool:
        """Wherever the person wrote it: display name, bio, or a profile field's label or value."""
        return asks_for_no_bots(self.name, self.bio, *(text for field in self.fields for text in field))

    @property
    def not_to_be_written_to(self) -> str | None:
        """The guardrails' reason code when nothing is written to this person at all (they opted
        out, asked for no bots, or are a bot), checked before any text is drafted; else None."""
        if self.opted_out:
            return "opted_out"
        if self.nobot:
            return "nobot"
        if self.bot:
            return "contact_is_bot"
        return None
