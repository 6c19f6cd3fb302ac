"""Opening the database: engine options per backend, file permissions, and migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from bot.errors import ConfigError, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration. Comparing against it spares every command importing Alembic (a quarter
# of a second); a test keeps it equal to what Alembic computes from migrations/versions.
SCHEMA_HEAD = "0007"
# SQLite's primary result codes for a damaged file: SQLITE_CORRUPT and SQLITE_NOTADB.
_DAMAGED = {11, 26}


def create_database_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """An engine for SQLite (embedded default) or PostgreSQL, set up for concurrent use."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"storage.url: not a database URL: {redact_url(url)!r}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, busy_timeout)
    if parsed.get_backend_name() == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        except ModuleNotFoundError:
            raise ConfigError("storage.url: PostgreSQL needs the driver: pip install 'rapport[postgres]'") from None
    raise ConfigError(f"storage.url: unsupported database {parsed.get_backend_name()!r} (use sqlite or postgresql)")


def _sqlite_engine(url: str, database: str | None, busy_timeout: float) -> Engine:
    if database and database != ":memory:":
        _create_private_file(Path(database))
    engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False})

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> None:  # noqa: ANN001
        # A damaged file fails every query alike: say so once, with what to do, wherever it
        # shows (a CLI command, a scheduler job) instead of a driver traceback.
        error = context.original_exception
        if isinstance(error, sqlite3.DatabaseError) and (_sqlite_code(error) & 0xFF) in _DAMAGED:
            raise StoreError(damaged_message(database, str(error))) from None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        # Take transaction control from the driver so BEGIN IMMEDIATE can be used: a
        # deferred transaction that later writes fails at once with "database is locked"
        # instead of waiting for the busy timeout.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # `contacts forget` must not leave text in free pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        # Readers take no lock in WAL mode: they never wait for the service's writes.
        read_only = connection.get_execution_options().get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def dialect_insert(connection: Connection) -> Any:
    """The backend's own INSERT (with ON CONFLICT); its dialect is imported only when used, so
    that a SQLite command does not load PostgreSQL's (and asyncio with it)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _sqlite_code(error: sqlite3.DatabaseError) -> int:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return int(code)
    # Before the driver exposed codes, only the message tells.
    message = str(error)
    return 26 if "not a database" in message else 11 if "malformed" in message else 0


def damaged_message(database: str | None, problem: str) -> str:
    return (f"the database file {database} is damaged ({problem}): restore it from a backup, or move it"
            " aside to start afresh (history is read again from the platforms; drafts and notes are lost)")


def check_integrity(engine: Engine) -> str | None:
    """None if the SQLite file reads back whole, else what is wrong, in one line (PostgreSQL
    checks its own pages). Reads every page: for `rapport doctor`, not for every command."""
    if engine.dialect.name != "sqlite":
        return None
    try:
        with engine.connect() as connection:
            found = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check(3)")]
    except StoreError as error:
        return str(error)
    except SQLAlchemyError as error:
        return f"cannot read the database: {getattr(error, 'orig', error)}"
    if found == ["ok"]:
        return None
    return damaged_message(engine.url.database, "; ".join(" ".join(line.split()) for line in found))


def _create_private_file(path: Path) -> None:
    """The database holds private conversations: owner-only from the first byte."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as error:
        raise StoreError(f"cannot create or open the database file {path}: {error.strerror}") from None


def redact_url(url: str) -> str:
    """The URL with its password hidden, fit for messages and output."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable>"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply pending migrations. On PostgreSQL an advisory lock keeps replicas from racing."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(7428110)"))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as error:
        raise StoreError(f"cannot open the database {redact_url(str(engine.url))}: {error.orig}") from None


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as error:
        orig = getattr(error, "orig", None) or error  # the driver's words, without SQLAlchemy's help link
        raise StoreError(f"cannot read the database {redact_url(str(engine.url))}: {orig}") from None


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head
