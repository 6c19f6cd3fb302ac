"""Fixtures for platform adapter tests: a network guard, a recording logger, a Mastodon client."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakes import RecordingLog

ACCESS_TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"  # the recorded cassettes' own placeholder
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_loopback(host: object) -> bool:
    if host is None or host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection or name lookup beyond loopback fails the test."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refuse_outside(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise AssertionError(f"test tried to reach {address[0]} outside loopback")

    def connect(sock: socket.socket, address: Any) -> None:
        refuse_outside(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        refuse_outside(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host.decode() if isinstance(host, bytes) else host):
            raise AssertionError(f"test tried to resolve {host} outside loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def log() -> RecordingLog:
    return RecordingLog()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture(scope="session")
def _loopback_server() -> Iterator[Any]:
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mastodon_server(_loopback_server: Any) -> Iterator[Any]:
    """A real HTTP server on 127.0.0.1, in a thread, for `mastodon_fake.FakeMastodon`; emptied
    after each test."""
    yield _loopback_server
    _loopback_server.clear()


@pytest.fixture
def fake_mastodon(mastodon_server: Any, clock: FakeClock) -> Callable[..., Any]:
    """Starts a Mastodon-compatible server speaking a dialect (see mastodon_fake.py)."""
    from mastodon_fake import FakeMastodon

    def start(dialect: Any) -> Any:
        return FakeMastodon(dialect, mastodon_server.url_for("/").rstrip("/"), now=clock).install(mastodon_server)

    return start


@pytest.fixture
def mastodon_client(
    httpserver: Any, log: RecordingLog, sleeps: list[float], clock: FakeClock
) -> Iterator[Callable[..., Any]]:
    """Builds a MastodonClient for the loopback server; our account is @mastodonpy_test."""
    from bot.platforms.mastodon import MastodonClient

    clients: list[Any] = []

    def build(**changes: Any) -> Any:
        options: dict[str, Any] = dict(
            account="main", handle="mastodonpy_test@localhost:3000",
            base_url=httpserver.url_for("/").rstrip("/"), access_token=ACCESS_TOKEN,
            request_timeout=2.0, log=log, sleep=sleeps.append, clock=clock,
        )
        options.update(changes)
        clients.append(MastodonClient(**options))
        return clients[-1]

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(server: Any, log: RecordingLog, sleeps: list[float], clock: FakeClock) -> Iterator[Any]:
    """A MastodonClient for the module's `server` (a `fake_mastodon`); our account is
    @mastodonpy_test on localhost:3000. Modules that build clients with other options define
    their own `client`."""
    from mastodon_fake import TOKEN

    from bot.platforms.mastodon import MastodonClient

    built = MastodonClient(account="main", handle="mastodonpy_test@localhost:3000", base_url=server.base_url,
                           access_token=TOKEN, request_timeout=2.0, log=log, sleep=sleeps.append, clock=clock)
    yield built
    built.close()
