"""What a person shares: interests and projects from a profile, and plans to ask about later."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.domain.extraction import hashtag_facts, open_threads, profile_facts
from bot.domain.memory import Fact, FactKind

WEDNESDAY = datetime(2026, 5, 13, 15, 30, tzinfo=timezone.utc)
HANDLES_AND_LINKS = ("@", "http", "www.", ".social", ".example", "rapport")


def _texts(facts: list[Fact], kind: FactKind | None = None) -> list[str]:
    return [fact.text for fact in facts if kind is None or fact.kind is kind]


def never_a_pitch(text: str) -> bool:
    """Keeps these tests about plans; the pitch classifier has its own (see the pitch tests below)."""
    return False


def _threads(text: str, at: datetime = WEDNESDAY, language: str | None = None) -> list[Fact]:
    return open_threads(text, at, language, is_pitch=never_a_pitch)


def _thread(text: str, at: datetime = WEDNESDAY) -> tuple[str, date | None]:
    [fact] = _threads(text, at)
    return fact.text, fact.due.date() if fact.due else None


def _assert_no_handles_or_links(facts: list[Fact]) -> None:
    for fact in facts:
        assert not any(part in fact.text.lower() for part in HANDLES_AND_LINKS), fact.text


# --- profiles ----------------------------------------------------------------------------------


def test_bio_with_html_remnants_gives_its_phrases_and_hashtags() -> None:
    bio = (
        '<p>Urban gardener. HR at a hospital.</p><p><a href="https://x.social/tags/gardening" '
        'class="mention hashtag" rel="tag">#<span>gardening</span></a> &amp; <span class="h-card">'
        '<a href="https://x.social/@rapport">@<span>rapport</span></a></span></p>'
    )
    facts = profile_facts(bio, (), WEDNESDAY, "en")
    assert [(f.kind, f.text, f.source) for f in facts] == [
        (FactKind.INTEREST, "Urban gardener", "bio"),
        (FactKind.PROJECT, "HR at a hospital", "bio"),
        (FactKind.INTEREST, "gardening", "hashtag"),
    ]
    assert all(f.at == WEDNESDAY and f.language == "en" and f.due is None for f in facts)


def test_spanish_bio_split_on_middle_dots_and_emoji() -> None:
    facts = profile_facts("Profe de secundaria · ciclismo · novela negra 🚴‍♀️📚 #BookTok", (), WEDNESDAY, "es")
    assert _texts(facts) == ["Profe de secundaria", "ciclismo", "novela negra", "Book Tok"]


def test_a_project_whose_name_was_a_handle_and_a_former_job_are_dropped() -> None:
    assert profile_facts("Building @rapport | ex-Google", (), WEDNESDAY, "en") == []


def test_projects_are_told_from_interests_in_both_languages() -> None:
    bio = (
        "Founder of Acme Co. Working on a cookbook. Autora de novelas. "
        "Organizo el club de lectura del barrio. Jazz"
    )
    facts = profile_facts(bio, (), WEDNESDAY, None)
    assert _texts(facts, FactKind.PROJECT) == [
        "Founder of Acme Co", "Working on a cookbook", "Autora de novelas",
        "Organizo el club de lectura del barrio",
    ]
    assert _texts(facts, FactKind.INTEREST) == ["Jazz"]


def test_liked_things_are_listed_without_the_liking_words() -> None:
    facts = profile_facts("I love climbing and jazz. Me encantan los gatos y el café.", (), WEDNESDAY, None)
    assert _texts(facts) == ["climbing", "jazz", "gatos", "café"]


def test_pronouns_disclaimers_places_and_meta_hashtags_are_not_facts() -> None:
    bio = "she/her. Opinions my own. Las opiniones son mías. 📍 Madrid. Based in Lisbon. #nobot #introduction"
    assert profile_facts(bio, (), WEDNESDAY, None) == []


def test_prose_in_a_bio_is_not_cut_into_fragments() -> None:
    """A real bsky.social bio (the atproto SDK's recorded responses)."""
    bio = (
        "Vercel’s frontend cloud gives developers the frameworks, workflows, and infrastructure to "
        "build a faster, more personalized web. Creators of @nextjs.org."
    )
    assert profile_facts(bio, (), WEDNESDAY, "en") == []


def test_profile_fields_keep_interests_and_work_and_skip_pronouns_and_links() -> None:
    fields = [
        ("Pronouns", "she/her"), ("Website", '<a href="https://ana.example">ana.example</a>'),
        ("Interests", "climbing, jazz"), ("Work", "Nurse at La Paz"), ("Intereses", "escalada · #jazz"),
        ("Matrix", "@ana:matrix.org"), ("Ubicación", "Sevilla"), ("Currently", "building a shed"),
    ]
    facts = profile_facts("", fields, WEDNESDAY, None)
    assert [(f.kind, f.text, f.source) for f in facts] == [
        (FactKind.INTEREST, "climbing", "fields"),
        (FactKind.INTEREST, "jazz", "fields"),
        (FactKind.PROJECT, "Nurse at La Paz", "fields"),
        (FactKind.INTEREST, "escalada", "fields"),
        (FactKind.PROJECT, "building a shed", "fields"),
    ]


def test_a_field_with_any_other_name_keeps_the_name_for_its_meaning() -> None:
    """Recorded from a real Mastodon account (Mastodon.py's test cassettes)."""
    fields = [("bread", "toasty."), ("lasagna", "no!!!")]
    assert _texts(profile_facts("", fields, WEDNESDAY, None)) == ["bread: toasty", "lasagna: no"]


def test_facts_are_deduplicated_ignoring_case_and_accents() -> None:
    facts = profile_facts("Café · cafe · CAFÉ #cafe", [("Interests", "café")], WEDNESDAY, None)
    assert _texts(facts) == ["Café"]


def test_facts_stay_short_phrases() -> None:
    bio = "Mom. I spend my weekends hiking the mountains around the city with my two dogs and friends"
    assert _texts(profile_facts(bio, (), WEDNESDAY, None)) == ["Mom"]


def test_real_bluesky_bios_give_no_handles_or_links() -> None:
    """From the atproto SDK's recorded bsky.social responses."""
    bios = [
        "Technical advisor to @bluesky, first engineer at Protocol Labs. Wizard Utopian.",
        "Software Engineer\n\n🐍 The AT Protocol SDK for Python: https://atproto.blue/\n\nhttps://marshal.dev",
        "account for tests\n\nAuthor: @marshal.dev\nGitHub: https://github.com/MarshalX/atproto",
    ]
    facts = [fact for bio in bios for fact in profile_facts(bio, (), WEDNESDAY, "en")]
    assert _texts(facts) == [
        "first engineer at Protocol Labs", "Wizard Utopian", "Software Engineer",
        "The AT Protocol SDK for Python",
    ]
    _assert_no_handles_or_links(facts)


def test_hashtags_used_in_a_message_are_interests() -> None:
    text = "Loving this #UrbanGardening thread #nobot #42"
    facts = hashtag_facts(text, WEDNESDAY, "en", source="message:7")
    assert [(f.kind, f.text, f.source) for f in facts] == [
        (FactKind.INTEREST, "Urban Gardening", "message:7"),
    ]


# --- open threads ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "phrase", "due"), [
    ("I'm starting a marathon plan", "starting a marathon plan", None),
    ("running my first half marathon next Sunday!", "running my first half marathon", date(2026, 5, 17)),
    ("Can't wait for my daughter's recital on Friday", "my daughter's recital", date(2026, 5, 15)),
    ("Tomorrow is a big day: my son's graduation", "my son's graduation", date(2026, 5, 14)),
    ("I'm moving to Berlin next month", "moving to Berlin", date(2026, 6, 1)),
    ("Big news: on Dec 12 I'm defending my thesis", "defending my thesis", date(2026, 12, 12)),
    ("I've just signed up for a pottery class next week", "a pottery class", date(2026, 5, 18)),
    ("thanks! heading to Lisbon this weekend #travel", "heading to Lisbon", date(2026, 5, 16)),
    ("We're getting married in 2 weeks!!", "getting married", date(2026, 5, 27)),
])
def test_an_english_plan_becomes_an_open_thread_with_its_day(
    text: str, phrase: str, due: date | None
) -> None:
    assert _thread(text) == (phrase, due)


