"""What a page of incoming interactions says, worked out before the write transaction opens.

Guessing a language, classifying a message (pitch? opt-out? question?) and mining it for open
threads and topics are pure computation on the text, and the costliest part of storing it.
Done here, page by page and outside any transaction, the write lock is held only for writing,
and the encoder reads a whole page's unsure messages in one call.

Every step reads a bounded part of a long message (`ANALYSED_CHARACTERS`): what a person wrote
beyond several thousand characters adds nothing a reply needs, while a megabyte-long message
must not cost a minute. One read stays whole: the opt-out cues (a request to stop counts
wherever it is written). The outgoing guardrail is not touched by this bound: it reads every
draft whole.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain.categories import Category, categorize, is_opt_out
from bot.domain.memory import Fact
from bot.domain.models import Direction, Interaction
from bot.services.deciding import Policy
from bot.services.memory import message_facts

ANALYSED_CHARACTERS = 20_000


@dataclass(frozen=True)
class Reading:
    """One interaction, its language guessed if untagged, and what it says."""

    interaction: Interaction
    category: str | None = None  # incoming talk only
    facts: tuple[Fact, ...] | None = None  # to remember: genuine incoming talk only
    analysed: bool = True  # False: left unread because it was already stored (a re-poll)

    @property
    def genuine(self) -> bool:
        """Incoming talk worth remembering and answering: neither a pitch nor a request to stop."""
        return self.facts is not None


def inbound_talk(interaction: Interaction) -> bool:
    return interaction.kind.is_conversation and interaction.direction is Direction.INBOUND


def prepare_page(interactions: list[Interaction], policy: Policy) -> None:
    """Classify a page's incoming messages at once (the encoder reads the unsure ones in one batch)."""
    policy.prepare_incoming(
        (bounded(i.post.text), i.post.language) for i in interactions if i.post is not None and inbound_talk(i)
    )


def read(interaction: Interaction, policy: Policy) -> Reading:
    """The interaction with its language, and for incoming talk its category and what to remember."""
    interaction = with_language(interaction)
    post = interaction.post
    if post is None or not inbound_talk(interaction):
        return Reading(interaction)
    pitch = policy.classify_incoming(bounded(post.text), post.language)
    category = categorize_long(post.text, is_pitch=pitch.pitch).value
    if category in (Category.PITCH.value, Category.OPT_OUT.value):
        return Reading(interaction, category)
    facts = message_facts(replace(post, text=bounded(post.text)), interaction.id, interaction.at)
    return Reading(interaction, category, tuple(facts))


def categorize_long(text: str, *, is_pitch: bool) -> Category:
    """`categorize`, with the shape of a long message judged from its start: an opt-out anywhere
    in it still counts."""
    if len(text) <= ANALYSED_CHARACTERS:
        return categorize(text, is_pitch=is_pitch)
    if is_opt_out(text):
        return Category.OPT_OUT
    return categorize(bounded(text), is_pitch=is_pitch)


def with_language(interaction: Interaction) -> Interaction:
    post = interaction.post
    if post is None or post.language or not post.text.strip():
        return interaction
    from bot.language import guess_language

    return replace(interaction, post=replace(post, language=guess_language(bounded(post.text))))


def bounded(text: str) -> str:
    """The start of a long text, cut at a space so that no word is cut in two."""
    if len(text) <= ANALYSED_CHARACTERS:
        return text
    start = text[:ANALYSED_CHARACTERS]
    space = start.rfind(" ", ANALYSED_CHARACTERS // 2)
    return start[:space] if space > 0 else start
