"""Ingesting reads each page before its write transaction, reads a bounded part of a long
message, makes a bounded number of statements per message, and never reads a stored event
again; what is stored and remembered stays what it was."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

import bot.services.reading as reading
from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.memory import TOPIC_SOURCE
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.services.deciding import Policy
from bot.services.ingest import poll_account
from bot.services.memory import MAX_TOPICS
from bot.services.reading import ANALYSED_CHARACTERS, bounded
from bot.store.schema import facts, interactions
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings())
ANA = Person("u-ana", "ana@social.example", "Ana", "Huerto urbano y cerámica.")


def mention(event_id: str, at, text: str, person: Person = ANA, language: str | None = "es") -> Interaction:  # noqa: ANN001
    return Interaction(event_id, InteractionKind.MENTION, at, person, Post(f"p-{event_id}", text, language))


def poll(store, platform: FakePlatform, clock):  # noqa: ANN001, ANN201
    return poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())


def remembered(store) -> list[tuple[str, str]]:  # noqa: ANN001
    with store.engine.connect() as connection:
        return [(r.source, r.text) for r in connection.execute(select(facts).order_by(facts.c.id))]


def test_classifying_and_mining_run_before_the_write_transaction_opens(store, clock, monkeypatch) -> None:  # noqa: ANN001
    open_writers = []
    real_unit_of_work = store.unit_of_work

    @contextmanager
    def tracked(read_only: bool = False):  # noqa: ANN202
        with real_unit_of_work(read_only) as uow:
            open_writers.append(not read_only)
            try:
                yield uow
            finally:
                open_writers.pop()

    calls = []

    def spy(name, real):  # noqa: ANN001, ANN202
        def wrapped(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls.append((name, any(open_writers)))
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(store, "unit_of_work", tracked)
    monkeypatch.setattr(reading, "message_facts", spy("facts", reading.message_facts))
    monkeypatch.setattr(reading, "categorize", spy("categorize", reading.categorize))
    monkeypatch.setattr(Policy, "classify_incoming", spy("classify", Policy.classify_incoming))
    platform = FakePlatform()
    platform.push(mention("n-1", clock.now(), "Mañana empiezo el curso de cerámica, ¿tú qué tal?", language=None),
                  mention("n-2", clock.now(), "Gracias por el enlace sobre el huerto urbano"))
    assert poll(store, platform, clock).stored == 2
    assert {name for name, _ in calls} == {"facts", "categorize", "classify"}
    assert not any(inside for _, inside in calls), calls
    assert remembered(store)  # the readings were written


def test_a_long_message_is_read_from_its_start_but_stored_whole(store, clock, monkeypatch) -> None:  # noqa: ANN001
    seen: list[int] = []
    real_topics = __import__("bot.keywords", fromlist=["topics"]).topics
    monkeypatch.setattr("bot.keywords.topics", lambda text, *a, **k: seen.append(len(text)) or real_topics(text, *a, **k))
    start = "Estoy aprendiendo cerámica en un taller del barrio. " * 10
    text = start + "relleno " * (ANALYSED_CHARACTERS // 4) + " Submarinismo profesional."
    platform = FakePlatform()
    platform.push(mention("n-long", clock.now(), text, language=None))
    poll(store, platform, clock)
    with store.engine.connect() as connection:
        row = connection.execute(select(interactions).where(interactions.c.event_id == "n-long")).one()
    assert row.text == text and row.language == "es"
    assert seen and max(seen) <= ANALYSED_CHARACTERS
    topics = [t for source, t in remembered(store) if source == TOPIC_SOURCE]
    assert topics and not any("ubmarinismo" in t for t in topics)


def test_a_request_to_stop_counts_anywhere_in_a_long_message(store, clock) -> None:  # noqa: ANN001
    text = "Hola, te cuento una historia larga. " * (ANALYSED_CHARACTERS // 20) + "Por favor, dejad de escribirme."
    assert len(bounded(text)) < len(text)
    platform = FakePlatform()
    platform.push(mention("n-stop", clock.now(), text))
    poll(store, platform, clock)
    with store.engine.connect() as connection:
        row = connection.execute(select(interactions).where(interactions.c.event_id == "n-stop")).one()
    assert row.category == "opt_out" and row.draft_state == "pending"
    assert remembered(store) == [(s, t) for s, t in remembered(store) if s in {"bio", "fields", "hashtag"}]


def test_bounded_cuts_at_a_space_and_leaves_short_texts_alone() -> None:
    assert bounded("hola mundo") == "hola mundo"
    long = "palabra " * ANALYSED_CHARACTERS
    cut = bounded(long)
    assert len(cut) <= ANALYSED_CHARACTERS and long.startswith(cut) and cut.endswith("palabra")
    assert len(bounded("x" * (ANALYSED_CHARACTERS * 2))) == ANALYSED_CHARACTERS  # no space: a hard cut


def test_a_re_poll_reads_no_stored_event_again_and_stores_nothing_twice(store, clock, monkeypatch) -> None:  # noqa: ANN001
    messages = [mention(f"n-{n}", clock.now() + timedelta(minutes=n), f"¿Qué tal el huerto? Vamos por la semana {n}")
                for n in range(5)]
    platform = FakePlatform()
    platform.push(*messages)
    assert poll(store, platform, clock).stored == 5
    before = remembered(store)
    read_again = []
    monkeypatch.setattr(reading, "message_facts", lambda *a: read_again.append(a) or [])
    platform.push(*messages, mention("n-new", clock.now() + timedelta(hours=1), "Otra cosa: ¿vienes al taller?"))
    report = poll(store, platform, clock)
    assert (report.stored, report.duplicates) == (1, 5)
    assert len(read_again) == 1  # only the new one
    assert remembered(store) == before


def test_an_event_no_longer_stored_when_written_is_read_then(store, clock, monkeypatch) -> None:  # noqa: ANN001
    """Known when the page was read, gone (forgotten) by the write: classified as any new one."""
    platform = FakePlatform()
    platform.push(mention("n-1", clock.now(), "¿Qué tal el huerto urbano?"))
    poll(store, platform, clock)
    from bot.store.interactions import InteractionRepository

    real_stored = InteractionRepository.stored_events
    calls = iter([True, False])

    def first_says_stored(self, account, ids):  # noqa: ANN001, ANN202
        return set(ids) if next(calls, False) else real_stored(self, account, ids)

    with store.engine.begin() as connection:
        connection.execute(interactions.delete())
    monkeypatch.setattr(InteractionRepository, "stored_events", first_says_stored)
    platform.push(mention("n-1", clock.now(), "¿Qué tal el huerto urbano?"))
    assert poll(store, platform, clock).stored == 1
    with store.engine.connect() as connection:
        row = connection.execute(select(interactions)).one()
    assert row.category == "question" and row.draft_state == "pending"


def test_known_facts_and_kept_topics_are_as_counted_from_the_store(store, clock) -> None:  # noqa: ANN001
    subjects = ["cerámica", "fotografía analógica", "huerto urbano", "ajedrez", "escalada", "violín",
                "repostería", "astronomía", "jardinería", "ciclismo", "natación", "bordado", "ukelele"]
    platform = FakePlatform()
    platform.push(*[mention(f"n-{n}", clock.now() + timedelta(days=n), f"Este mes estoy leyendo mucho sobre {s}, ¿sabes algo?")
                    for n, s in enumerate(subjects)])
    poll(store, platform, clock)
    with store.unit_of_work() as uow:
        [contact] = uow.contacts.find("ana@social.example")
        stored = uow.contacts.facts(contact.id)
    assert sum(f.source == TOPIC_SOURCE for f in stored) == MAX_TOPICS
    assert contact.counters.known_facts == sum(f.source != TOPIC_SOURCE for f in stored) > 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_message_costs_a_bounded_number_of_statements(store, clock) -> None:  # noqa: ANN001
    """Per-row reads creeping back into ingestion (a contact or facts read per step) show here."""
    people = [Person(f"u-{n}", f"p{n}@social.example", f"P{n}", "Huerto urbano.") for n in range(20)]
    platform = FakePlatform()
    platform.push(*[mention(f"n-{n}", clock.now() + timedelta(minutes=n), "¿Qué tal el huerto urbano?", people[n % 20])
                    for n in range(60)])
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        assert poll(store, platform, clock).stored == 60
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    assert len(statements) / 60 <= 13, len(statements)  # 12.5 when written
