"""Pitch judges: a second opinion on outgoing drafts, behind `bot.ports.PitchJudge`."""
