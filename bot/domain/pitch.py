"""Is this message a commercial pitch? Spanish and English, robust to common disguises.

A pitch needs commercial intent, not just a mention of money: a price alone ("the ticket was
50 euros") or a link alone is ordinary talk, while a price with a call to action, an offer with
a link, or "DM me for pricing" on its own is a pitch. Each finding is a `Signal` of some kind;
each kind carries a weight (`data/pitch_terms.toml`), and the weights combine as independent
evidence into a score between 0 and 1, compared against the data file's threshold.

A word model (`PitchModel`, logistic regression trained offline) adds one more piece of
evidence, shown as a `model` signal with the words that weighed most. It catches the ways of
asking for attention that no phrase list covers. Its score is a sum over words, and it only
sums the words that no rule matched: a phrase the rules weigh already ("check it out") must
not count twice. It never sees links or amounts, so the rules keep the final say on what a
link or a price alone means.

Usage: build the lexicon once (`load_lexicon`) and call `classify` per message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.normalize import fold
from bot.domain.pitch_lexicon import PitchLexicon, PitchModel, load_lexicon, phrase_key

__all__ = [
    "PitchLexicon", "PitchModel", "PitchResult", "RuleEvidence", "Signal", "classify",
    "combined_score", "load_lexicon", "model_features", "model_probability", "model_weight",
    "rule_evidence",
]

_TRAILING_PUNCTUATION = ".,;:!?…"
_MODEL_WORD = re.compile(r"[a-z]+")
_MODEL_SHOWN = 3  # words named in a `model` signal
# Words that say nothing alone: a feature made only of these ("te", "if you", "y te") would let
# the model learn who is addressed rather than what is said, and "te contesto con calma" is no
# offer. Pairs with one content word ("te paso", "for free") are kept.
_FUNCTION_WORDS = frozenset(
    "a an the i you we me my your it is to and or of in on for if so be this that im"
    " y o de la el los las un una te tu yo mi se que en por para si lo le es con no al del".split()
)


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


_LINK_DROP_WORDS = 3  # fewer words than this around a link, and the link is the message


def classify(text: str, lexicon: PitchLexicon, language: str | None = None) -> PitchResult:
    """Judge one message. Both languages' phrases are always checked: platforms often mislabel
    short posts, and a Spanish pitch inside an English thread is still a pitch. `language` is
    only reported back."""
    rules = rule_evidence(text, lexicon)
    weight, model_signals = _model_evidence(rules.unexplained, lexicon)
    score = combined_score(rules, weight)
    return PitchResult(score >= lexicon.threshold, score, language, _unique([*rules.signals, *model_signals]))


@dataclass(frozen=True)
class RuleEvidence:
    """What the rules found in a message, before the word model has its say."""

    signals: tuple[Signal, ...]
    doubt: float  # product of (1 - weight) over the kinds found; 1.0 when none was found
    unexplained: list[str]  # the model's features among the words no rule matched


def rule_evidence(text: str, lexicon: PitchLexicon) -> RuleEvidence:
    """The rules' findings in `text` and the words they leave to the model. Apart from
    `classify` so that the training script can reuse them across model thresholds."""
    folded = fold(text)
    words = _readable(folded.words, lexicon)
    word_signals, unexplained = _word_signals(words, lexicon)
    signals = _unique(
        word_signals
        + _price_signals(folded.plain, lexicon)
        + _discount_signals(words, lexicon)
        + _phone_signals(folded.plain, lexicon)
        + _link_signals(folded.plain, lexicon)
        + _link_drop(folded.plain, lexicon)
    )
    return RuleEvidence(signals, _doubt(signals, lexicon), _features(unexplained))


def combined_score(rules: RuleEvidence, model_weight: float) -> float:
    """Noisy-OR of the rules' evidence and the model's weight, to two decimals."""
    return round(1.0 - (1.0 - model_weight) * rules.doubt, 2)


def model_features(text: str, lexicon: PitchLexicon) -> list[str]:
    """Every word and pair of words the model knows how to read in `text`, links left out: what
    the training script learns from. `classify` then sums only those no rule has explained."""
    return _features(_readable(fold(text).words, lexicon))


def model_probability(features: Sequence[str], model: PitchModel) -> float:
    """The model's probability that a message with these features is a pitch."""
    weights = model.weights
    z = model.bias + sum([weights[feature] for feature in features if feature in weights])
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _features(words: str) -> list[str]:
    """Words and pairs of neighbouring words, leaving out those made only of function words.
    Links are left to the rules: learnt from YouTube comments, a host name such as "facebook"
    would make a link alone a pitch."""
    tokens = _MODEL_WORD.findall(words)
    pairs = [
        f"{first} {second}" for first, second in zip(tokens, tokens[1:])
        if first not in _FUNCTION_WORDS or second not in _FUNCTION_WORDS
    ]
    words_alone = [token for token in tokens if token not in _FUNCTION_WORDS]
    return list(dict.fromkeys(words_alone + pairs))


