"""The follow-up cooldown and the check-in lookback: defaults, values and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError


def _load(tmp_path: Path, text: str):  # noqa: ANN202
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_defaults_are_a_30_day_cooldown_and_a_60_day_lookback(tmp_path: Path) -> None:
    settings = _load(tmp_path, "")
    assert settings.drafting.followup_cooldown_days == 30.0
    assert settings.drafting.checkins.lookback_days == 60.0


def test_both_are_read_from_the_file(tmp_path: Path) -> None:
    settings = _load(tmp_path, "[drafting]\nfollowup_cooldown_days = 0\n[drafting.checkins]\nlookback_days = 90\n")
    assert settings.drafting.followup_cooldown_days == 0.0  # 0: only while a draft waits
    assert settings.drafting.checkins.lookback_days == 90.0


@pytest.mark.parametrize(("text", "key"), [
    ("[drafting]\nfollowup_cooldown_days = -1\n", "drafting.followup_cooldown_days"),
    ("[drafting.checkins]\nlookback_days = 0\n", "drafting.checkins.lookback_days"),
    ("[drafting.checkins]\nlookback_days = 99999\n", "drafting.checkins.lookback_days"),
])
def test_out_of_range_values_are_one_line_errors_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, text)
    assert key in str(raised.value) and "\n" not in str(raised.value)