@pytest.mark.parametrize(("text", "phrase", "due"), [
    ("Me mudo a Lisboa el mes que viene 🎉", "Me mudo a Lisboa", date(2026, 6, 1)),
    ("Empiezo un trabajo nuevo el lunes, qué nervios", "Empiezo un trabajo nuevo", date(2026, 5, 18)),
    ("La semana que viene tengo la defensa de la tesis.", "la defensa de la tesis", date(2026, 5, 18)),
    ("Mañana opero a mi perro", "opero a mi perro", date(2026, 5, 14)),
    ("El 12 de diciembre presento mi libro en Madrid", "presento mi libro en Madrid", date(2026, 12, 12)),
    ("Mañana por la mañana tengo el examen de conducir", "el examen de conducir", date(2026, 5, 14)),
    ("Este finde me voy de escalada con @ana@example.social", "me voy de escalada", date(2026, 5, 16)),
    ("El viernes es el recital de mi hija", "el recital de mi hija", date(2026, 5, 15)),
    ("Me he apuntado a la maratón de Valencia", "la maratón de Valencia", None),
    ("Terminé el máster y el lunes empiezo a trabajar", "empiezo a trabajar", date(2026, 5, 18)),
    ("Gracias! Por cierto, en dos semanas me caso 😍", "me caso", date(2026, 5, 27)),
])
def test_a_spanish_plan_becomes_an_open_thread_with_its_day(text: str, phrase: str, due: date | None) -> None:
    assert _thread(text) == (phrase, due)


