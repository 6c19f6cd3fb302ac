"""Announcements: something the account holder wants to tell the people who trust them.

Not a broadcast. Each eligible person gets one personal message, approved by a person,
sent a few a day inside working hours, privately, and always with a way to say "stop".
These are the pure rules: who is left out and why, and when a message may go out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.contacts import Contact
from bot.domain.drafts import new_ulid
from bot.domain.memory import ContactMemory
from bot.domain.models import Visibility
from bot.domain.normalize import fold_term
from bot.domain.local_time import in_quiet_hours, start_of_day
from bot.domain.stages import Stage

KIND = "announcement"  # the draft kind that carries an announcement to one person

# Platforms that can deliver a message only the person sees. Bluesky's app view has no
# direct messages in the API used here, so its contacts get no announcement at all.
PRIVATE_CHANNELS = frozenset({"sandbox", "mastodon"})

# Why a contact got no draft, in the order they are checked (the first that applies is given).
NO_PRIVATE_CHANNEL = "no_private_channel"
NO_TOPIC = "no_topic"  # --topic given, and nothing in their memory matches it
ALREADY_WAITING = "announcement_waiting"  # another announcement to them is not sent yet


@dataclass(frozen=True)
class AnnounceRules:
    max_per_day: int = 5  # announcement messages per account per day
    working_hours: tuple[time, time] | None = None  # None: any time of day
    timezone: str = "UTC"
    visibility: Visibility = Visibility.DIRECT


@dataclass(frozen=True)
class Announcement:
    id: str
    account: str
    text: str
    topics: tuple[str, ...]
    status: str  # active, cancelled
    created_at: datetime
    excluded: dict[str, int] = field(default_factory=dict)
    cancelled_at: datetime | None = None


@dataclass(frozen=True)
class AnnouncementResults:
    """What became of an announcement's drafts, and how people answered."""

    drafts: int = 0
    pending: int = 0  # waiting for a person (pending or blocked)
    approved: int = 0  # approved, waiting for their turn to be sent
    sent: int = 0
    cancelled: int = 0  # retired unsent (cancel, reject, expire)
    failed: int = 0
    replies: int = 0  # people who wrote back after it was sent
    opt_outs: int = 0  # people who asked to stop after it was sent


@dataclass(frozen=True)
class Hold:
    """Why an approved announcement message waits, and until when."""

    code: str  # announce_working_hours, announce_daily_cap
    until: datetime
    message: str


def exclusion(
    contact: Contact, memory: ContactMemory, *, min_stage: Stage, platform: str, topics: tuple[str, ...],
) -> str | None:
    """The reason code that leaves this person out before any text is written, or None.

    The codes are the guardrails' own where one applies: the same rules, checked early so that
    no draft is written for someone who could never receive it.
    """
    if reason := contact.not_to_be_written_to:
        return reason
    if contact.stage < min_stage:
        return "pitch_stage"
    if platform not in PRIVATE_CHANNELS:
        # Even when a public post is allowed: an announcement is offered in private first, and a
        # post that answers nothing there would be a broadcast with their name on it.
        return NO_PRIVATE_CHANNEL
    if topics and not matching_interests(memory, topics):
        return NO_TOPIC
    return None


def matching_interests(memory: ContactMemory, topics: tuple[str, ...]) -> list[str]:
    """The interests in their memory that one of `topics` names (accents and case aside)."""
    wanted = {fold_term(topic) for topic in topics if topic.strip()}
    found = []
    for fact in memory.interests:
        words = set(fold_term(fact.text).replace("#", " ").split())
        if wanted & words or fold_term(fact.text).lstrip("#") in wanted:
            found.append(fact.text)
    return found


def ends_with_opt_out(text: str) -> bool:
    """Whether the last paragraph tells the person how to stop these: it names "stop"."""
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return bool(paragraphs) and re.search(r"\bstop\b", fold_term(paragraphs[-1])) is not None


def announcement_visibility(configured: Visibility, usual: Visibility | None) -> Visibility:
    """Never more public than the person's usual exchanges with the account."""
    return configured if usual is None else configured.at_most(usual)


def send_hold(now: datetime, sent_today: int, rules: AnnounceRules) -> Hold | None:
    """Whether an announcement message may go out now, given how many went out today."""
    window = rules.working_hours
    if window and not in_quiet_hours(now, window, rules.timezone):
        until = _next_opening(now, window[0], rules.timezone)
        return Hold("announce_working_hours", until,
                    f"outside working hours {window[0]:%H:%M}-{window[1]:%H:%M} ({rules.timezone})")
    if sent_today >= rules.max_per_day:
        tomorrow = start_of_day(now, rules.timezone) + timedelta(days=1)
        until = _next_opening(tomorrow, window[0], rules.timezone) if window else tomorrow
        return Hold("announce_daily_cap", until,
                    f"{sent_today} announcement messages sent today (limit {rules.max_per_day})")
    return None


def _next_opening(now: datetime, opening: time, zone: str) -> datetime:
    """The next moment the local clock reads `opening`, from `now` on."""
    local = now.astimezone(ZoneInfo(zone))
    candidate = local.replace(hour=opening.hour, minute=opening.minute, second=0, microsecond=0)
    return candidate if candidate >= local else candidate + timedelta(days=1)


def new_announcement_id(now_ms: int | None = None) -> str:
    """`a_` and a ULID, like draft ids: sortable by creation time."""
    return new_ulid("a_", now_ms)
