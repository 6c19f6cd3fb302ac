"""Fixtures shared by every test: a network guard, and a store on SQLite and on PostgreSQL."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import uuid
from collections.abc import Iterator

import pytest

from tests.fakes import FakeClock

# The loopback servers' request lines (werkzeug logs them at INFO on its own logger) would reach
# the CLI's log handler in tests that run the CLI in process, beside the output they check.
logging.getLogger("werkzeug").setLevel(logging.WARNING)

POSTGRES_URL = os.environ.get("RAPPORT_TEST_POSTGRES_URL", "")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket path
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any test that reaches outside loopback fails, whatever library it goes through."""

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_local(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return _real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_local(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return _real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(scope="session", autouse=True)
def shared_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One folder of unpacked models for the whole run, the CLI processes tests start included:
    unpacking them into every test's own data folder would cost 140 MB and two seconds each."""
    folder = tmp_path_factory.mktemp("model-cache")
    previous = os.environ.get("RAPPORT_STORAGE__MODEL_CACHE")
    os.environ["RAPPORT_STORAGE__MODEL_CACHE"] = str(folder)
    yield
    if previous is None:
        os.environ.pop("RAPPORT_STORAGE__MODEL_CACHE", None)
    else:
        os.environ["RAPPORT_STORAGE__MODEL_CACHE"] = previous


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _postgres_schema_url() -> Iterator[str]:
    """A fresh schema per test on the real PostgreSQL server, dropped afterwards."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # noqa: ANN001
    """Every store test runs on both backends; PostgreSQL needs RAPPORT_TEST_POSTGRES_URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rapport.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL run skipped: set RAPPORT_TEST_POSTGRES_URL (make test in CI sets it)")
    yield from _postgres_schema_url()


@pytest.fixture
def store(database_url: str):  # noqa: ANN201
    from bot.store.unit_of_work import SqlAlchemyStore

    store = SqlAlchemyStore(database_url)
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me@sandbox.example", FakeClock().now())
        uow.commit()
    yield store
    store.close()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own RAPPORT_* variables must not change what a config test sees."""
    for name in list(os.environ):
        if name.startswith("RAPPORT_"):
            monkeypatch.delenv(name)
