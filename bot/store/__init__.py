"""Persistence: SQLAlchemy Core tables behind repositories and a unit of work."""
