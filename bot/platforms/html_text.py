"""Plain text from the HTML that Mastodon-compatible servers send for posts and bios.

Built on the standard library's HTML parser (never regex-stripped tags) and tolerant of broken
markup. It keeps what a reader sees: line breaks, paragraph gaps, `@user@domain` for mention
links, `#tag` for hashtags, shortened links ending in "…", emoji shortcodes as written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import urlsplit

MAX_CHARS = 20_000  # longer texts are cut and end in "…": no post needs more to be answered
_FEED_CHUNK = 8_192
_PARAGRAPHS = frozenset({"p", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED = frozenset({"script", "style", "template"})
_CONTROL_CHARS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def html_to_text(
    html: str | None,
    *,
    mentions: Mapping[str, str] | None = None,
    full_links: bool = False,
    max_chars: int = MAX_CHARS,
) -> str:
    """The text a reader sees in `html`.

    `mentions` maps a mention link's href to the account's full `user@domain` (from a status's
    `mentions` list); without an entry the link's host is taken as the domain. `full_links`
    keeps the hidden parts of shortened links, to compare with the text that was posted.
    """
    if not html:
        return ""
    parser = _TextParser(mentions or {}, full_links, max_chars)
    for start in range(0, len(html), _FEED_CHUNK):
        parser.feed(html[start : start + _FEED_CHUNK])
        if parser.full:
            break
    parser.close()
    return parser.text()


def _classes(attrs: list[tuple[str, str | None]]) -> set[str]:
    return set((dict(attrs).get("class") or "").split())


class _TextParser(HTMLParser):
    def __init__(self, mentions: Mapping[str, str], full_links: bool, max_chars: int) -> None:
        super().__init__(convert_charrefs=True)
        self._mentions = mentions
        self._full_links = full_links
        self._max_chars = max_chars
        self._out: list[str] = []
        self._length = 0
        self._open: list[tuple[str, str]] = []  # (tag, role) of open elements that matter
        # What `_open` holds, counted: markup nested thousands deep (which a remote server may
        # send) is then read in linear time, each tag pushed and popped once.
        self._open_tags: Counter[str] = Counter()
        self._open_roles: Counter[str] = Counter()
        self._mention: tuple[str, list[str]] | None = None  # href, text collected inside
        self.full = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        role = self._role(tag, attrs)
        if tag == "br":
            self._emit("\n")
        elif tag == "img":
            self._emit(dict(attrs).get("alt") or "")
        elif tag in _PARAGRAPHS:
            self._block("\n\n")
        elif tag == "li":
            self._block("\n")
        if role == "mention" and self._mention is None:
            self._mention = ((dict(attrs).get("href") or ""), [])
        if role:
            self._open.append((tag, role))
            self._open_tags[tag] += 1
            self._open_roles[role] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img"):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _PARAGRAPHS:
            self._block("\n\n")
        if not self._open_tags[tag]:
            return  # a stray end tag in broken markup
        while self._open:
            open_tag, _ = self._pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        roles = self._open_roles
        if roles["skip"] or (roles["invisible"] and not self._full_links):
            return
        if not roles["pre"]:
            data = self._collapse_spaces(data)
        if self._mention is not None:
            self._mention[1].append(data)
        else:
            self._emit(data)

    def close(self) -> None:
        if self.rawdata.startswith("<") and ">" not in self.rawdata:
            self.rawdata = ""  # an unterminated tag at the very end: a browser shows nothing of it
        super().close()
        while self._open:
            self._pop()

    def text(self) -> str:
        raw = "".join(self._out).translate(_CONTROL_CHARS)
        lines = [line.strip() for line in raw.split("\n")]
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        text = text.strip()
        if self.full:
            text = text[: self._max_chars].rstrip() + "…"
        return text

    def _role(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        classes = _classes(attrs)
        if tag in _SKIPPED:
            return "skip"
        if tag == "pre":
            return "pre"
        if tag == "a" and "mention" in classes and "hashtag" not in classes:
            return "mention"
        if tag == "span" and "invisible" in classes:
            return "invisible"
        if tag == "span" and "ellipsis" in classes:
            return "ellipsis"
        return ""

    def _pop(self) -> tuple[str, str]:
        tag, role = self._open.pop()
        self._open_tags[tag] -= 1
        self._open_roles[role] -= 1
        self._close(role)
        return tag, role

    def _close(self, role: str) -> None:
        if role == "ellipsis" and not self._full_links:
            self._emit("…")
        elif role == "mention" and self._mention is not None:
            href, parts = self._mention
            self._mention = None
            self._emit(self._mention_text(href, "".join(parts).strip()))

    def _mention_text(self, href: str, shown: str) -> str:
        if shown.count("@") > 1 or not shown.startswith("@"):
            return shown  # already `@user@domain`, or not shaped like a mention at all
        if href in self._mentions:
            return "@" + self._mentions[href]
        host = urlsplit(href).netloc
        return f"{shown}@{host}" if host else shown

    def _collapse_spaces(self, data: str) -> str:
        """Runs of white space read as one space, as a browser shows them."""
        words = data.split()
        lead = " " if data[:1].isspace() and not self._ends_with_space() else ""
        tail = " " if data[-1:].isspace() and words else ""
        return lead + " ".join(words) + tail

    def _ends_with_space(self) -> bool:
        last = self._mention[1] if self._mention is not None else self._out
        return not last or last[-1][-1:].isspace()

    def _block(self, separator: str) -> None:
        if self._out and not "".join(self._out[-2:]).endswith(separator):
            self._emit(separator)

    def _emit(self, text: str) -> None:
        if self.full or not text:
            return
        self._out.append(text)
        self._length += len(text)
        if self._length > self._max_chars:
            self.full = True
