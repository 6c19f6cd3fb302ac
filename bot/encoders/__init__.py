"""Sentence encoders: text to a vector of meaning, behind `bot.ports.SentenceEncoder`."""