def test_an_open_thread_records_its_source_time_and_language() -> None:
    [fact] = open_threads(
        "Me mudo a Lisboa el mes que viene", WEDNESDAY, "es", source="message:42", is_pitch=never_a_pitch
    )
    assert fact == Fact(
        FactKind.OPEN_THREAD, "Me mudo a Lisboa", "message:42", WEDNESDAY, "es",
        due=datetime(2026, 6, 1, tzinfo=timezone.utc),
    )


SATURDAY = datetime(2026, 5, 16, 9, 0, tzinfo=timezone.utc)
SUNDAY = datetime(2026, 5, 17, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("said", "at", "due"), [
    ("this weekend", WEDNESDAY, date(2026, 5, 16)),
    ("this weekend", SUNDAY, date(2026, 5, 17)),
    ("next weekend", WEDNESDAY, date(2026, 5, 23)),
    ("next weekend", SATURDAY, date(2026, 5, 23)),
    ("next weekend", SUNDAY, date(2026, 5, 23)),
    ("on Friday", WEDNESDAY, date(2026, 5, 15)),
    ("on Wednesday", WEDNESDAY, date(2026, 5, 20)),
    ("next week", SUNDAY, date(2026, 5, 18)),
    ("the day after tomorrow", WEDNESDAY, date(2026, 5, 15)),
    ("in 3 days", WEDNESDAY, date(2026, 5, 16)),
    ("on 2 January", WEDNESDAY, date(2027, 1, 2)),
    ("on Dec 12, 2027", WEDNESDAY, date(2027, 12, 12)),
    ("next year", WEDNESDAY, date(2027, 1, 1)),
])
def test_the_day_said_is_counted_from_the_message(said: str, at: datetime, due: date) -> None:
    assert _thread(f"I'm moving to Porto {said}", at) == ("moving to Porto", due)


def test_next_month_in_december_is_january() -> None:
    december = datetime(2026, 12, 20, tzinfo=timezone.utc)
    assert _thread("Me mudo a Lisboa el mes que viene", december) == ("Me mudo a Lisboa", date(2027, 1, 1))


def test_an_impossible_date_or_a_time_of_day_leaves_the_day_unknown() -> None:
    assert _thread("El 31 de febrero me caso") == ("me caso", None)
    assert _thread("Por la tarde voy a correr") == ("correr", None)


def test_a_naive_time_is_read_as_utc() -> None:
    naive = datetime(2026, 5, 13, 23, 59)
    assert _thread("Mañana opero a mi perro", naive) == ("opero a mi perro", date(2026, 5, 14))


def test_a_date_already_past_this_year_is_next_years() -> None:
    assert _thread("My recital is on March 3rd") == ("My recital", date(2027, 3, 3))