def _model_evidence(features: list[str], lexicon: PitchLexicon) -> tuple[float, list[Signal]]:
    """The model's probability as a weight on the rules' scale, and the signal that shows it."""
    model = lexicon.model
    if model is None:
        return 0.0, []
    weight = model_weight(model_probability(features, model), model, lexicon.threshold)
    if not weight:
        return 0.0, []
    found = sorted(((model.weights[f], f) for f in features if f in model.weights), reverse=True)
    strongest = [feature for value, feature in found[:_MODEL_SHOWN] if value > 0]
    return weight, [Signal("model", ", ".join(strongest))]


def model_weight(probability: float, model: PitchModel, pitch_threshold: float) -> float:
    """The model's probability as evidence on the rules' scale, 0.0 under the model's floor."""
    weight = _scaled(probability, model, pitch_threshold)
    return weight if weight >= model.floor else 0.0


def _scaled(probability: float, model: PitchModel, pitch_threshold: float) -> float:
    """Piecewise linear, so that the model's threshold lands on the lexicon's. Below it, counted
    from what the model says of a message whose words it does not know: that is no evidence."""
    if probability >= model.threshold:
        above = (probability - model.threshold) / (1.0 - model.threshold)
        return pitch_threshold + (1.0 - pitch_threshold) * above
    prior = model_probability((), model)
    if probability <= prior:
        return 0.0
    return pitch_threshold * (probability - prior) / (model.threshold - prior)


def _readable(words: str, lexicon: PitchLexicon) -> str:
    """The words that rules and model read: links get their own signals (read as words,
    "shop.example/buy-now" would count twice), and ordinary phrases such as "follow up" or
    "gracias por el follow" are nobody's evidence."""
    words = lexicon.urls.sub(" ", words)
    if lexicon.ordinary is None:
        return words
    return lexicon.ordinary.sub(lambda match: " " * len(match.group()), words)


def _word_signals(words: str, lexicon: PitchLexicon) -> tuple[list[Signal], str]:
    """Signals from frames and phrases, and the words that none of them explained, for the
    model: a phrase the rules weigh already ("check it out") must not count twice."""
    frame_signals, words = _masked_signals(
        words,
        _frame_matches(words, lexicon),
        lambda match: lexicon.frame_kinds[match.lastgroup or ""],
    )
    # The phrase inside a frame ("subscribe" in "subscribe to my channel") is the same evidence.
    phrase_signals, words = _masked_signals(
        words,
        lexicon.terms.finditer(words),
        lambda match: lexicon.term_kinds.get(phrase_key(match.group())),
    )
    return frame_signals + phrase_signals, words


