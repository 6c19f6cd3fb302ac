"""Listings page with `--limit/--offset`, and say when they stop early.

A listing asks the store for one row more than it shows: that row's presence is what tells
"there is more" without counting every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import typer

T = TypeVar("T")
DEFAULT_LIMIT = 1000
MAX_LIMIT = 1_000_000  # keeps `limit + 1` a small integer for every database driver

LIMIT = typer.Option(None, "--limit", min=1, max=MAX_LIMIT, help=f"Show at most this many (default {DEFAULT_LIMIT}).")
OFFSET = typer.Option(0, "--offset", min=0, help="Skip this many first (with --limit, to page).")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    offset: int
    limit: int
    more: bool  # rows follow the last one shown

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.items)

    def summary(self) -> str | None:
        """`showing 1-1,000; more follow: --offset 1000`, or None when the listing is whole."""
        if not self.more and self.offset == 0:
            return None
        if not self.items:
            return f"nothing at --offset {self.offset}"
        shown = f"showing {self.offset + 1:,}-{self.next_offset:,}"
        return f"{shown}; more follow: --offset {self.next_offset}" if self.more else f"{shown} (the last)"


def fetch_page(fetch: Callable[[int, int], list[T]], limit: int | None, offset: int = 0) -> Page[T]:
    """`fetch(limit, offset)` asked for one row more than is shown; no limit means the default one."""
    limit = limit or DEFAULT_LIMIT
    rows = fetch(limit + 1, offset)
    return Page(rows[:limit], offset, limit, len(rows) > limit)


def say_truncated(page: Page[T], *, as_json: bool) -> None:
    """On stderr, as the listing's last line: stdout stays the listing alone, so a JSON array
    keeps its documented shape and a script reading either is not misled."""
    summary = page.summary()
    if summary is None or (as_json and not page.more):
        return
    typer.echo(summary, err=True)
