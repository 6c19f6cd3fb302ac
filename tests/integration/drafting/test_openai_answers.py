"""What the OpenAI-compatible drafter asks for and what it accepts, against a replayed server
(respx): the request's limits, several suggestions in one answer, and replies refused for what
they are (chat-template tokens, JSON, markup, another language, nothing), each with a note."""

from __future__ import annotations

import httpx
import pytest

from bot.domain.draft_context import DraftContext
from tests.integration.drafting.test_openai import (
    ANA, MEMORY, URL, Drafting, completion, llm, message, ok, sent,  # noqa: F401 - `llm` is a fixture
)


def test_the_request_bounds_the_answer_by_the_platform_limit_and_stops_at_template_tokens(llm) -> None:  # noqa: ANN001
    route = llm.post(URL).mock(return_value=ok("¡Gracias a ti, Ana!"))
    drafting = Drafting()
    drafting.drafter.suggest_in_context(ANA, message(), "es", MEMORY, DraftContext(platform="bluesky",
                                                                                 handle="ana@social.example"))
    body = sent(route)
    assert 0 < body["max_tokens"] <= 200  # a reply of 280 characters at most, not an essay
    assert "<<SYS>>" in body["stop"] and "<start_of_turn>" in body["stop"] and len(body["stop"]) <= 4
    assert "at most 280 characters" in body["messages"][0]["content"]


def test_three_suggestions_come_from_one_request_where_the_server_honours_n(llm) -> None:  # noqa: ANN001
    route = llm.post(URL).mock(return_value=ok("¡Gracias, Ana!", "¡Qué ilusión me hace!", "Gracias a ti."))
    found = Drafting(suggestions=3).suggest()
    assert [s.text for s in found] == ["¡Gracias, Ana!", "¡Qué ilusión me hace!", "Gracias a ti."]
    assert route.call_count == 1 and sent(route)["n"] == 3


NUMBERED = "1. ¡Gracias a ti, Ana!\n2. ¡Qué alegría leerte!\n3) Gracias por acordarte."


def test_a_server_that_ignores_n_is_asked_once_for_a_numbered_answer_and_then_always(llm) -> None:  # noqa: ANN001
    route = llm.post(URL).mock(side_effect=[ok("¡Gracias a ti!"), ok(NUMBERED), ok(NUMBERED)])
    drafting = Drafting(suggestions=3)
    assert [s.text for s in drafting.suggest()] == ["¡Gracias a ti!", "¡Gracias a ti, Ana!", "¡Qué alegría leerte!"]
    assert [s.text for s in drafting.suggest()] == ["¡Gracias a ti, Ana!", "¡Qué alegría leerte!",
                                                    "Gracias por acordarte."]
    assert [sent(route, i)["n"] for i in range(3)] == [3, 1, 1]  # learnt once, then one request a message
    assert '"1.", "2.", "3."' in sent(route, 2)["messages"][0]["content"]


def test_a_server_that_refuses_n_gets_a_numbered_request_instead(llm) -> None:  # noqa: ANN001
    refused = httpx.Response(400, json={"error": {"message": "Only one completion choice is allowed"}})
    route = llm.post(URL).mock(side_effect=[refused, ok(NUMBERED)])
    found = Drafting(suggestions=2).suggest()
    assert [s.text for s in found] == ["¡Gracias a ti, Ana!", "¡Qué alegría leerte!"]
    assert [sent(route, i)["n"] for i in range(2)] == [2, 1]


def test_labels_quotes_and_reasoning_are_trimmed_and_bad_choices_skipped(llm) -> None:  # noqa: ANN001
    body = completion('Reply: "¡Gracias, Ana!"', "", None, "x" * 400, "<think>she thanked me</think>\n«Un placer.»",
                      "As an AI language model, I cannot")
    llm.post(URL).mock(return_value=httpx.Response(200, json=body))
    assert [s.text for s in Drafting(suggestions=3).suggest()] == ["¡Gracias, Ana!", "Un placer."]


def test_a_slot_for_the_owner_to_fill_is_a_usable_reply(llm) -> None:  # noqa: ANN001
    reply = "¡Claro! Te recomiendo [tu respuesta: club de ciclismo en Zaragoza], son muy majos."
    llm.post(URL).mock(return_value=ok(reply))
    [found] = Drafting().suggest(message("¿Algún club de ciclismo que me recomiendes?", category="question"))
    assert found.text == reply and found.origin == "openai:llama3.1"


@pytest.mark.parametrize(("reply", "reason"), [
    ("<<SYS>> You are a helpful assistant <</SYS>> ¡Gracias, Ana!", "chat-template tokens in the reply"),
    ("[INST] Reply to Ana [/INST] ¡Gracias!", "chat-template tokens in the reply"),
    ("¡Gracias, Ana!<|im_end|>\n<|im_start|>user", "chat-template tokens in the reply"),
    ('{"reply": "¡Gracias, Ana!", "language": "es"}', "JSON instead of a reply"),
    ('["¡Gracias, Ana!"]', "JSON instead of a reply"),
    ("**¡Gracias, Ana!** Me alegra que te gustara el hilo.", "markup in the reply"),
    ("<p>¡Gracias, Ana!</p>", "markup in the reply"),
    ("Thank you so much for reading the thread yesterday, Ana, it means a lot to me!",
     "reply not in the message's language (es)"),
    ("", "empty reply"),
    ("  \n ", "empty reply"),
    ("Lo siento, pero no puedo ayudar con eso.", "a refusal instead of a reply"),
])
def test_a_reply_that_is_not_one_falls_back_to_the_template_with_the_reason(llm, reply, reason) -> None:  # noqa: ANN001
    llm.post(URL).mock(return_value=ok(reply))
    drafting = Drafting()
    found = drafting.suggest()
    assert found and all(s.origin == "template" for s in found)
    assert all(s.note == f"model failed: {reason}" for s in found)
    assert drafting.log.named("drafter.openai_failed")[0]["reason"] == reason


@pytest.mark.parametrize(("response", "reason"), [
    (httpx.Response(200, text="<html><body>502 Bad Gateway</body></html>"), "malformed response"),
    (httpx.Response(200, json={"error": {"message": "model 'llama3.1' not found, try pulling it first"}}),
     "malformed response"),
    (httpx.Response(200, json={"choices": "none"}), "malformed response"),
    (httpx.Response(200, json=[1, 2]), "malformed response"),
    (httpx.Response(200, json=completion()), "no reply"),
    (httpx.Response(200, json=completion("¡Gracias, Ana! Y", finish_reason="length")), "reply cut off or empty"),
    (httpx.Response(200, json=completion("y" * 1000)), "reply too long (1000 characters)"),
    (httpx.Response(200, json={"choices": [{"message": {"content": ["not", "parts"]}}]}), "empty reply"),
    (httpx.Response(200, json={"choices": [{"index": 0}]}), "reply cut off or empty"),
    (httpx.Response(404, json={"error": {"message": "model not found"}}), "HTTP 404, check base_url and model"),
    (httpx.Response(429, json={"error": {"message": "Rate limit reached"}}), "HTTP 429, rate limited"),
])
def test_an_unusable_answer_falls_back_at_once_with_a_note(llm, response, reason) -> None:  # noqa: ANN001
    route = llm.post(URL).mock(return_value=response)
    drafting = Drafting()
    found = drafting.suggest()
    assert found and all(s.origin == "template" and s.note == f"model failed: {reason}" for s in found)
    assert route.call_count == 1 and drafting.sleeps == []  # nothing worth asking again
