"""Checks on command-line values, run while the arguments are parsed: before the store is opened
or anything is asked."""

from __future__ import annotations

import typer

from bot.cli.render import safe, shorten
from bot.errors import UsageError


def utf8(param: typer.CallbackParam, value: str | None) -> str | None:
    """Refuse a value whose bytes were not UTF-8 (Python hands them over as lone surrogates): no
    handle can match it, and the database driver would fail to encode it mid-command."""
    if value is None:
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        option = getattr(param, "param_type_name", "") == "option" and param.opts
        name = param.opts[0] if option else (param.name or "value").upper()
        raise UsageError(f"{name} is not valid UTF-8: {shorten(safe(value, single_line=True), 60)}") from None
    return value
