"""The text of a Bluesky post going out: the limits it must fit, and the facets that make its
links, tags and mentions live (a plain "@handle" notifies nobody).

Pure functions of their arguments, like `bluesky_convert`: `bluesky.py` does the calls.
"""

from __future__ import annotations

import regex
from atproto_client import models
from atproto_client.utils import facet_detection

from bot.domain.models import OutgoingReply, Visibility
from bot.errors import InvalidInputError

MAX_GRAPHEMES = 300
MAX_POST_BYTES = 3000  # the lexicon's second limit: 300 emoji sequences can exceed it


def check_length(text: str) -> None:
    """Refuse a text Bluesky would refuse, before anyone approves it: never truncate."""
    if not text.strip():
        raise InvalidInputError("A Bluesky post cannot be empty.")
    graphemes = len(regex.findall(r"\X", text))
    if graphemes > MAX_GRAPHEMES:
        raise InvalidInputError(
            f"Bluesky posts are limited to {MAX_GRAPHEMES} characters; this text has {graphemes}. "
            "Shorten it: rapport never truncates."
        )
    if len(text.encode("utf-8")) > MAX_POST_BYTES:
        raise InvalidInputError(
            f"Bluesky posts are limited to {MAX_POST_BYTES} bytes of UTF-8; shorten this text "
            "(emoji sequences count for many bytes)."
        )


def check_sendable(reply: OutgoingReply) -> None:
    check_length(reply.text)
    if reply.visibility is not Visibility.PUBLIC:
        raise InvalidInputError(
            f"Bluesky posts are always public; this reply is meant to be {reply.visibility.value}."
        )
    if reply.spoiler_text:
        raise InvalidInputError("Bluesky has no content warnings; remove the spoiler text to post there.")


def mentioned_handles(text: str) -> list[str]:
    return [match.handle.lower() for match in facet_detection.detect_mentions(text)]


def with_mentions(text: str, handles: tuple[str, ...]) -> str:
    """The text starting with `@handle` for each person to notify it does not mention yet: the
    facet built from it is what notifies them, as on Mastodon where the adapter does the same."""
    present = set(mentioned_handles(text))
    missing = [h.lstrip("@") for h in handles if h.lstrip("@").lower() not in present]
    return " ".join(f"@{h}" for h in missing) + (" " if missing else "") + text


def build_facets(text: str, dids: dict[str, str]) -> list[models.AppBskyRichtextFacet.Main]:
    """Links, tags, and a mention facet for each `@handle` whose DID is known.

    Offsets are UTF-8 byte offsets, as the lexicon requires: an accent or an emoji before a
    mention moves it by more bytes than characters.
    """
    facets = list(facet_detection.detect_facets(text))
    for match in facet_detection.detect_mentions(text):
        did = dids.get(match.handle.lower())
        if did:
            facets.append(
                models.AppBskyRichtextFacet.Main(
                    features=[models.AppBskyRichtextFacet.Mention(did=did)],
                    index=models.AppBskyRichtextFacet.ByteSlice(
                        byte_start=match.byte_start, byte_end=match.byte_end
                    ),
                )
            )
    return sorted(facets, key=lambda facet: facet.index.byte_start)
