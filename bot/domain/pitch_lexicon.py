"""The compiled form of `data/pitch_terms.toml` plus the owner's additions from config.

Building a lexicon compiles every phrase list into a few large regular expressions, once;
`bot.domain.pitch.classify` then scans each message with them and never loops over terms.
It also loads `data/pitch_model.json`, the word model that backs up the rules (see `PitchModel`).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from bot.domain.normalize import fold_term

_SEPARATOR = re.compile(r"[\W_]+")
# What compiles the lexicon's regexes while `load_lexicon` runs (see its `compiler`).
_COMPILER: ContextVar[Callable[[str], re.Pattern[str]]] = ContextVar("pitch_lexicon_compiler", default=re.compile)
_BEFORE_WORD = r"(?<![a-z0-9])"
_AFTER_WORD = r"(?![a-z0-9])"
# Between the words of a phrase: spacing or in-word punctuation, or none ("sign-up", "signup",
# "like&subscribe"), but no comma or full stop, which would join the end of one clause to the
# start of the next.
# The two characters above U+00FF are alternatives of their own: in one class with the rest they
# make the regex compiler build a 64K-entry map, for each of the thousands of gaps in the
# lexicon; it matches the same either way, and loads in a fraction of the time.
_PHRASE_GAP = r"(?:[\s\-_*'·~+/&]|’|•|\.(?=\S))*"
# Between the parts of a frame: words and spacing within one sentence.
_CLAUSE_GAP = r"[^\w.!?;…]+"
_ADJACENT = r"[^\w.,!?;…]+"
# After a frame marked `clause_end`: nothing more of the clause follows (end of text, punctuation
# or an emoji), so "Subscribe!" is an ask while "subscribe to the project's list" has an object.
_CLAUSE_END = r"(?![a-z0-9])(?=\s*(?:[^\w\s]|$))"
# "1" and "|" stand for both "i" and "l", and normalisation can only pick one of them.
_AMBIGUOUS_LETTER = "[il]"

_URL_WITH_SCHEME = r"(?:https?://|www\.)[^\s<>\"'()\[\]]+"
_URL_PATH = r"(?![\w-])(?:/[^\s<>\"'()\[\]]*)?"
_HOST_LABELS = r"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)"
# Bare domains ("shop.example.co/x") only with common top-level domains, so that "node.js" or
# "e.g." are not links; the owner's own domains are added whatever their ending.
_COMMON_TLDS = (
    "com|net|org|io|co|app|dev|shop|store|es|mx|ar|cl|pe|uy|ec|ve|us|uk|ca|de|fr|it|eu|info|biz"
    "|me|ly|gl|gd|gy|to|tv|cc|link|site|online|xyz|tech|ai|academy|school|design|studio|page|ee"
    "|at|in|li|id|do|bio|be|club|courses|agency|ws"
)


@dataclass(frozen=True, eq=False)
class PitchModel:
    """A logistic regression over words and pairs of words, trained offline by
    `benchmarks/train_pitch_model.py` on a documented split of the labelled sets.

    `classify` reads its probability over the words no rule has matched as one more piece of
    evidence next to the rules' signals: at `threshold` it weighs as much as the lexicon's
    pitch threshold, so it can call a pitch on its own; below that it only adds to the rules,
    and under `floor` it is ignored as noise.
    """

    weights: Mapping[str, float]  # feature (see `bot.domain.pitch.model_features`) -> weight
    bias: float
    threshold: float  # probability at which the model alone makes a pitch
    floor: float  # lightest evidence that counts, on the rules' 0..1 weight scale


@dataclass(frozen=True, eq=False)
class PitchLexicon:
    """Everything `classify` matches against. Build once with `load_lexicon` and reuse."""

    weights: Mapping[str, float]
    threshold: float
    subsumed_by: Mapping[str, tuple[str, ...]]  # kind -> kinds that make it add nothing
    terms: re.Pattern[str]
    term_kinds: Mapping[str, str]  # phrase key (see `phrase_key`) -> signal kind
    frames: re.Pattern[str] | None
    # Where a frame can begin: every word start where one of the phrases a frame opens with
    # does. Trying `frames` only there is what keeps sixty frames cheap.
    frame_starts: re.Pattern[str] | None
    frame_kinds: Mapping[str, str]  # regex group name -> signal kind
    prices: re.Pattern[str]
    prices_from: re.Pattern[str]  # "from $29", "desde 180 €": the start of a price list
    percent_offs: re.Pattern[str]
    phones: re.Pattern[str]  # "call 555-0177", "llámanos al 600 000 000": a number to ring
    urls: re.Pattern[str]
    shorteners: tuple[str, ...]
    storefronts: tuple[str, ...]
    commercial_domains: tuple[str, ...]
    affiliate_query: re.Pattern[str]
    ordinary: re.Pattern[str] | None = None  # phrases that are evidence of nothing
    model: PitchModel | None = None


def load_lexicon(
    extra_terms: Sequence[str] = (),
    commercial_domains: Sequence[str] = (),
    products: Sequence[str] = (),
    *,
    compiler: Callable[[str], re.Pattern[str]] | None = None,
) -> PitchLexicon:
    """The packaged lexicon plus the owner's config (`[policy.pitch]`).

    An extra term is a phrase of kind `extra_term`, or `kind:phrase` to file it under a known
    kind ("purchase:grab the bundle"). Commercial domains match themselves and their
    subdomains; product names are matched as phrases of kind `product`. `compiler` compiles
    the regexes in place of `re.compile` (`bot.regex_cache` keeps them between processes).
    """
    token = _COMPILER.set(compiler or re.compile)
    try:
        return _load(extra_terms, commercial_domains, products)
    finally:
        _COMPILER.reset(token)


def _load(extra_terms: Sequence[str], commercial_domains: Sequence[str], products: Sequence[str]) -> PitchLexicon:
    data = tomllib.loads(
        resources.files("bot.domain").joinpath("data/pitch_terms.toml").read_text("utf-8")
    )
    weights = dict(data["weights"])
    kinds = _phrase_kinds(data, weights, extra_terms, products)
    frames, frame_kinds = _compile_frames(data.get("frame", []))
    links = data["links"]
    price = _price_pattern(data["amounts"]["currency_words"])
    own_domains = tuple(domain for domain in map(_domain, commercial_domains) if domain)
    return PitchLexicon(
        weights=MappingProxyType(weights),
        threshold=float(data["threshold"]),
        subsumed_by=MappingProxyType(
            {kind: tuple(by) for kind, by in data.get("subsumed_by", {}).items()}
        ),
        terms=_whole_words(kinds),
        term_kinds=MappingProxyType(
            {phrase_key(fold_term(phrase)): kind for phrase, kind in kinds.items()}
        ),
        frames=frames,
        frame_starts=_compile_frame_starts(data.get("frame", [])),
        frame_kinds=MappingProxyType(frame_kinds),
        prices=_regex(price),
        prices_from=_regex(
            _BEFORE_WORD + alternation(data["amounts"]["price_from"]) + r"\s*(?:%s)" % price
        ),
        percent_offs=_compile_percent_offs(data["amounts"]),
        phones=_compile_phones(data["phones"]["verbs"]),
        urls=_compile_urls(own_domains),
        shorteners=tuple(links["shorteners"]),
        storefronts=tuple(links["storefronts"]),
        commercial_domains=own_domains,
        affiliate_query=_regex(r"[?&](?:%s)=" % "|".join(links["affiliate_params"])),
        ordinary=_compile_phrases(data.get("ordinary", {}).get("phrases", [])),
        model=load_model(),
    )


def load_model() -> PitchModel | None:
    """The packaged word model, or None where it has not been trained yet."""
    packaged = resources.files("bot.domain").joinpath("data/pitch_model.json")
    if not packaged.is_file():
        return None
    data = json.loads(packaged.read_text("utf-8"))
    return PitchModel(
        # A plain dict: `classify` looks up every word of every message here, and a read-only
        # proxy costs a tenth of the detector's time.
        weights=dict(data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        floor=float(data["floor"]),
    )


def phrase_key(fragment: str) -> str:
    """What a phrase and any text it matched have in common, whatever the spacing."""
    return _SEPARATOR.sub("", fragment).replace("l", "i")


def alternation(phrases: Iterable[str]) -> str:
    """One regex for many phrases, as a prefix tree so a scan never retries shared prefixes."""
    tree: dict[str, dict] = {}
    for phrase in phrases:
        folded = fold_term(phrase)
        # A hashtag keeps its "#": "#ad" is a disclosure, the word "ad" is not.
        hashtag = "#" if folded.startswith("#") else ""
        node = tree
        for char in hashtag + " ".join(_SEPARATOR.split(folded)).strip():
            node = node.setdefault(char, {})
        node[""] = {}
    return "(?:%s)" % _tree_pattern(tree)


def _tree_pattern(node: dict[str, dict]) -> str:
    branches = [_char_pattern(char) + _tree_pattern(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:%s)" % "|".join(branches)
    # Greedy optional tail: the longest phrase at a position wins ("sign up now" over "sign up").
    return "(?:%s)?" % body if "" in node else body


def _char_pattern(char: str) -> str:
    if char == " ":
        return _PHRASE_GAP
    if char in "il":
        return _AMBIGUOUS_LETTER
    return re.escape(char)


def _phrase_kinds(
    data: dict, weights: dict[str, float], extra_terms: Sequence[str], products: Sequence[str]
) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for language_terms in data["terms"].values():
        for kind, phrases in language_terms.items():
            kinds.update((phrase, kind) for phrase in phrases)
    kinds.update(("#" + tag, "sponsored") for tag in data["hashtags"]["sponsored"])
    # The owner's product names and extra phrases do not override packaged phrases.
    for name in products:
        kinds.setdefault(name, "product")
    for term in extra_terms:
        kind, _, phrase = term.partition(":")
        if phrase and kind.strip() in weights:
            kinds.setdefault(phrase.strip(), kind.strip())
        else:
            kinds.setdefault(term, "extra_term")
    return {phrase: kind for phrase, kind in kinds.items() if _SEPARATOR.sub("", phrase)}


def _compile_frames(frames: list[dict]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    patterns, kinds = [], {}
    for index, frame in enumerate(frames):
        parts = [alternation(part) for part in frame["parts"]]
        gaps = [_word_gap(gap) for gap in frame["gaps"]]
        forward = parts[0] + "".join(gap + part for gap, part in zip(gaps, parts[1:]))
        # A look-ahead on the possible first letters lets most positions fail at once, before
        # the costlier imperative look-behinds run.
        forward = _first_letters(frame["parts"][0]) + _imperative_position(
            frame.get("imperative_after")
        ) + forward + (_CLAUSE_END if frame.get("clause_end") else "")
        if frame.get("reversible"):
            forward += "|" + _first_letters(frame["parts"][-1]) + parts[-1] + gaps[-1] + parts[0]
        patterns.append("(?P<frame%d>%s)" % (index, forward))
        kinds["frame%d" % index] = frame["kind"]
    if not patterns:
        return None, kinds
    return _regex("%s(?:%s)%s" % (_BEFORE_WORD, "|".join(patterns), _AFTER_WORD)), kinds


def _compile_frame_starts(frames: list[dict]) -> re.Pattern[str] | None:
    """A zero-width match at every position where some frame's opening phrase begins (or its
    closing one, for a reversible frame), overlapping ones included."""
    openings = {phrase for frame in frames for phrase in frame["parts"][0]}
    openings |= {phrase for frame in frames if frame.get("reversible") for phrase in frame["parts"][-1]}
    if not openings:
        return None
    return _regex("%s(?=%s)" % (_BEFORE_WORD, alternation(sorted(openings))))


def _first_letters(phrases: Sequence[str]) -> str:
    letters = {fold_term(phrase)[:1] for phrase in phrases}
    letters |= {"i", "l"} if letters & {"i", "l"} else set()
    return "(?=[%s])" % re.escape("".join(sorted(letters)))


def _imperative_position(after_words: Sequence[str] | None) -> str:
    """Where an ask reads as an imperative: the start of a clause (text start, or after
    punctuation or an emoji) or right after one of `after_words`. Empty when unrestricted."""
    if not after_words:
        return ""
    # Python's look-behinds are fixed-width, so each alternative is a look-behind of its own.
    # In one order in every process (the alternatives are look-behinds: any order matches the
    # same), so that the pattern is the same text each time and its compiled form can be kept.
    words = sorted({fold_term(word) for word in after_words}, key=lambda word: (len(word), word))
    behind = ["^", r"(?<=[^\w\s])", r"(?<=[^\w\s] )"] + [
        r"(?<=(?<![a-z0-9])%s )" % re.escape(word) for word in words
    ]
    return "(?:%s)" % "|".join(behind)


def _word_gap(words: int) -> str:
    if words == 0:
        # Next to each other, as in a phrase: "like if you", never "like, if you think about it".
        return _ADJACENT
    # Lazy, so the frame closes on the nearest object rather than a later one.
    return r"(?:%s[a-z0-9]+){0,%d}?%s" % (_CLAUSE_GAP, words, _CLAUSE_GAP)


def _compile_phrases(phrases: Sequence[str]) -> re.Pattern[str] | None:
    return _whole_words(phrases) if phrases else None


def _whole_words(phrases: Iterable[str]) -> re.Pattern[str]:
    return _regex(_BEFORE_WORD + alternation(phrases) + _AFTER_WORD)


def _price_pattern(currency_words: Sequence[str]) -> str:
    amount = r"\d+(?:[.,\s]\d{3})*(?:[.,]\d{1,2})?(?:\s?(?:k|mil)(?![a-z]))?"
    symbol = r"(?:us\$|mx\$|ar\$|r\$|c\$|a\$|\$u|(?<![a-z])s/|(?<![a-z])ksh|[$€£¥₹₦₱₩₺₴₽₫฿₵₲])"
    words = "|".join(re.escape(word) for word in currency_words)
    # A run of currency signs ("make $$$") stands for money without naming an amount.
    return rf"{symbol}\s?{amount}|(?<![\w.,]){amount}\s?(?:{symbol}|(?:{words})(?![a-z]))|[$€£]{{3,}}"


def _compile_percent_offs(amounts: Mapping[str, Sequence[str]]) -> re.Pattern[str]:
    before = alternation(amounts["percent_before"])
    after = alternation(amounts["percent_after"])
    percent = r"\d{1,3}\s?%"
    # "2x1", "3x2": the Spanish shop-window way of saying buy two, pay one.
    multibuy = r"(?<![\w.,])[2-4]\s?x\s?[1-3](?![\w])"
    return _regex(
        rf"{_BEFORE_WORD}{before}\s*{percent}|{percent}\s*{after}{_AFTER_WORD}|{multibuy}"
    )


def _compile_phones(verbs: Sequence[str]) -> re.Pattern[str]:
    # A verb, up to two words ("now", "us on"), then seven or more digits with the usual
    # separators. Fewer digits are times, prices or counts ("call me at 10").
    number = r"\+?\d(?:[\s().-]{0,2}\d){6,}"
    return _regex(rf"{_BEFORE_WORD}{alternation(verbs)}(?:\s+[a-z]+){{0,2}}\s*:?\s*{number}")


def _compile_urls(own_domains: Sequence[str]) -> re.Pattern[str]:
    bare = _HOST_LABELS + "+(?:%s)" % _COMMON_TLDS + _URL_PATH
    own = [_HOST_LABELS + "*" + re.escape(domain) + _URL_PATH for domain in own_domains]
    return _regex("|".join([_URL_WITH_SCHEME, *own, bare]))


def _regex(pattern: str) -> re.Pattern[str]:
    return _COMPILER.get()(pattern)


def _domain(domain: str) -> str:
    domain = domain.strip().lower().removeprefix("https://").removeprefix("http://")
    return domain.removeprefix("www.").split("/", 1)[0]
