"""The drafting pass hands the drafter only the follow-ups that fit: none under sad or worried
words, and none another draft to the same person already asks about; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.decisions import Decision
from bot.domain.drafts import Draft, DraftStatus, new_draft_id
from bot.domain.memory import ContactMemory, Fact, FactKind
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.drafting.template import TemplateDrafter
from bot.services.drafting import draft_replies
from bot.services.ingest import poll_account
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings())
ANA = Person("u-ana", "ana@social.example", "Ana")
JO = Person("u-jo", "jo@fedi.example", "Jo")


class Remembering:
    """The template drafter, keeping the memory it was handed for each message."""

    name = "remembering"

    def __init__(self) -> None:
        self.inner, self.seen = TemplateDrafter(), []

    def suggest(self, contact: Any, target: Any, language: str | None, memory: ContactMemory) -> list[Any]:
        self.seen.append(memory)
        return self.inner.suggest(contact, target, language, memory)


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


def arrive(store: SqlAlchemyStore, platform: FakePlatform, clock, n: int, text: str, *, person: Person = ANA, language: str = "es",  # noqa: ANN001
           spoiler: str = "") -> None:
    post = Post(f"p-{n}", text, language, spoiler_text=spoiler)
    platform.push(Interaction(f"n-{n}", InteractionKind.MENTION, clock.now(), person, post))
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())


def remember(store: SqlAlchemyStore, clock, text: str, language: str, *, person: Person = ANA) -> int:  # noqa: ANN001
    """A plan of theirs whose day was two days ago; the contact's id."""
    with store.unit_of_work() as uow:
        contact = uow.contacts.find(person.handle)[0]
        uow.contacts.add_fact(contact.id, Fact(FactKind.OPEN_THREAD, text, "message:1", clock.now() - timedelta(days=9),
                                               language, clock.now() - timedelta(days=2)))
        uow.commit()
    return contact.id


def drafts(store: SqlAlchemyStore, status: DraftStatus = DraftStatus.PENDING) -> list[Draft]:
    with store.unit_of_work() as uow:
        return [d for d in uow.drafts.list(status) if d.kind == "reply"]


def run(store: SqlAlchemyStore, clock, drafter: Any, **options: Any) -> None:  # noqa: ANN001
    draft_replies(store, drafter, "demo", "sandbox", clock=clock, policy=POLICY, log=RecordingLog(), **options)


def add_draft(store: SqlAlchemyStore, contact_id: int, text: str, status: DraftStatus, at: datetime) -> None:
    draft = Draft(id=new_draft_id(), account="demo", platform="sandbox", contact_id=contact_id,
                  contact_handle=ANA.handle, target=None, text=text, language="es", status=status,
                  decision=Decision(results=()), created_at=at, updated_at=at, kind="checkin",
                  sent_at=at if status is DraftStatus.SENT else None)
    with store.unit_of_work() as uow:
        uow.drafts.add(draft)
        uow.commit()


@pytest.mark.parametrize(("text", "spoiler", "language", "plan"), [
    ("Se me han muerto las tomateras, todas. Tanto cuidarlas...", "", "es", "la maratón de Valencia"),
    ("Las tomateras no aguantaron el granizo de anoche", "malas noticias", "es", "la maratón de Valencia"),
    ("Mañana operan a mi padre y estoy muy nerviosa", "", "es", "la maratón de Valencia"),
    ("My grandmother passed away on Sunday.", "", "en", "the Berlin marathon"),
    ("The tomatoes did not make it through the hail", "cw: loss", "en", "the Berlin marathon"),
])
def test_after_sad_or_worried_words_the_reply_asks_about_nothing_else(
    store, platform, clock, text: str, spoiler: str, language: str, plan: str,  # noqa: ANN001
) -> None:
    arrive(store, platform, clock, 1, "Hola, ¿qué tal?" if language == "es" else "Hi, how are you?", language=language)
    remember(store, clock, plan, language)
    clock.advance(minutes=5)
    arrive(store, platform, clock, 2, text, language=language, spoiler=spoiler)
    drafter = Remembering()
    run(store, clock, drafter)
    assert drafter.seen and drafter.seen[-1].open_threads == () and drafter.seen[-1].interests == ()
    [reply] = drafts(store)
    assert "marat" not in reply.text.lower()


