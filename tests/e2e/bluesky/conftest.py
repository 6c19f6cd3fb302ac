"""The local Bluesky network, once per test session (tests/conftest.py keeps tests on loopback)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from .network import DEFAULT_POSTGRES_URL, LocalBluesky, Unavailable, ensure_installed, postgres_reachable


@pytest.fixture(scope="session")
def bluesky_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBluesky]:
    postgres_url = os.environ.get("RAPPORT_E2E_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        installed_in = ensure_installed()
        if installed_in is not None:
            print(f"\nnpm ci for the local Bluesky network took {installed_in:.0f} s")
        if not postgres_reachable(postgres_url):
            raise Unavailable(f"PostgreSQL is not reachable at {postgres_url}")
        started = time.monotonic()
        network = LocalBluesky(tmp_path_factory.mktemp("bluesky-network"), postgres_url)
        print(f"\nlocal Bluesky network up in {time.monotonic() - started:.0f} s at {network.pds_url}")
    except Unavailable as exc:
        # In CI a missing network is a failure: a silent skip would hide that nothing ran.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"local Bluesky network unavailable in CI: {exc}", pytrace=False)
        pytest.skip(f"local Bluesky network unavailable: {exc}")
    try:
        yield network
    finally:
        network.close()
