"""`rapport policy ...`: pitch detection, would-this-be-allowed checks, explanations, replays."""

from __future__ import annotations

import codecs
import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from bot.cli.app import state_of
from bot.cli.arguments import utf8
from bot.cli.render import json_text, safe, safe_text
from bot.domain.decisions import Decision
from bot.errors import ConfigError, InvalidInputError, PolicyRefusedError

if TYPE_CHECKING:  # Rich is imported by the commands that print with it
    from rich.console import Console


class Point(str, Enum):
    """Which verdict `policy classify` gives."""

    RULES = "rules"
    INCOMING = "incoming"
    OUTGOING = "outgoing"


policy_app = typer.Typer(help="The guardrails: classify, check, explain, replay.", no_args_is_help=True)


@policy_app.command("classify")
def classify_cmd(
    ctx: typer.Context,
    text: Optional[str] = typer.Option(None, "--text", "-t", help="The text to classify."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="JSON Lines of {\"id\": ..., \"text\": ...}."),
    as_json: bool = typer.Option(False, "--json"),
    point: Point = typer.Option(
        Point.RULES, "--point", case_sensitive=False,
        help="rules: the rules and word model alone (fast, explainable); incoming / outgoing: the"
             " verdict at that operating point, with the semantic model when it is on.",
    ),
) -> None:
    """Commercial-pitch detection, in Spanish and English."""
    from bot.bootstrap import policy_from_settings

    if (text is None) == (file is None):
        raise typer.BadParameter("give exactly one of --text or --file")
    policy = policy_from_settings(state_of(ctx).settings(required=False), semantic=point is not Point.RULES)
    lexicon: Any = policy.lexicon
    if point is not Point.RULES:
        lexicon = policy.incoming if point is Point.INCOMING else policy.detector
        if lexicon is None:
            raise ConfigError(f"--point {point.value}: the semantic model is off ([policy.pitch] semantic, or"
                              " pip install 'rapport[semantic]')")
    if text is not None:
        result = _classify(text, lexicon)
        typer.echo(json_text(result.to_dict()) if as_json else _describe(result))
        return
    assert file is not None
    if not _classify_file(file, lexicon, as_json):
        raise typer.Exit(1)


def _classify(text: str, lexicon: Any, language: str | None = None) -> Any:
    """`lexicon` is the rules' lexicon or a `PitchDetector` at an operating point."""
    from bot.domain.pitch import classify
    from bot.domain.pitch_semantic import PitchDetector
    from bot.language import guess_language

    language = language or guess_language(text)
    if isinstance(lexicon, PitchDetector):
        return lexicon.assess(text, language)
    return classify(text, lexicon, language)


def _describe(result: Any) -> str:
    verdict = "pitch" if result.pitch else "not a pitch"
    signals = ", ".join(f"{s.kind} '{safe(s.text, single_line=True)}'" for s in result.signals)
    return f"{verdict} (score {result.score:.2f}, {result.language or 'language unknown'})" + (
        f": {signals}" if signals else "")


def _classify_file(path: Path, lexicon: Any, as_json: bool) -> bool:
    """Classify every line, in order; a bad line (not JSON, not UTF-8) is reported with its number
    and skipped, and the rest still classified."""
    try:
        # Bytes, decoded line by line: one bad byte spoils its line, not the file.
        handle = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    except OSError as error:
        raise InvalidInputError(f"cannot read {path}: {error.strerror}") from None
    ok = True
    with handle:
        try:
            for number, raw in enumerate(handle, 1):
                if number == 1:
                    raw = raw.removeprefix(codecs.BOM_UTF8)  # as some Windows editors save UTF-8
                ok = _classify_line(path, number, raw, lexicon, as_json) and ok
        except OSError as error:  # a folder, a device that fails mid-read
            raise InvalidInputError(f"cannot read {path}: {error.strerror}") from None
    return ok


def _classify_line(path: Path, number: int, raw: bytes, lexicon: Any, as_json: bool) -> bool:
    try:
        line = raw.decode("utf-8")
        if not line.strip():
            return True
        item = json.loads(line)
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError("expected an object with a string 'text'")
    except UnicodeDecodeError as error:
        typer.echo(f"{path}:{number}: skipped: not UTF-8 (byte 0x{raw[error.start]:02x} at column"
                   f" {error.start + 1})", err=True)
        return False
    except ValueError as error:
        typer.echo(f"{path}:{number}: skipped: {safe(error, single_line=True)}", err=True)
        return False
    result = _classify(item["text"], lexicon, item.get("lang") or item.get("language"))
    if as_json:
        typer.echo(json_text(result.to_dict(id=item.get("id"))))
    else:
        typer.echo(f"{safe(item.get('id', number), single_line=True)}: {_describe(result)}")
    return True


