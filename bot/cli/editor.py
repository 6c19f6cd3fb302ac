"""Editing a draft in the user's editor ($VISUAL, else $EDITOR, else a sensible default)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.errors import InvalidInputError


def edit_in_editor(text: str) -> str | None:
    """The edited text, or None if the editor failed or changed nothing."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or _default_editor()
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
