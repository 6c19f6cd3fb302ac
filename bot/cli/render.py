"""Showing other people's words safely, and the JSON shapes scripts rely on.

Text from the network may carry terminal escape sequences (to recolour, retitle or rewrite the
screen), control characters and bidirectional overrides (to disguise what it says). All of it
is removed before anything reaches the terminal; Rich markup in it is shown literally.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from bot.domain.slots import needs_input

if TYPE_CHECKING:  # Rich is imported by what prints with it, not by what prints JSON
    from rich.text import Text

    from bot.domain.drafts import Draft, ReplyTarget

_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST (titles, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI sequences (colours, cursor moves)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x1b[@-Z\\-_]?"  # any other escape
)
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and newline) and C1 controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u2028\u2029]"
)
# Half of a UTF-16 pair, alone: no terminal encoding can print it, so print() would raise.
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")

# What json.dumps(ensure_ascii=False) leaves raw but a terminal acts on: DEL, C1 (U+009B is the
# 8-bit CSI), bidi controls and the line/paragraph separators. C0 is not listed: json escapes it
# inside strings already, and the newlines of `indent` outside strings must stay.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def json_text(data: Any, *, indent: int | None = None) -> str:
    """JSON for --json: readable non-ASCII text, but nothing a terminal would act on.

    Outside strings json.dumps writes only ASCII, so every such character is inside a string, never
    after an escaping backslash; written as \\uXXXX it is the same JSON, and loads to the same data.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def safe(text: object, *, single_line: bool = False) -> str:
    """Text fit for a terminal: no escapes, no control or bidi-override characters."""
    cleaned = _CONTROLS.sub("", _ESCAPES.sub("", "" if text is None else str(text)))
    cleaned = _LONE_SURROGATES.sub("\ufffd", cleaned)
    if single_line:
        cleaned = " ".join(cleaned.split())
    return cleaned


def safe_text(text: object, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich Text (never parsed as markup) holding sanitised text."""
    from rich.text import Text

    return Text(safe(text, single_line=single_line), style=style)


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def mentions(draft: Draft) -> list[str]:
    """`@handle` for each person the reply names: the adapters start the text with these."""
    return ["@" + handle.lstrip("@") for handle in draft.recipients]


def message_json(target: ReplyTarget) -> dict[str, Any]:
    return {"id": target.post_id, "text": target.text, "url": target.url, "category": target.category,
            "visibility": target.visibility, "spoiler_text": target.spoiler_text, "at": timestamp(target.at)}


def draft_json(draft: Draft, folded: list[ReplyTarget] | None = None) -> dict[str, Any]:
    """The draft shape of INTERFACES.md, plus a few added fields. `visibility`, `spoiler_text`
    and `mentions` are what goes out; `folded` (when given) the earlier messages it stands for."""
    decision = draft.decision
    target = draft.target
    data = {
        "id": draft.id, "account": draft.account, "platform": draft.platform,
        "status": draft.status.value,
        "contact": {"handle": draft.contact_handle, "stage": draft.contact_stage or decision.stage},
        "in_reply_to": message_json(target) if target else None,
        "text": draft.text, "language": draft.language, "visibility": draft.reply_visibility.value,
        "spoiler_text": draft.spoiler_text, "mentions": mentions(draft), "folded_count": len(draft.folded),
        "decision": {
            "allowed": decision.allowed, "pitch": decision.pitch, "outcome": decision.outcome.value,
            "needs_input": decision.needs_input,
            "reasons": [{"code": r.code, "message": r.message, "outcome": r.outcome.value}
                        for r in decision.reasons],
        },
        "created_at": timestamp(draft.created_at), "updated_at": timestamp(draft.updated_at),
        "not_before": timestamp(draft.not_before), "sent_post_id": draft.sent_post_id,
        "sent_at": timestamp(draft.sent_at), "attempts": draft.attempts, "note": draft.note,
        "kind": draft.kind, "origin": draft.origin, "origin_note": draft.origin_note,
        "announcement": draft.announcement,
        "needs_input": needs_input(draft.text),
    }
    if folded is not None:
        data["folded"] = [message_json(message) for message in folded]
    return data
