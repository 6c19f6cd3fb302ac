"""Is this message a commercial pitch? Spanish and English, robust to common disguises.

A pitch needs commercial intent, not just a mention of money: a price alone ("the ticket was
50 euros") or a link alone is ordinary talk, while a price with a call to action, an offer with
a link, or "DM me for pricing" on its own is a pitch. Each finding is a `Signal` of some kind;
each kind carries a weight (`data/pitch_terms.toml`), and the weights combine as independent
evidence into a score between 0 and 1, compared against the data file's threshold.

Usage: build the lexicon once (`load_lexicon`) and call `classify` per message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.normalize import fold
from bot.domain.pitch_lexicon import PitchLexicon, load_lexicon, phrase_key

__all__ = ["PitchLexicon", "PitchResult", "Signal", "classify", "load_lexicon"]

_TRAILING_PUNCTUATION = ".,;:!?…"


@dataclass(frozen=True)
class Signal:
    kind: str  # "price", "call_to_action", "contact_for_price", "shortener", ...
    text: str  # the matched fragment, as normalised


@dataclass(frozen=True)
class PitchResult:
    pitch: bool
    score: float  # 0..1, two decimals
    language: str | None
    signals: tuple[Signal, ...]

    def to_dict(self, id: str | None = None) -> dict[str, Any]:
        head = {} if id is None else {"id": id}
        return {
            **head,
            "pitch": self.pitch,
            "score": self.score,
            "language": self.language,
            "signals": [{"kind": signal.kind, "text": signal.text} for signal in self.signals],
        }


def classify(text: str, lexicon: PitchLexicon, language: str | None = None) -> PitchResult:
    """Judge one message. Both languages' phrases are always checked: platforms often mislabel
    short posts, and a Spanish pitch inside an English thread is still a pitch. `language` is
    only reported back."""
    folded = fold(text)
    # Links get their own signals; read as words, "shop.example/buy-now" would count twice.
    frame_signals, words = _frame_signals(lexicon.urls.sub(" ", folded.words), lexicon)
    signals = _unique(
        frame_signals
        + _phrase_signals(words, lexicon)
        + _amount_signals(folded.plain, folded.words, lexicon)
        + _link_signals(folded.plain, lexicon)
    )
    score = round(_score(signals, lexicon), 2)
    return PitchResult(score >= lexicon.threshold, score, language, signals)


def _frame_signals(words: str, lexicon: PitchLexicon) -> tuple[list[Signal], str]:
    """Signals from frames, and the text with them blanked out: the phrase inside a frame
    ("subscribe" in "subscribe to my channel") is the same evidence and must not count twice."""
    if lexicon.frames is None:
        return [], words
    signals, masked = [], words
    for match in lexicon.frames.finditer(words):
        signals.append(Signal(lexicon.frame_kinds[match.lastgroup or ""], match.group()))
        start, end = match.span()
        masked = masked[:start] + " " * (end - start) + masked[end:]
    return signals, masked


def _phrase_signals(words: str, lexicon: PitchLexicon) -> list[Signal]:
    signals = []
    for match in lexicon.terms.finditer(words):
        kind = lexicon.term_kinds.get(phrase_key(match.group()))
        if kind is not None:
            signals.append(Signal(kind, match.group()))
    return signals


def _amount_signals(plain: str, words: str, lexicon: PitchLexicon) -> list[Signal]:
    # Prices come from the plain view, where "50euros" has not been read as leetspeak;
    # discounts from the words view, where "40% 0ff" has.
    prices = [Signal("price", found.group().strip()) for found in lexicon.prices.finditer(plain)]
    offs = [Signal("discount", found.group().strip()) for found in lexicon.percent_offs.finditer(words)]
    return prices + offs


def _link_signals(plain: str, lexicon: PitchLexicon) -> list[Signal]:
    signals = []
    for match in lexicon.urls.finditer(plain):
        url = match.group().rstrip(_TRAILING_PUNCTUATION)
        signals.append(Signal(_link_kind(url, lexicon), url))
    return signals


def _link_kind(url: str, lexicon: PitchLexicon) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    host = host.removeprefix("www.")
    if _on_any(host, lexicon.commercial_domains):
        return "commercial_link"
    if lexicon.affiliate_query.search(url):
        return "affiliate"
    if _on_any(host, lexicon.shorteners):
        return "shortener"
    if _on_any(host, lexicon.storefronts):
        return "storefront"
    return "link"


def _on_any(host: str, domains: tuple[str, ...]) -> bool:
    """Whether `host` is one of `domains` or a subdomain of one."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _score(signals: tuple[Signal, ...], lexicon: PitchLexicon) -> float:
    """Noisy-OR over the kinds found: repeating one kind of evidence adds nothing."""
    unexplained = 1.0
    for kind in {signal.kind for signal in signals}:
        unexplained *= 1.0 - lexicon.weights.get(kind, 0.0)
    return 1.0 - unexplained


def _unique(signals: list[Signal]) -> tuple[Signal, ...]:
    return tuple(dict.fromkeys(signals))
