"""The domain: plain data and pure rules. Imports only the standard library and `bot.errors`."""
