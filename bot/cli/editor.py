"""Editing a draft in the user's editor ($VISUAL, else $EDITOR, else a sensible default)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.errors import InvalidInputError


def edit_in_editor(text: str) -> str | None:
    """The edited text, or None if the editor failed or changed nothing."""
    command = (os.environ.get("VISUAL") or "").strip() or (os.environ.get("EDITOR") or "").strip()
    if not command:
        # A default editor draws on the terminal: without one (a pipe, cron, a container) vi
        # would wait for keys that never come. An editor the user named may be a script: run it.
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise InvalidInputError("no editor: $VISUAL and $EDITOR are unset and there is no terminal for a default"
                                    " one; set $EDITOR, or use `rapport queue approve ID --text ...`")
        command = _default_editor() or ""
    if not command:
        raise InvalidInputError("no editor: set $EDITOR, or use `rapport queue approve ID --text ...`")
    with tempfile.TemporaryDirectory(prefix="rapport-") as folder:
        path = Path(folder) / "draft.txt"
        path.write_text(text + "\n", encoding="utf-8")
        try:
            finished = subprocess.run([*shlex.split(command), str(path)], check=False)
        except OSError as error:
            raise InvalidInputError(f"cannot start the editor {command!r}: {error.strerror}") from None
        if finished.returncode != 0:
            raise InvalidInputError(f"the editor exited with status {finished.returncode}; nothing changed")
        edited = path.read_text(encoding="utf-8").strip()
    return None if edited == text.strip() else edited


def _default_editor() -> str | None:
    for candidate in ("sensible-editor", "nano", "vi"):
        if shutil.which(candidate):
            return candidate
    return None
