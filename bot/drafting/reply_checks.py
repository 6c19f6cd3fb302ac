"""What a model's answer is worth as a draft: trimmed of what models wrap replies in, and refused
when it is not a reply a person could send (chat-template tokens, markup, JSON, another language,
nothing at all, a refusal). Each refusal says why in a few words, for the draft's note."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.language import is_written_in

_THINKING = re.compile(r"<think>.*?</think>", re.S | re.I)
_PREAMBLE = re.compile(r"^(?:sure|of course|claro|here'?s|here is|aqu[ií] (?:tienes|va))[^\n]{0,80}:\s*\n+", re.I)
_LABEL = re.compile(r"^[*_#\s]{0,4}(?:reply|response|answer|draft|suggestion|respuesta|borrador|sugerencia)"
                    r"(?:\s*\d)?[*_]{0,2}\s*[:：][*_]{0,2}\s*", re.I)
_NOT_A_REPLY = re.compile(r"^(?:as an ai\b|as a language model|i'?m sorry, but i can'?t|i can(?:no|')t help"
                          r"|como (?:modelo|ia)\b|lo siento, (?:pero )?no puedo)", re.I)
_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“", "'": "'", "‘": "’", "`": "`"}
# The tokens of the common chat templates, which a model answering through the wrong template
# writes out: Llama 2 (<<SYS>>, [INST]), ChatML (<|im_start|>), Llama 3 (<|eot_id|>), Gemma, </s>.
_TEMPLATE_TOKENS = re.compile(r"<<\s*/?SYS\s*>>|\[/?INST\]|<\|[\w.-]{1,40}\|>|</?(?:start|end)_of_turn>|</?s>",
                              re.I)
_MARKUP = re.compile(r"```|\*\*\S|^#{1,6}\s|</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>", re.I | re.M)
_NUMBERED = re.compile(r"^\s*(?:\*\*)?(\d)[.)](?:\*\*)?\s+(.+?)\s*$", re.M)
# Stop a model that runs on into a new turn of the conversation it imagines. OpenAI's own API
# takes at most four.
STOP_SEQUENCES = ["<|im_start|>", "<start_of_turn>", "[INST]", "<<SYS>>"]


@dataclass(frozen=True)
class Checked:
    text: str | None  # the reply, when usable
    problem: str | None = None  # why not, in a few words


def check_reply(content: str, language: str | None, max_chars: int) -> Checked:
    """The reply without reasoning blocks, "Reply:" labels or wrapping quotes, or why it is none."""
    text = _THINKING.sub("", content).strip()
    text = _LABEL.sub("", _PREAMBLE.sub("", text, count=1), count=1).strip()
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1] and text[0] not in text[1:-1]:
        text = text[1:-1].strip()
    problem = _problem(text, language, max_chars)
    return Checked(None, problem) if problem else Checked(text)


def _problem(text: str, language: str | None, max_chars: int) -> str | None:
    if not text:
        return "empty reply"
    if _TEMPLATE_TOKENS.search(text):
        return "chat-template tokens in the reply"
    if _is_json(text):
        return "JSON instead of a reply"
    if _MARKUP.search(text):
        return "markup in the reply"
    if _NOT_A_REPLY.match(text):
        return "a refusal instead of a reply"
    if len(text) > max_chars:
        return f"reply too long ({len(text)} characters)"
    base = (language or "").split("-")[0].lower()
    if base and is_written_in(text, base) is False:
        return f"reply not in the message's language ({base})"
    return None


def _is_json(text: str) -> bool:
    if text[0] not in "{[":
        return False
    try:
        json.loads(text)
    except ValueError:
        return text.startswith("{")  # a cut or sloppy object is still not a reply
    return True


def numbered_replies(content: str) -> list[str]:
    """The replies of an answer that numbers them ("1. ...", "2) ..."); the whole answer as one
    when it numbers nothing (a model asked for three may still write one)."""
    content = _THINKING.sub("", content).strip()
    found = [match.group(2) for match in _NUMBERED.finditer(content)]
    return found if found else [content]
