"""How good the drafts are: 60 scenarios per language, scored by automatic checks.

Each scenario (`benchmarks/data/draft_scenarios/{es,en}.jsonl`, written for this project) is a
message of one class (question, request, news, opinion, thanks, compliment, complaint, greeting),
with or without the contact's memory and the account's `about` facts, and labels saying what a
good reply contains. The template drafter drafts each one; the first suggestion is scored. The
follow-up cooldown is measured apart (`sequences.jsonl`): two messages from one person minutes
apart, run through the real drafting, approval and sending on a SQLite store and the sandbox
platform, and the second draft must not ask again what the first, sent, already asked.

With RAPPORT_DRAFT_EVAL_CONFIG naming a config whose `[drafting] backend = "openai"`, the LLM
drafter is scored too (for information: only the template drafter's targets set the exit code).

Run: python benchmarks/draft_eval.py [--json] [--show-failures]   (exits 1 when a target is missed)
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import _draft_checks as checks  # noqa: E402
from _draft_sequences import run_sequences  # noqa: E402

from bot.domain.categories import categorize  # noqa: E402
from bot.domain.contacts import Contact  # noqa: E402
from bot.domain.drafts import ReplyTarget  # noqa: E402
from bot.domain.memory import ContactMemory, Fact, FactKind  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "draft_scenarios"
LANGUAGES = ("es", "en")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
CONFIG_ENV = "RAPPORT_DRAFT_EVAL_CONFIG"

# (check, what it means, target as a minimum share in each language, or None: reported only)
CHECKS: tuple[tuple[str, str, float | None], ...] = (
    ("drafted", "a draft was made", None),
    ("subject", "responds to the message's own subject", 0.90),
    ("answered_or_slotted", "question/request answered from about or slotted", 1.0),
    ("answered_from_about", "answered from about when about holds the answer", None),
    ("memory_used", "uses the open thread or interest", None),
    ("due_thread_used", "uses the due open thread", 1.0),
    ("no_deflection", "no deflection phrase", 1.0),
    ("language", "in the message's language", 1.0),
    ("length", f"within {checks.MAX_LENGTH} characters", None),
    ("tone", "no cheer on bad news or a complaint", 1.0),
    ("not_pitch", "not a pitch (outgoing guardrail)", None),
    ("no_repeat", "no follow-up repeated within its cooldown", 1.0),
)


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


# The development set (tuned on) and the held-out set (written later by a writer who saw neither
# the drafter nor the development rows; reported, never tuned on, and not a target).
SETS = {"development": "", "heldout": "heldout-"}


def load_scenarios(language: str, prefix: str = "") -> list[dict[str, Any]]:
    path = DATA / f"{prefix}{language}.jsonl"
    scenarios = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            scenario = json.loads(line)
            missing = {"id", "class", "tone", "contact", "message", "labels"} - scenario.keys()
            if missing or "subject_words" not in scenario["labels"]:
                raise ValueError(f"missing {', '.join(sorted(missing)) or 'labels.subject_words'}")
            memory_of(scenario.get("memory", []), language)  # a bad memory item is reported here, by line
        except KeyError as error:
            raise checks.ScenarioError(f"{path.name} line {number}: not a usable scenario: missing {error}") from None
        except (ValueError, AttributeError, TypeError) as error:
            raise checks.ScenarioError(f"{path.name} line {number}: not a usable scenario: {error}") from None
        scenarios.append({**scenario, "language": language})
    return scenarios


def memory_of(items: list[dict[str, Any]], language: str) -> ContactMemory:
    facts = []
    for item in items:
        due = NOW + timedelta(days=item["due_days"]) if item.get("due_days") is not None else None
        source = item.get("source") or ("user" if item["kind"] == "note" else "message:1")
        facts.append(Fact(FactKind(item["kind"]), item["text"], source, NOW - timedelta(days=item["days_ago"]),
                          language, due))
    return ContactMemory(tuple(facts), NOW - timedelta(days=3) if facts else None)


def call_for(number: int, scenario: dict[str, Any]) -> tuple[Contact, ReplyTarget, str | None, ContactMemory]:
    handle = re.sub(r"\W+", "", scenario["id"]) + "@social.example"
    contact = Contact(id=number, account="demo", handle=handle, name=scenario["contact"])
    target = ReplyTarget(
        interaction_id=number, post_id=f"p-{scenario['id']}", text=scenario["message"], thread=None,
        visibility="public", spoiler_text=scenario.get("cw", ""), category=categorize(scenario["message"]).value,
        at=NOW - timedelta(minutes=5))
    return contact, target, scenario.get("lang_tag"), memory_of(scenario.get("memory", []), scenario["language"])


def build_drafter(backend: str, about: dict[str, Any] | None, *, clock: Any, settings: Any = None) -> Any:
    """The drafter under test, knowing the account's `about` facts when it can take them.

    WIRING for `[drafting.about]`: the facts are handed over only when the drafter's constructor
    has an `about` parameter; until then they are ignored and the report says so. Scenarios state
    them as `[drafting.about]` does: {"work"|"interests"|"resources": [{"text", "url"}]}.
    """
    from bot.drafting.template import TemplateDrafter, load_templates

    template = TemplateDrafter(_templates(load_templates), clock=clock, **_about_argument(TemplateDrafter, about))
    if backend == "template":
        return template
    from bot.drafting.openai import OpenAIDrafter

    drafting = settings.drafting
    return OpenAIDrafter(drafting.openai, template, suggestions=1, voice=drafting.voice, clock=clock,
                         **_about_argument(OpenAIDrafter, about))


def about_is_wired(backend: str) -> bool:
    from bot.drafting.openai import OpenAIDrafter
    from bot.drafting.template import TemplateDrafter

    return "about" in inspect.signature(TemplateDrafter if backend == "template" else OpenAIDrafter).parameters


def _about_argument(drafter_class: type, about: dict[str, Any] | None) -> dict[str, Any]:
    parameter = inspect.signature(drafter_class).parameters.get("about")
    if parameter is None or not about:
        return {}
    from bot.config_about import AboutSettings  # the `[drafting.about]` model

    profile = AboutSettings.model_validate(about).profile()
    return {"about": (lambda: profile) if "Callable" in str(parameter.annotation) else profile}


_TEMPLATES: list[Any] = []


def _templates(load: Any) -> Any:
    if not _TEMPLATES:
        _TEMPLATES.append(load())
    return _TEMPLATES[0]


def evaluate(backend: str, settings: Any, policy: Any, guess: Any, prefix: str = "") -> dict[str, Any]:
    """Every scenario and sequence through one drafter: counts per check and language, and misses.
    The follow-up sequences belong to the development set only."""
    def is_pitch(text: str, language: str) -> bool:
        return policy.assess(text, language).pitch

    counts = {check: {lang: [0, 0] for lang in LANGUAGES} for check, _, _ in CHECKS}
    failures: list[dict[str, Any]] = []
    number = 0
    for language in LANGUAGES:
        for scenario in load_scenarios(language, prefix):
            number += 1
            drafter = build_drafter(backend, scenario.get("about"), clock=FixedClock(), settings=settings)
            try:
                suggestions = drafter.suggest(*call_for(number, scenario))
            finally:
                getattr(drafter, "close", lambda: None)()
            text = suggestions[0].text if suggestions else None
            for check, met in checks.score(scenario, text, guess=guess, is_pitch=is_pitch).items():
                _count(counts, failures, check, language, met, scenario["id"], text, scenario["labels"])
    sequences = [] if prefix else run_sequences(
        DATA / "sequences.jsonl", lambda: build_drafter(backend, None, clock=FixedClock(), settings=settings), policy, NOW)
    for outcome in sequences:
        _count(counts, failures, "no_repeat", outcome["language"], outcome["met"], outcome["id"],
               outcome["second"], {"first": outcome["first"], "follow_up_words": outcome["follow_up_words"]})
    return {"counts": counts, "failures": failures, "about_wired": about_is_wired(backend)}


def _count(counts: dict, failures: list, check: str, language: str, met: bool | None, scenario: str,
           text: str | None, expected: dict[str, Any]) -> None:
    if met is None:
        return
    counts[check][language][1] += 1
    counts[check][language][0] += met
    if not met:
        failures.append({"scenario": scenario, "check": check, "draft": text, "labels": expected})


def missed_targets(counts: dict[str, dict[str, list[int]]]) -> list[str]:
    """Each check whose target some language misses (a check with nothing to count cannot meet one)."""
    missed = []
    for check, _, target in CHECKS:
        if target is not None and any(total == 0 or met / total < target for met, total in counts[check].values()):
            missed.append(check)
    return missed


def table(name: str, result: dict[str, Any], targets: bool) -> str:
    missed = set(missed_targets(result["counts"]))
    about = "passed to the drafter" if result["about_wired"] else "ignored (the drafter takes no `about` yet)"
    lines = [f"{name}: {sum(t for _, t in result['counts']['drafted'].values())} scenarios, first suggestion scored;"
             f" about facts {about}" + ("" if targets else "; targets for comparison only"),
             f"{'check':<52}" + "".join(f"{lang:>14}" for lang in LANGUAGES) + f"{'target':>10}"]
    for check, meaning, target in CHECKS:
        cells = "".join(f"{_cell(*result['counts'][check][lang]):>14}" for lang in LANGUAGES)
        goal = "-" if target is None else f">= {target:.0%}"
        verdict = "" if target is None or not targets else ("  MISSED" if check in missed else "  met")
        lines.append(f"{meaning:<52}{cells}{goal:>10}{verdict}")
    return "\n".join(lines)


def _cell(met: int, total: int) -> str:
    return f"{met}/{total} {met / total:4.0%}" if total else "n/a"


def show_failures(result: dict[str, Any]) -> str:
    from bot.cli.render import safe

    lines = []
    for failure in result["failures"]:
        draft = "(no draft)" if failure["draft"] is None else safe(failure["draft"], single_line=True)
        lines.append(f"  {failure['scenario']:<8} {failure['check']:<20} {draft}")
    return "\n".join(lines)


def llm_settings() -> tuple[Any, str | None]:
    """The configured LLM settings, or None and why the LLM drafter is skipped."""
    path = os.environ.get(CONFIG_ENV)
    if not path:
        return None, "no endpoint configured"
    from bot.config import load_settings
    from bot.errors import ConfigError

    try:
        settings = load_settings(Path(path))
    except ConfigError as error:
        return None, f"{CONFIG_ENV}: {error}"
    if settings.drafting.backend != "openai":
        return None, f"{CONFIG_ENV}: [drafting] backend is {settings.drafting.backend!r}, not \"openai\""
    return settings, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the counts and misses as JSON")
    parser.add_argument("--show-failures", action="store_true", help="list every missed check with its draft")
    args = parser.parse_args()
    started = time.perf_counter()
    from bot.bootstrap import policy_from_settings
    from bot.config import Settings
    from bot.language import guess_language

    policy = policy_from_settings(Settings())
    settings, skipped = llm_settings()
    heldout = SETS["heldout"]
    try:
        results = {"template": evaluate("template", None, policy, guess_language)}
        if settings is not None:
            results["llm"] = evaluate("openai", settings, policy, guess_language)
        if (DATA / f"{heldout}es.jsonl").exists():
            results["template, held out"] = evaluate("template", None, policy, guess_language, heldout)
    except checks.ScenarioError as error:
        print(f"draft_eval: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    missed = missed_targets(results["template"]["counts"])
    if args.json:
        drafters = {name: {**result, "counts": {check: {lang: {"met": met, "total": total}
                                                         for lang, (met, total) in by_language.items()}
                                                 for check, by_language in result["counts"].items()}}
                    for name, result in results.items()}
        print(json.dumps({"elapsed_seconds": round(elapsed, 1), "missed_targets": missed, "llm_skipped": skipped,
                          "targets": {check: target for check, _, target in CHECKS if target is not None},
                          "drafters": drafters}, ensure_ascii=False, indent=2))
    else:
        for name, result in results.items():
            title = {"template": "template drafter", "llm": "LLM drafter"}.get(name, name)
            print(table(title, result, name == "template"))
            if args.show_failures and result["failures"]:
                print("missed:\n" + show_failures(result))
            print()
        if skipped:
            print(f"LLM drafter: {skipped}, skipped")
        verdict = "every target met" if not missed else "targets MISSED: " + ", ".join(missed)
        print(f"template drafter: {verdict} ({elapsed:.1f} s)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
