"""The built-in sandbox platform: interactions from a JSON Lines file, replies to another.

It is the demo's platform and the way to script any scenario without a network. The events
file may grow while the service runs; the cursor is a byte offset, and a half-written last
line is left for the next poll.
"""

from __future__ import annotations

import hashlib
import json
import os
import reprlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import structlog

from bot.domain.models import (
    Batch, Interaction, InteractionKind, OutgoingReply, Person, Post, PostedReply, Visibility,
)
from bot.errors import PlatformError

BATCH_LINES = 500
# Of a bad value, an error quotes only this much: enough to recognise it, while a 1 MB value
# must not make a 1 MB log line.
QUOTED_CHARS = 40


class EventError(ValueError):
    """One event line that cannot be read; the message says why."""


class SandboxClient:
    platform = "sandbox"
    needs_profile_lookups = False  # every event carries its author

    def __init__(self, *, account: str, handle: str, events: Path, outbox: Path, log: Any = None) -> None:
        self.account = account
        self.handle = handle
        self.events = events
        self.outbox = outbox
        self._log = log or structlog.get_logger().bind(account=account, platform="sandbox")

    def fetch_new(self, cursor: str | None) -> Batch:
        offset, line_no, head = _parse_cursor(cursor)
        with self._open_events() as handle:
            size = os.fstat(handle.fileno()).st_size
            current_head = _head(handle)
            if size < offset or (head and head != current_head):
                # Truncated or replaced: read it all again; ingestion ignores known events.
                what = "sandbox.events_truncated" if size < offset else "sandbox.events_replaced"
                self._log.warning(what, path=str(self.events), offset=offset)
                offset, line_no = 0, 0
            handle.seek(offset)
            return self._read_batch(handle, offset, line_no, current_head)

    def _open_events(self) -> Any:
        """A poll that cannot read its events failed (`run --once` exits 1, `health` counts it)."""
        try:
            return self.events.open("rb")
        except OSError as error:
            raise PlatformError(_unreadable(self.events, error)) from None

    def _read_batch(self, handle: Any, offset: int, line_no: int, head: str) -> Batch:
        found: list[Interaction] = []
        skipped = 0
        for _ in range(BATCH_LINES):
            raw = handle.readline()
            if not raw:
                break
            complete = raw.endswith(b"\n")
            if not complete and not _is_whole_json(raw):
                break  # a writer is mid-line: read it next time
            offset += len(raw)
            line_no += 1
            if not raw.strip():
                continue
            try:
                found.append(parse_event(raw))
            except EventError as error:
                skipped += 1
                self._log.warning("sandbox.bad_event", line=line_no, path=str(self.events), error=str(error))
        more = bool(handle.readline())
        cursor = json.dumps({"offset": offset, "line": line_no, "head": head})
        return Batch(tuple(found), cursor, more=more, skipped=skipped)

    def fetch_history(self, cursor: str | None, since: datetime) -> Batch:
        # The events file is the history: everything in it arrives through fetch_new.
        return Batch((), cursor, more=False)

    def lookup_profile(self, person: Person) -> Person | None:
        """The newest description of this person in the events file."""
        latest: Interaction | None = None
        if not self.events.exists():
            return None
        with self._open_events() as handle:
            for raw in handle:
                try:
                    event = parse_event(raw)
                except EventError:
                    continue
                if event.kind is not InteractionKind.SENT and _same_person(event.person, person):
                    if latest is None or event.at >= latest.at:
                        latest = event
        return latest.person if latest else None

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        existing = self.find_posted(reply)
        if existing is not None:
            return existing
        post_id = "sb-" + hashlib.sha256(reply.idempotency_key.encode()).hexdigest()[:16]
        line = {
            "id": post_id, "in_reply_to": reply.in_reply_to, "to": list(reply.to), "text": reply.text,
            "visibility": reply.visibility.value, "spoiler_text": reply.spoiler_text, "language": reply.language,
            "idempotency_key": reply.idempotency_key,
            "at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        }
        with _open_private(self.outbox) as out:
            # A crash mid-write leaves a line without its newline: never glue a post onto it.
            out.write((b"\n" if _ends_mid_line(out) else b"") + json.dumps(line, ensure_ascii=False).encode() + b"\n")
            out.flush()
            os.fsync(out.fileno())
        return PostedReply(post_id=post_id)

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        if not self.outbox.exists():
            return None
        with self.outbox.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    posted = json.loads(line)
                except ValueError:
                    continue  # a line torn by a crash mid-write was never a post
                if isinstance(posted, dict) and posted.get("idempotency_key") == reply.idempotency_key:
                    return PostedReply(post_id=str(posted.get("id")), already_posted=True)
        return None

    def backoff_until(self) -> datetime | None:
        return None

    def close(self) -> None:
        pass


def _open_private(path: Path) -> Any:
    """The outbox for appending, owner-only from the first byte like the database: it holds
    every reply sent to people, and the umask must not decide who may read them."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_APPEND, 0o600)
    os.chmod(path, 0o600)
    return os.fdopen(fd, "ab+")


def _unreadable(path: Path, error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return f"sandbox events file not found: {path}"
    if isinstance(error, IsADirectoryError):
        return f"sandbox events path is a directory, not a file: {path}"
    return f"cannot read the sandbox events file {path}: {error.strerror or error}"


def _ends_mid_line(handle: Any) -> bool:
    size = handle.seek(0, os.SEEK_END)
    if size == 0:
        return False
    handle.seek(size - 1)
    return handle.read(1) != b"\n"


def _parse_cursor(cursor: str | None) -> tuple[int, int, str]:
    if not cursor:
        return 0, 0, ""
    try:
        data = json.loads(cursor)
        return int(data["offset"]), int(data["line"]), str(data.get("head", ""))
    except (ValueError, KeyError, TypeError):
        return 0, 0, ""


def _head(handle: Any) -> str:
    """A fingerprint of the file's first line: it changes when the file is replaced."""
    handle.seek(0)
    first = handle.readline(4096)
    return hashlib.sha256(first).hexdigest()[:16] if first.endswith(b"\n") else ""


def _is_whole_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return True


def _same_person(a: Person, b: Person) -> bool:
    if a.platform_id and b.platform_id:
        return a.platform_id == b.platform_id
    return a.handle.lower() == b.handle.lower()


def parse_event(raw: bytes | str) -> Interaction:
    """One line of the events file as an Interaction; EventError says what is wrong."""
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise EventError(f"not JSON: {error}") from None
    except RecursionError:
        raise EventError("not JSON this program can read: nested too deeply") from None
    if not isinstance(data, dict):
        raise EventError("an event must be a JSON object")
    kind = _kind(data.get("type"))
    event_id = _text(data, "id", required=True)
    at = _timestamp(data.get("at"))
    post = _post(data["post"]) if isinstance(data.get("post"), dict) else None
    if kind.is_conversation and post is None:
        raise EventError(f"a {kind.value} event needs a 'post' object")
    if kind is InteractionKind.SENT:
        person = Person(platform_id=None, handle=_handle(data.get("to"), "to"))
    else:
        person = _person(data.get("author"))
    return Interaction(id=event_id, kind=kind, at=at, person=person, post=post)


def _quoted(value: object) -> str:
    """The value as repr() quotes it (escaped, so one line), cut to a short prefix."""
    # Cut before quoting: repr() of a whole 1 MB string would be built only to be thrown away;
    # reprlib bounds other JSON values (long lists, deep objects) the same way.
    shown = repr(value[: QUOTED_CHARS + 1]) if isinstance(value, str) else reprlib.repr(value)
    return shown if len(shown) <= QUOTED_CHARS else shown[:QUOTED_CHARS] + "…"


def _kind(value: object) -> InteractionKind:
    try:
        return InteractionKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in InteractionKind)
        raise EventError(f"unknown type {_quoted(value)} (expected one of: {allowed})") from None