@policy_app.command("check")
def check(
    ctx: typer.Context,
    account: str = typer.Option(..., "--account", "-a"),
    contact: str = typer.Option(..., "--contact", help="The contact's handle.", callback=utf8),
    text: str = typer.Option(..., "--text", "-t"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Would this message to this person be allowed now? Exit 3 if not."""
    from bot.domain.contacts import Contact

    app = state_of(ctx).app()
    app.settings.account(account)
    with app.store.unit_of_work() as uow:
        found = uow.contacts.find(contact, account)
        # Someone never seen is audience: exactly what the guardrails must assume.
        person = found[0] if found else Contact(id=-1, account=account, handle=contact.removeprefix("@"))
        decision = app.policy.decide_text(uow, person, text, app.clock.now())
    if as_json:
        # A text with a slot is not allowed as it stands: only once the slot is filled.
        typer.echo(json_text({"allowed": decision.approvable, "pitch": decision.pitch, "stage": decision.stage,
                             "outcome": decision.outcome.value, "needs_input": decision.needs_input,
                             "reasons": [r.to_dict() for r in decision.reasons]}))
    else:
        from rich.console import Console

        _print_rules(Console(highlight=False), decision, only_notable=True)
    if not decision.approvable:
        raise typer.Exit(PolicyRefusedError.exit_code)


@policy_app.command("explain")
def explain(ctx: typer.Context, draft_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Every rule evaluated for a draft, and its outcome: as recorded, and as it would be now."""
    from bot.services.review import get_draft

    app = state_of(ctx).app()
    with app.store.unit_of_work() as uow:
        draft = get_draft(uow, draft_id)
        now = app.policy.decide_draft(uow, draft, app.clock.now())
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    console.print(Text(f"{draft.id} to ") + safe_text(draft.contact_handle, single_line=True)
                  + Text(f" ({draft.status.value})"))
    console.print(Text("recorded decision:", style="bold"))
    _print_rules(console, draft.decision)
    console.print(Text("if decided now:", style="bold"))
    _print_rules(console, now)


def _print_rules(console: Console, decision: Decision, only_notable: bool = False) -> None:
    from rich.text import Text

    verdict = {"allow": "allowed", "block": "blocked", "defer": "allowed, deferred",
               "hold": "needs your input"}[decision.outcome.value]
    console.print(f"  {verdict} (pitch: {'yes' if decision.pitch else 'no'}, stage: {decision.stage})")
    for rule in decision.reasons if only_notable else decision.results:
        style = {"block": "red", "defer": "yellow", "hold": "magenta"}.get(rule.outcome.value, "green")
        console.print(Text(f"  {rule.outcome.value:<5} {rule.code:<15} ", style=style) + safe_text(rule.message))


@policy_app.command("replay")
def replay_cmd(
    ctx: typer.Context,
    with_config: Optional[Path] = typer.Option(None, "--with", help="Another config file to compare with."),
) -> None:
    """Re-decide every stored draft, and re-classify every stored incoming message, under another
    config; print what would change. Both pitch thresholds ([policy.pitch] outgoing_threshold and
    incoming_threshold) show here before they go live."""
    from bot.bootstrap import policy_from_settings
    from bot.config import load_settings
    from bot.services.replay import replay, replay_incoming

    state = state_of(ctx)
    app = state.app(semantic=True)  # as the service decides: with the semantic model when it is on
    if with_config is not None and not with_config.exists():
        raise ConfigError(f"--with: config file not found: {with_config}")
    other = policy_from_settings(load_settings(with_config)) if with_config else app.policy
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    examined, changes = replay(app.store, app.policy, other, app.clock)
    for change in changes:
        line = Text(f"{change.draft.id} ") + safe_text(change.draft.contact_handle, single_line=True)
        line.append(f": {change.before.outcome.value} -> {change.after.outcome.value}")
        codes = sorted({r.code for r in change.after.reasons if r.outcome.value != "allow"})
        if codes:
            line.append(f" ({', '.join(codes)})")
        console.print(line)
    read, flipped = replay_incoming(app.store, app.policy, other)
    for message in flipped:
        line = Text(f"message {message.message.id} from ") + safe_text(message.message.interaction.person.handle,
                                                                        single_line=True)
        line.append(f": {_pitch_word(message.before)} -> {_pitch_word(message.after)}")
        console.print(line)
    typer.echo(f"{examined} drafts re-decided, {len(changes)} would change")
    typer.echo(f"{read} incoming messages re-classified, {len(flipped)} would change")


def _pitch_word(pitch: bool) -> str:
    return "pitch" if pitch else "not a pitch"
