"""Sandbox event lines for the property tests: well-formed events carrying hostile text, each
corruption that makes one unreadable, and lines that are not events at all.

A well-formed event is one of INTERFACES.md's shapes. Its ids and handle end in a `+N` tag the
caller picks, so that the events of one batch never collide; everything else is drawn.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from tests.property.hostile import (
    BAD_TIMES, BIDI_CONTROLS, C0, DEPTHS, ZERO_WIDTH, hostile_text, identifier, iso_time, json_values,
    nested_json, nested_json_text,
)

CONVERSATIONS = ("mention", "reply", "quote")
SIGNALS = ("follow", "like", "repost")
LANGUAGES = st.one_of(st.none(), st.sampled_from(("es", "en", "pt-BR", "zh_Hant")), hostile_text(2))
VISIBILITIES = st.sampled_from((None, "public", "unlisted", "private", "direct"))


def handle(tag: str) -> st.SearchStrategy[str]:
    return st.builds(lambda user, domain, at: f"{at}{user}@{domain}", identifier(f"+h{tag}"),
                     identifier(".example"), st.sampled_from(("", "@")))


@st.composite
def post(draw: st.DrawFn, tag: str, text: st.SearchStrategy[str]) -> dict[str, Any]:
    return {
        "id": draw(identifier(f"+p{tag}")), "text": draw(text), "lang": draw(LANGUAGES),
        "visibility": draw(VISIBILITIES),
        "in_reply_to": draw(st.none() | identifier(f"+r{tag}")),
        "thread": draw(st.none() | identifier(f"+t{tag}")),
        "url": draw(st.none() | hostile_text(4)), "spoiler_text": draw(hostile_text(3)),
    }


@st.composite
def author(draw: st.DrawFn, tag: str, text: st.SearchStrategy[str]) -> dict[str, Any]:
    fields = st.lists(st.fixed_dictionaries({"name": hostile_text(3), "value": text}), max_size=2)
    return {
        "id": draw(st.none() | identifier(f"+u{tag}")), "handle": draw(handle(tag)),
        "name": draw(text), "bio": draw(text), "bot": draw(st.none() | st.booleans()),
        "fields": draw(st.none() | fields),
    }


@st.composite
def good_event(draw: st.DrawFn, tag: str = "0", text: st.SearchStrategy[str] | None = None) -> dict[str, Any]:
    """A well-formed event of any type, its free text drawn from `text` (hostile by default)."""
    text = text if text is not None else hostile_text()
    kind = draw(st.sampled_from((*CONVERSATIONS, *SIGNALS, "sent")))
    event: dict[str, Any] = {"id": draw(identifier(f"+n{tag}")), "type": kind, "at": draw(iso_time())}
    if kind == "sent":
        event["to"] = draw(handle(tag))
    else:
        event["author"] = draw(author(tag, text))
    if kind in (*CONVERSATIONS, "sent") or draw(st.booleans()):
        event["post"] = draw(post(tag, text))
    if draw(st.booleans()):  # fields no reader knows are ignored, whatever they hold
        event[draw(st.sampled_from(("extra", "_meta", "")))] = draw(json_values)
    return event


def _person_path(event: dict[str, Any]) -> tuple[str, ...]:
    return ("to",) if event["type"] == "sent" else ("author", "handle")


@st.composite
def corruption(draw: st.DrawFn, event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One change that makes a well-formed event unreadable or unstorable: (what, the event)."""
    event = json.loads(json.dumps(event))
    person = _person_path(event)
    changes = _changes(event, person)
    what = draw(st.sampled_from(sorted(changes)))
    path, value = changes[what]
    if value is _MISSING:
        _parent(event, path).pop(path[-1], None)
    else:
        _parent(event, path)[path[-1]] = draw(value)
    return what, event


_MISSING = object()
_KINDS = ("mention", "reply", "quote", "follow", "like", "repost", "sent")
# A character that has no place in an identifier: a control, a bidi control or a zero-width one.
_INVISIBLE = st.sampled_from(BIDI_CONTROLS + ZERO_WIDTH + C0.replace(" ", "") + "\x85\x9b\u2028\u2029")
_NOT_TEXT = json_values.filter(lambda v: not isinstance(v, str))