def _timestamp(value: object) -> datetime:
    if not isinstance(value, str):
        raise EventError("'at' must be an ISO 8601 time with a zone")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(f"'at' is not an ISO 8601 time: {_quoted(value)}") from None
    if at.tzinfo is None:
        raise EventError(f"'at' needs a time zone: {_quoted(value)}")
    try:
        return at.astimezone(timezone.utc)
    except OverflowError:
        raise EventError(f"'at' is out of range once in UTC: {_quoted(value)}") from None


def _text(data: dict, key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise EventError(f"missing '{key}'")
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise EventError(f"'{key}' must be a string")
    return str(value)


def _handle(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"'{key}' must be a handle")
    return value.strip().removeprefix("@")


def _person(data: object) -> Person:
    if not isinstance(data, dict):
        raise EventError("missing 'author' object")
    return Person(
        platform_id=_text(data, "id") or None, handle=_handle(data.get("handle"), "author.handle"),
        name=_text(data, "name"), bio=_text(data, "bio"), bot=_flag(data, "bot", "author.bot"),
        fields=_fields(data.get("fields")),
    )


def _flag(data: dict, key: str, name: str) -> bool:
    """true, false, or absent (null) for false: "yes" is a mistake to report, not to guess at."""
    value = data.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise EventError(f"'{name}' must be true or false, not a {type(value).__name__}")
    return value


def _fields(value: object) -> tuple[tuple[str, str], ...]:
    """Profile fields as `[{"name": ..., "value": ...}]` or `[[name, value]]`."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise EventError("'author.fields' must be a list")
    fields = []
    for item in value:
        if isinstance(item, dict):
            fields.append((str(item.get("name", "")), str(item.get("value", ""))))
        elif isinstance(item, list) and len(item) == 2:
            fields.append((str(item[0]), str(item[1])))
        else:
            raise EventError("each profile field needs a name and a value")
    return tuple(fields)


def _post(data: dict) -> Post:
    visibility = data.get("visibility") or "public"
    try:
        visibility = Visibility(visibility)
    except ValueError:
        raise EventError(f"unknown visibility {_quoted(visibility)}") from None
    if "text" in data and data["text"] is None:
        raise EventError("'post.text' is null: a post's text must be a string (\"\" if it has none)")
    return Post(
        id=_text(data, "id", required=True), text=_text(data, "text"),
        language=_text(data, "lang") or None, visibility=visibility,
        in_reply_to=_text(data, "in_reply_to") or None, thread=_text(data, "thread") or None,
        url=_text(data, "url") or None, spoiler_text=_text(data, "spoiler_text"),
    )
