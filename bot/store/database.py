"""Opening the database: engine options per backend, file permissions, and migrations."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from bot.errors import ConfigError, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration. Comparing against it spares every command importing Alembic (a quarter
# of a second); a test keeps it equal to what Alembic computes from migrations/versions.
SCHEMA_HEAD = "0003"


def create_database_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """An engine for SQLite (embedded default) or PostgreSQL, set up for concurrent use."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"storage.url: not a database URL: {_redact(url)!r}") from None
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


def _create_private_file(path: Path) -> None:
    """The database holds private conversations: owner-only from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _redact(url: str) -> str:
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
        raise StoreError(f"cannot open the database {_redact(str(engine.url))}: {error.orig}") from None


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as error:
        raise StoreError(f"cannot read the database {_redact(str(engine.url))}: {error}") from None


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head
