"""Config errors as one line each, naming the exact key: `accounts[1].platform: unknown platform 'masto'`."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from bot.config_types import PLATFORMS, SECRET_KEYS

# pydantic's words for a bound, and the constraint that holds its value
_BOUNDS = {"less_than_equal": ("at most", "le"), "less_than": ("less than", "lt"),
           "greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt")}


def format_validation_error(error: ValidationError) -> str:
    """One line for all the problems, each naming its key."""
    return "; ".join(_describe(item) for item in error.errors())


def describe_source_error(error: Exception) -> str:
    """pydantic-settings could not parse an environment variable holding JSON (`RAPPORT_ACCOUNTS`).

    The variable's value is never shown: it may hold account details.
    """
    match = re.search(r'field "(\w+)"', str(error))
    variable = f"RAPPORT_{match.group(1).upper()}" if match else "a RAPPORT_* variable"
    cause = error.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"{variable}: not valid JSON ({cause.msg} at line {cause.lineno}, column {cause.colno})"
    return f"{variable}: cannot be read ({cause or error})"


def _describe(item: dict[str, Any]) -> str:
    loc = list(item["loc"])
    kind = item["type"]
    if kind == "union_tag_invalid":
        tag = item.get("ctx", {}).get("tag")
        return f"{_key(loc + ['platform'])}: unknown platform {tag!r} (expected one of: {', '.join(PLATFORMS)})"
    if kind == "union_tag_not_found":
        return f"{_key(loc + ['platform'])}: missing (expected one of: {', '.join(PLATFORMS)})"
    if kind == "extra_forbidden":
        name = str(loc[-1])
        if name in SECRET_KEYS:
            return (f"{_key(loc)}: secrets are not read from the config file;"
                    f" use {name}_env or {name}_file")
        return f"{_key(loc)}: unknown key"
    if kind == "missing":
        return f"{_key(loc)}: required key is missing"
    return f"{_key(loc)}: {_number_problem(item) or _env_name_problem(item) or _message(item)}"


def _number_problem(item: dict[str, Any]) -> str | None:
    kind, shown = item["type"], _shown(item.get("input"))
    if kind == "finite_number":
        return f"must be a finite number, got {shown}"
    if kind in _BOUNDS:
        words, constraint = _BOUNDS[kind]
        bound = item.get("ctx", {}).get(constraint)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)  # "at most 3650", not "3650.0"
        return f"must be {words} {bound}, got {shown}"
    return None


def _env_name_problem(item: dict[str, Any]) -> str | None:
    # The value is not echoed: when it is not a variable name, it is most likely the secret itself.
    if item["type"] == "string_pattern_mismatch" and str(item["loc"][-1]).endswith("_env"):
        return ("expected the NAME of an environment variable (letters, digits, _), not its value;"
                " a secret goes in that variable or in a *_file")
    return None


def _message(item: dict[str, Any]) -> str:
    return str(item["msg"]).removeprefix("Value error, ")


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _key(loc: list[Any]) -> str:
    # Drop the union member names pydantic inserts (`accounts.1.mastodon.base_url`).
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        elif part in PLATFORMS and parts and parts[-1].endswith("]"):
            continue
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"
