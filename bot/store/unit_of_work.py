"""The store: one engine, and a unit of work per use case (one transaction, all or nothing)."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from bot.errors import StoreError
from bot.store.announcements import AnnouncementRepository
from bot.store.contacts import ContactRepository
from bot.store.database import SCHEMA_HEAD, create_database_engine, current_revision, upgrade
from bot.store.drafts import DraftRepository
from bot.store.interactions import InteractionRepository
from bot.store.reports import ReportRepository
from bot.store.state import StateRepository


class SqlUnitOfWork:
    """`with store.unit_of_work() as uow: ...; uow.commit()`; leaving without commit rolls back."""

    contacts: ContactRepository
    interactions: InteractionRepository
    drafts: DraftRepository
    reports: ReportRepository
    state: StateRepository
    announcements: AnnouncementRepository

    def __init__(self, engine: Engine, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: Connection | None = None

    def __enter__(self) -> SqlUnitOfWork:
        try:
            # No explicit begin: the connection begins on first use, so a unit of work
            # holds no lock until it touches the database, and none after a commit.
            self._connection = self._engine.connect()
            if self._read_only:
                self._connection = self._connection.execution_options(read_only=True)
        except OperationalError as error:
            raise StoreError(f"database unavailable: {error.orig}") from None
        self.contacts = ContactRepository(self._connection)
        self.interactions = InteractionRepository(self._connection)
        self.drafts = DraftRepository(self._connection)
        self.reports = ReportRepository(self._connection)
        self.state = StateRepository(self._connection)
        self.announcements = AnnouncementRepository(self._connection)
        return self

    def commit(self) -> None:
        assert self._connection is not None
        if self._read_only:
            raise StoreError("a read-only unit of work cannot commit")
        self._connection.commit()

    def rollback(self) -> None:
        assert self._connection is not None
        self._connection.rollback()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        assert self._connection is not None
        try:
            self._connection.rollback()
        finally:
            self._connection.close()
            self._connection = None


class SqlAlchemyStore:
    """SQLite or PostgreSQL, chosen by the URL; migrated to the newest schema on open."""

    def __init__(self, url: str, *, busy_timeout: float = 30.0, migrate: bool = True) -> None:
        self.engine = create_database_engine(url, busy_timeout=busy_timeout)
        if migrate:
            self.upgrade()

    def upgrade(self) -> bool:
        """Apply pending migrations; True if any were applied."""
        if current_revision(self.engine) == SCHEMA_HEAD:
            return False
        upgrade(self.engine)
        return True

    def unit_of_work(self, read_only: bool = False) -> SqlUnitOfWork:
        """One transaction. `read_only` ones never wait for writers (SQLite takes no lock)."""
        return SqlUnitOfWork(self.engine, read_only)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()
