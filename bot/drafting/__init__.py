"""Drafters: suggest reply texts. A suggestion is never sent without a person's approval."""
