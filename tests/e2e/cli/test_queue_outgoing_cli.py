"""The queue shows what will be posted (visibility, content warning, mentions), and one draft per
person however many messages they send: through the real CLI over a sandbox account."""

from __future__ import annotations

from tests.e2e.conftest import Rapport
from tests.fakes import write_events

ZOE = {"id": "u-zoe", "handle": "zoe@social.example", "name": "Zoe", "bio": "Series y huerto."}


def zoe_writes(rapport: Rapport, n: int, text: str, *, at: str, visibility: str = "public", spoiler: str = "") -> None:
    """Zoe's message `n`, in a thread of its own."""
    write_events(rapport.root / "events.jsonl", [{
        "id": f"n-zoe-{n}", "type": "mention", "at": at, "author": ZOE,
        "post": {"id": f"p-zoe-{n}", "text": text, "lang": "es", "visibility": visibility, "thread": f"p-zoe-{n}",
                 "spoiler_text": spoiler}}], mode="a")


def zoes(rapport: Rapport) -> list[dict]:
    return [d for d in rapport.json("queue", "list") if d["contact"]["handle"] == ZOE["handle"]]


def test_queue_show_says_the_visibility_content_warning_and_mentions_that_then_go_out(rapport: Rapport) -> None:
    zoe_writes(rapport, 1, "@me ¿Viste el final? Yo lloré.", at="2026-11-25T20:00:00Z", visibility="private",
               spoiler="final de la serie")
    rapport("run", "--once")
    [draft] = zoes(rapport)
    shown = rapport.json("queue", "show", draft["id"])
    assert (shown["visibility"], shown["spoiler_text"], shown["mentions"]) == (
        "private", "final de la serie", ["@zoe@social.example"])
    text = " ".join(rapport("queue", "show", draft["id"]).stdout.split())  # as wrapped at any width
    assert "goes out private, under the content warning: final de la serie, naming @zoe@social.example" in text
    assert "[private] [CW: final de la serie]" in rapport("queue", "list").stdout
    assert rapport("queue", "approve", draft["id"], "--text", "¡Sí! Y yo también lloré.").exit_code == 0
    rapport("run", "--once")
    [line] = rapport.outbox
    assert (line["visibility"], line["spoiler_text"], line["to"]) == (
        shown["visibility"], shown["spoiler_text"], [m.lstrip("@") for m in shown["mentions"]])


def test_mentions_from_one_person_fold_into_one_draft_whose_count_the_list_shows(rapport: Rapport) -> None:
    for n, minute in ((1, "00"), (2, "01"), (3, "02")):
        zoe_writes(rapport, n, f"@me ¿Te gustan las series? ({n})", at=f"2026-11-25T20:{minute}:00Z")
    result = rapport("run", "--once")
    assert "2 folded into a draft already waiting" in result.stdout
    [draft] = zoes(rapport)
    assert draft["in_reply_to"]["id"] == "p-zoe-3" and draft["folded_count"] == 2
    listed = rapport("queue", "list").stdout
    assert "← [+2 folded] @me ¿Te gustan las series? (3)" in listed
    shown = rapport.json("queue", "show", draft["id"])
    assert [m["id"] for m in shown["folded"]] == ["p-zoe-1", "p-zoe-2"]
    text = " ".join(rapport("queue", "show", draft["id"]).stdout.split())
    assert "2 earlier message(s) folded in" in text and "(1)" in text and "(2)" in text
    zoe_writes(rapport, 4, "@me ¿Y documentales?", at="2026-11-25T20:10:00Z")
    rapport("run", "--once")
    [again] = zoes(rapport)
    assert again["folded_count"] == 3 and again["id"] != draft["id"]
    stale = rapport("queue", "approve", draft["id"])
    assert stale.exit_code == 1 and f"folded into {again['id']}" in stale.stderr