def test_days_are_counted_in_utc() -> None:
    late_in_madrid = datetime.fromisoformat("2026-05-14T00:30:00+02:00")  # still the 13th in UTC
    assert _thread("Mañana opero a mi perro", late_in_madrid) == ("opero a mi perro", date(2026, 5, 14))


def test_each_sentence_can_hold_its_own_thread() -> None:
    facts = _threads("Tomorrow I have my driving test. And next month I'm moving to Porto!")
    assert [(f.text, f.due.date()) for f in facts] == [
        ("my driving test", date(2026, 5, 14)), ("moving to Porto", date(2026, 6, 1)),
    ]


@pytest.mark.parametrize("text", [
    "I ran a marathon in 2019",
    "My daughter's recital was on Friday",
    "I started a marathon plan last week",
    "Ayer terminé la tesis",
    "Esta mañana he corrido 10 km",
    "El viernes pasado fue el recital de mi hija",
])
def test_past_events_are_not_open_threads(text: str) -> None:
    assert _threads(text) == []


@pytest.mark.parametrize("text", [
    "Los lunes voy al gimnasio",
    "Every Friday I run 10k",
    "Marathon season starts next month",
    "The election is next week.",
    "Mañana hay huelga de metro",
    "I'm so tired today",
    "Estoy muy cansada hoy",
    "I'm starting to think this is a bad idea",
    "I'm going to bed",
])
def test_habits_general_statements_and_moods_are_not_open_threads(text: str) -> None:
    assert _threads(text) == []


@pytest.mark.parametrize("text", [
    "Are you running the half marathon next Sunday?",
    "¿Vas a venir al concierto el sábado?",
    "I'll see you on Friday!",
    "I'll reply tomorrow",
    "If I ever run a marathon I'll tell you",
    "Si llueve el sábado no corro",
    "I might go to the concert on Saturday",
    "Not running the marathon next week after all",
    "No voy a ir a la boda el sábado",
])
def test_questions_promises_to_us_wishes_and_negations_are_not_open_threads(text: str) -> None:
    assert _threads(text) == []


@pytest.mark.parametrize("text", [
    "I'm launching my new course next week! 50% off for early birds, sign up: https://shop.example/c",
    "Este finde empiezo mi curso online, ¡apúntate ya con un 30% de descuento! Link en bio",
])
def test_an_announcement_that_pitches_is_not_an_open_thread(text: str) -> None:
    """Judged by the packaged pitch classifier, the default."""
    assert open_threads(text, WEDNESDAY, None) == []


def test_a_callers_pitch_verdict_is_used_instead_of_classifying_again() -> None:
    seen: list[str] = []

    def pitch(text: str) -> bool:
        seen.append(text)
        return True

    assert open_threads("Me mudo a Lisboa el mes que viene", WEDNESDAY, "es", is_pitch=pitch) == []
    assert seen == ["Me mudo a Lisboa el mes que viene"]


def test_open_threads_never_quote_handles_or_links() -> None:
    messages = [
        "@ana@example.social next Sunday I'm running my first half marathon with @bob https://run.example/x",
        "Este finde me mudo a Lisboa con @rapport.example.social www.example.com",
    ]
    facts = [fact for text in messages for fact in _threads(text)]
    assert _texts(facts) == ["running my first half marathon", "me mudo a Lisboa"]
    _assert_no_handles_or_links(facts)


def test_empty_or_html_only_text_has_no_facts() -> None:
    assert _threads("") == []
    assert _threads("<p></p>") == []
    assert profile_facts("", (), WEDNESDAY, None) == []


@pytest.mark.parametrize("text, phrase", [
    ("Mis hijos empiezan el cole el lunes y yo más nerviosa que ellos.", "Mis hijos empiezan el cole"),
    ("My daughter has her piano recital on Friday and she is so nervous", "My daughter has her piano recital"),
])
def test_an_open_thread_ends_where_its_clause_ends_not_mid_sentence(text: str, phrase: str) -> None:
    at = datetime(2026, 9, 3, 20, tzinfo=timezone.utc)
    [thread] = open_threads(text, at, None, is_pitch=lambda _text: False)
    assert thread.text == phrase