def _frame_matches(words: str, lexicon: PitchLexicon) -> Iterator[re.Match[str]]:
    """What `lexicon.frames.finditer(words)` finds, tried only where a frame can begin: the
    same leftmost, non-overlapping matches at a fraction of the cost."""
    if lexicon.frames is None or lexicon.frame_starts is None:
        return
    end = 0
    for start in lexicon.frame_starts.finditer(words):
        if start.start() < end:
            continue
        match = lexicon.frames.match(words, start.start())
        if match:
            end = match.end()
            yield match


def _masked_signals(
    words: str, matches: Iterable[re.Match[str]], kind_of: Callable[[re.Match[str]], str | None]
) -> tuple[list[Signal], str]:
    """A signal for each of `matches` that has a kind, and `words` with those blanked."""
    signals, pieces, last = [], [], 0
    for match in matches:
        kind = kind_of(match)
        if kind is not None:
            signals.append(Signal(kind, match.group()))
            start, end = match.span()
            pieces += [words[last:start], " " * (end - start)]
            last = end
    return signals, "".join(pieces) + words[last:]


def _price_signals(plain: str, lexicon: PitchLexicon) -> list[Signal]:
    """Prices come from the plain view, where "50euros" has not been read as leetspeak. A price
    quoted as a starting point ("from $29", "desde 180 €") is a price list, not a price paid."""
    prices = [Signal("price", found.group().strip()) for found in lexicon.prices.finditer(plain)]
    if not prices:
        return prices
    return prices + [Signal("pricing", found.group()) for found in lexicon.prices_from.finditer(plain)]


def _discount_signals(words: str, lexicon: PitchLexicon) -> list[Signal]:
    """Discounts come from the words view, where "40% 0ff" has been read. The sale word inside
    "20% de descuento" is found too, and adds nothing: "offer" is subsumed by "discount"."""
    return [Signal("discount", found.group().strip()) for found in lexicon.percent_offs.finditer(words)]


def _phone_signals(plain: str, lexicon: PitchLexicon) -> list[Signal]:
    """A phone number given to be called or messaged: a contact line, like "DM me". Read from
    the plain view, where digits are still digits."""
    return [Signal("contact", found.group()) for found in lexicon.phones.finditer(plain)]


def _link_signals(plain: str, lexicon: PitchLexicon) -> list[Signal]:
    signals = []
    for match in lexicon.urls.finditer(plain):
        url = match.group().rstrip(_TRAILING_PUNCTUATION)
        signals.append(Signal(_link_kind(url, lexicon), url))
    return signals


def _link_drop(plain: str, lexicon: PitchLexicon) -> list[Signal]:
    """A message that is nothing but a link: dropped on someone, it promotes, it does not talk.

    A link with words around it ("here is the paper you asked for: ...") is ordinary talk.
    """
    first = lexicon.urls.search(plain)
    if first is None:
        return []
    rest = lexicon.urls.sub(" ", plain)
    words = [w for w in re.findall(r"[^\W\d_]{2,}", rest) if not w.startswith("@")]
    if len(re.sub(r"@[\w.@-]+", " ", " ".join(words)).split()) >= _LINK_DROP_WORDS:
        return []
    return [Signal("link_drop", first.group().rstrip(_TRAILING_PUNCTUATION))]


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


def _doubt(signals: tuple[Signal, ...], lexicon: PitchLexicon) -> float:
    """How far the rules' signals leave a message from certain: the product of (1 - weight)
    over the kinds found (noisy-OR). Repeating one kind of evidence adds nothing, and neither
    does a kind the data file says is subsumed by another one found ("discount" makes the sale
    word "offer" redundant)."""
    doubt = 1.0
    kinds = {signal.kind for signal in signals}
    for kind in kinds:
        if not kinds.intersection(lexicon.subsumed_by.get(kind, ())):
            doubt *= 1.0 - lexicon.weights.get(kind, 0.0)
    return doubt


def _unique(signals: list[Signal]) -> tuple[Signal, ...]:
    return tuple(dict.fromkeys(signals))
