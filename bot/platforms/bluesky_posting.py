"""Posting replies to Bluesky, exactly once.

Replies go out under a record key derived from the idempotency key (`tid_from_key`): a retry
finds the earlier post with getRecord, and the PDS refuses a second create under that key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any

from atproto_client import models

from bot.domain.models import OutgoingReply, Person, PostedReply
from bot.errors import RemoteNotFoundError, RemoteRejectedError, TransientError
from bot.platforms import bluesky_convert as convert
from bot.platforms.bluesky_session import BlueskySession
from bot.platforms.bluesky_text import build_facets, check_sendable, mentioned_handles, with_mentions
from bot.ports import Clock

CREATE_COST = 3  # write points a record creation costs


class Poster:
    """The posting half of one account's client: its session, and a way to look up profiles."""

    def __init__(
        self, session: BlueskySession, clock: Clock, log: Any, sleep: Callable[[float], None], max_attempts: int,
        lookup_profiles: Callable[[Iterable[str]], dict[str, Person]],
    ) -> None:
        self._session, self._clock, self._log, self._sleep = session, clock, log, sleep
        self._max_attempts = max_attempts
        self._lookup_profiles = lookup_profiles

    @property
    def did(self) -> str:
        return self._session.did

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        """Post under a record key derived from the idempotency key, so that a retry finds the post."""
        reply = dataclasses.replace(reply, text=with_mentions(reply.text, reply.to))
        check_sendable(reply)
        rkey = convert.tid_from_key(reply.idempotency_key)
        earlier = self.find_posted(reply)
        if earlier:
            self._log.info("bluesky.reply_found", draft_id=reply.draft_id, post_id=earlier.post_id)
            return earlier
        record = models.AppBskyFeedPost.Record(
            text=reply.text,
            created_at=self._clock.now().astimezone(UTC).isoformat(timespec="milliseconds"),
            reply=self._reply_ref(reply.in_reply_to),
            facets=build_facets(reply.text, self._mention_dids(reply)) or None,
            langs=[reply.language] if reply.language else None,
        )
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self.did, collection=convert.POST_COLLECTION, rkey=rkey, record=record
        )
        self._session.limits.charge_write(CREATE_COST)
        posted = self._create(data, rkey)
        self._log.info("bluesky.reply_posted", draft_id=reply.draft_id, post_id=posted.post_id,
                       already_posted=posted.already_posted)
        return posted

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        """The record under the key derived from the idempotency key, if an attempt made it."""
        earlier = self._own_post(convert.tid_from_key(reply.idempotency_key))
        return PostedReply(earlier, convert.post_url(earlier), already_posted=True) if earlier else None

    def _create(self, data: Any, rkey: str) -> PostedReply:
        """Create the record; after any failure, look for it before trying again: a timeout may
        hide a success, and the PDS answers a create under a taken key with a 500."""
        create = lambda: self._session.client.com.atproto.repo.create_record(data)  # noqa: E731
        for attempt in range(1, self._max_attempts + 1):
            try:
                created = self._session.call(create, "posting the reply", attempts=1)
                return PostedReply(created.uri, convert.post_url(created.uri))
            except (TransientError, RemoteRejectedError) as error:
                earlier = self._own_post(rkey)
                if earlier:
                    return PostedReply(earlier, convert.post_url(earlier), already_posted=True)
                delay = self._session.delay_after(error, attempt, waited_for_limit=True)
                if delay is None:
                    raise
                self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _own_post(self, rkey: str) -> str | None:
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self.did, collection=convert.POST_COLLECTION, rkey=rkey
        )
        try:
            get = lambda: self._session.client.com.atproto.repo.get_record(params)  # noqa: E731
            return self._session.call(get, "checking for the reply").uri
        except RemoteNotFoundError:
            return None

    def _reply_ref(self, parent_uri: str) -> models.AppBskyFeedPost.ReplyRef:
        """Strong refs (uri + cid) to the post answered and to its thread's root."""
        params = models.AppBskyFeedGetPosts.Params(uris=[parent_uri])
        page = self._session.query("app.bsky.feed.getPosts", params, "reading the post to answer")
        posts = page.get("posts") or []
        if not posts:
            raise RemoteNotFoundError(f"Bluesky: the post to answer is gone: {parent_uri}")
        try:
            return convert.reply_ref(posts[0])
        except convert.UnreadableItemError as exc:
            raise RemoteRejectedError(f"Bluesky: cannot read the post to answer: {exc}") from exc

    def _mention_dids(self, reply: OutgoingReply) -> dict[str, str]:
        """DIDs for the `@handles` in the text: from the reply's recipients, else one profile lookup."""
        known: dict[str, str] = {}
        if len(reply.to) == len(reply.recipient_ids):
            known = {handle.lstrip("@").lower(): did for handle, did in zip(reply.to, reply.recipient_ids)}
        missing = [handle for handle in mentioned_handles(reply.text) if handle not in known]
        if missing:
            found = self._lookup_profiles(missing)
            known.update({key: person.platform_id or "" for key, person in found.items()})
            unresolved = [handle for handle in missing if handle not in known]
            if unresolved:  # they stay plain text: a plain "@handle" notifies nobody
                self._log.warning("bluesky.mention_unresolved", handles=unresolved)
        return known
