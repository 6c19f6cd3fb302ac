"""How many drafts per second the template drafter makes on one core. Target: >= 1,000.

Inputs are realistic: the non-pitch messages of tests/data/pitch_{es,en}.jsonl (Spanish and
English, as people write them), categorised as the ingest step does, from 300 contacts whose
memory is empty for some, and holds open threads (past, upcoming, undated) and interests for
others; one draft in ten is a check-in; one message in twenty comes without a language tag, so
the language is guessed. Every call asks for the full three suggestions.

Run: python benchmarks/drafting_throughput.py [--drafts N]  (exits 1 when below the target)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.domain.categories import categorize  # noqa: E402
from bot.domain.contacts import Contact  # noqa: E402
from bot.domain.drafts import ReplyTarget  # noqa: E402
from bot.domain.memory import ContactMemory, Fact, FactKind  # noqa: E402
from bot.drafting.template import TemplateDrafter  # noqa: E402

TARGET_PER_SECOND = 1_000
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
NAMES = ["Ana García", "Tom", "Lucía", "Priya Shah", "Jordi", "", "Mei", "Carlos Ruiz", "Sam", "Inés"]
THREADS = {"es": ["el recital", "la mudanza a Lisboa", "la entrevista de trabajo", "el examen de conducir",
                  "los exámenes finales", "la media maratón"],
           "en": ["the marathon plan", "the move to Lisbon", "the job interview", "your driving test",
                  "the book launch", "the final exams"]}
INTERESTS = {"es": ["el huerto urbano", "la cerámica", "la fotografía analógica", "su podcast de historia"],
             "en": ["urban gardening", "pottery", "film photography", "the history podcast"]}


class FixedClock:
    def now(self) -> datetime:
        return NOW


def messages() -> list[tuple[str, str]]:
    found = []
    for language in ("es", "en"):
        path = ROOT / "tests" / "data" / f"pitch_{language}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if not row["pitch"]:
                found.append((language, row["text"]))
    return found


def memory_for(rng: random.Random, language: str) -> ContactMemory:
    shape = rng.random()
    if shape < 0.4:
        return ContactMemory()
    facts = [Fact(FactKind.INTEREST, rng.choice(INTERESTS[language]), "bio", NOW - timedelta(days=60))]
    if shape < 0.75:
        due = rng.choice([NOW - timedelta(days=3), NOW + timedelta(days=10), None])
        facts.append(Fact(FactKind.OPEN_THREAD, rng.choice(THREADS[language]), "message:1",
                          NOW - timedelta(days=8), language, due))
    facts.append(Fact(FactKind.NOTE, "met at the meetup", "user", NOW - timedelta(days=90)))
    return ContactMemory(tuple(facts))


def workload(count: int) -> list[tuple[Contact, ReplyTarget | None, str | None, ContactMemory]]:
    rng = random.Random(20261126)
    corpus = messages()
    contacts = [Contact(id=n, account="demo", handle=f"person{n}@social.example", name=NAMES[n % len(NAMES)])
                for n in range(300)]
    memories = {c.id: memory_for(rng, corpus[c.id % len(corpus)][0]) for c in contacts}
    calls = []
    for n in range(count):
        language, text = corpus[n % len(corpus)]
        contact = contacts[rng.randrange(len(contacts))]
        target = None if n % 10 == 9 else ReplyTarget(
            interaction_id=n, post_id=f"p-{n}", text=text, thread=None, visibility="public",
            category=categorize(text).value)
        calls.append((contact, target, None if n % 20 == 7 else language, memories[contact.id]))
    return calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):  # one core, even for the language model's numpy
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    drafter = TemplateDrafter(clock=FixedClock())
    calls = workload(args.drafts)
    for call in calls[:200]:  # warm up: the language model loads on the first guess
        drafter.suggest(*call)
    started = time.perf_counter()
    suggestions = sum(len(drafter.suggest(*call)) for call in calls)
    elapsed = time.perf_counter() - started
    rate = len(calls) / elapsed
    print(f"template drafter: {rate:,.0f} drafts/s ({len(calls):,} drafts, {suggestions:,} suggestions,"
          f" {elapsed:.2f} s on one core; target >= {TARGET_PER_SECOND:,})")
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