def _changes(event: dict[str, Any], person: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], Any]]:
    """Each corruption that applies to `event`: the path it changes, and the value it puts there."""
    changes: dict[str, tuple[tuple[str, ...], Any]] = {
        "missing id": (("id",), _MISSING),
        "missing type": (("type",), _MISSING),
        "missing at": (("at",), _MISSING),
        "missing person": (person[:1], _MISSING),
        "missing handle": (person, _MISSING),
        "unknown type": (("type",), hostile_text(3).filter(lambda t: t not in _KINDS)),
        "mistyped type": (("type",), json_values.filter(lambda v: v not in _KINDS)),
        "bad time": (("at",), st.sampled_from(BAD_TIMES)),
        "mistyped time": (("at",), _NOT_TEXT),
        "mistyped id": (("id",), _NOT_TEXT.filter(lambda v: not isinstance(v, int) or isinstance(v, bool))),
        "mistyped handle": (person, _NOT_TEXT),
        "long id": (("id",), st.integers(513, 5_000).map(lambda n: "i" * n)),
        "long handle": (person, st.integers(256, 5_000).map(lambda n: "h" * n + "@x.example")),
        "id with a control": (("id",), _INVISIBLE.map(lambda c: _spliced(event["id"], c))),
        "handle with a control": (person, _INVISIBLE.map(lambda c: _spliced(_get(event, person), c))),
        "deeply nested handle": (person, DEPTHS.map(lambda depth: nested_json(min(depth, 900)))),
    }
    if event["type"] != "sent":
        changes["bot as text"] = (("author", "bot"), st.sampled_from(("yes", "false", 1, 0, [])))
        changes["mistyped author"] = (("author",), json_values.filter(lambda v: not isinstance(v, dict)))
        changes["mistyped fields"] = (("author", "fields"),
                                      json_values.filter(lambda v: v is not None and not isinstance(v, list)))
    if "post" in event:
        changes["missing post id"] = (("post", "id"), _MISSING)
        changes["null text"] = (("post", "text"), st.none())
        changes["unknown visibility"] = (("post", "visibility"), hostile_text(3).filter(
            lambda v: v not in ("", "public", "unlisted", "private", "direct")))
        changes["long post id"] = (("post", "id"), st.integers(513, 5_000).map(lambda n: "p" * n))
    if event["type"] in (*CONVERSATIONS, "sent"):
        changes["missing post"] = (("post",), _MISSING)
        changes["mistyped post"] = (("post",), json_values.filter(lambda v: not isinstance(v, dict)))
    return changes


def _parent(event: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path[:-1]:
        event = event[key]
    return event


def _get(event: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        event = event[key]
    return event


def _spliced(value: str, char: str) -> str:
    """`char` inside `value`, never at an end where stripping white space would remove it."""
    middle = max(1, len(value) // 2)
    return value[:middle] + char + value[middle:] if len(value) > 1 else f"a{char}{value}"


def line(event: Any, *, ascii_only: bool = True) -> bytes:
    """One line of the events file. Without `ascii_only`, lone surrogates are written as the
    bytes a careless writer would produce (CESU-like, not UTF-8): that line cannot be read."""
    text = json.dumps(event, ensure_ascii=ascii_only)
    return text.encode("utf-8", "surrogatepass") + b"\n"


not_an_event = st.one_of(
    st.sampled_from((b"[]", b"42", b'"event"', b"null", b"true", b"{", b'{"id": "n-1",', b"\xff\xfe\x00",
                     b'{"id": "\xc3\x28"}', b"\x1b[2J\x1b]0;pwned\x07", b"<script>alert(1)</script>")),
    st.binary(max_size=40).filter(lambda b: b"\n" not in b and b.strip()),
    json_values.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),
    DEPTHS.map(lambda depth: nested_json_text(depth).encode()),
).map(lambda raw: raw + b"\n")
