"""rapport: an engagement assistant that builds relationships, not audiences."""

__version__ = "0.1.0"