@pytest.mark.parametrize(("text", "language", "plan"), [
    ("¡Hola! Ya estoy de vuelta del viaje", "es", "la maratón de Valencia"),
    ("Hi! Back from the trip at last", "en", "the Berlin marathon"),
])
def test_a_plan_is_followed_up_in_one_draft_and_not_again_while_it_waits(
    store, platform, clock, text: str, language: str, plan: str,  # noqa: ANN001
) -> None:
    arrive(store, platform, clock, 1, text, language=language)
    contact_id = remember(store, clock, plan, language)
    run(store, clock, TemplateDrafter())
    [first] = drafts(store)
    assert "marat" in first.text.lower()  # everyday words: the plan is asked about
    # A check-in asking about it waits too: the next reply must not ask a second time.
    add_draft(store, contact_id, first.text, DraftStatus.PENDING, clock.now())
    clock.advance(minutes=3)
    arrive(store, platform, clock, 2, text + "!", language=language)
    run(store, clock, TemplateDrafter())
    [second] = drafts(store)  # it replaced the first reply (folding), not the check-in
    assert second.id != first.id and "marat" not in second.text.lower()


def test_a_reply_that_folds_the_waiting_one_in_may_keep_its_follow_up(store, platform, clock) -> None:  # noqa: ANN001
    """The waiting reply is replaced, so its follow-up is not used up: the new one may ask."""
    arrive(store, platform, clock, 1, "¡Hola! Ya estoy de vuelta del viaje")
    remember(store, clock, "la maratón de Valencia", "es")
    run(store, clock, TemplateDrafter())
    clock.advance(minutes=3)
    arrive(store, platform, clock, 2, "Por cierto, ¿viste las fotos del viaje?")
    run(store, clock, TemplateDrafter())
    [latest] = drafts(store)
    assert "marat" in latest.text.lower()


def test_a_sent_follow_up_waits_out_the_cooldown(store, platform, clock) -> None:  # noqa: ANN001
    arrive(store, platform, clock, 1, "Hola, ¿qué tal?")
    contact_id = remember(store, clock, "la maratón de Valencia", "es")
    add_draft(store, contact_id, "¿Qué tal fue la maratón de Valencia?", DraftStatus.SENT, clock.now() - timedelta(days=5))
    run(store, clock, TemplateDrafter(), followup_cooldown=timedelta(days=30))
    [reply] = drafts(store)
    assert "marat" not in reply.text.lower()

    clock.advance(days=26)  # 31 days since it was sent
    arrive(store, platform, clock, 2, "¡Hola! Ya estoy de vuelta del viaje")
    run(store, clock, TemplateDrafter(clock=clock), followup_cooldown=timedelta(days=30))
    [again] = drafts(store)
    assert "marat" in again.text.lower()


def test_a_follow_up_to_one_person_does_not_use_it_up_for_another(store, platform, clock) -> None:  # noqa: ANN001
    arrive(store, platform, clock, 1, "Hi, how are you?", person=JO, language="en")
    remember(store, clock, "the Berlin marathon", "en", person=JO)
    arrive(store, platform, clock, 2, "Hola, ¿qué tal?")
    contact_id = remember(store, clock, "la maratón de Berlín", "es")
    add_draft(store, contact_id, "¿Qué tal la maratón de Berlín?", DraftStatus.PENDING, clock.now())
    run(store, clock, TemplateDrafter())
    jo = next(d for d in drafts(store) if d.contact_handle == JO.handle)
    assert "marathon" in jo.text.lower()
