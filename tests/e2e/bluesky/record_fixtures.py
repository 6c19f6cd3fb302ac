"""Record rapport's own Bluesky fixtures from the real local network (PLC, PDS, AppView).

    .venv/bin/python -m tests.e2e.bluesky.record_fixtures [--out DIR]

Plays a short scene in Spanish and English between our account and Ana (launcher.mjs creates
both), then asks the PDS over HTTP, logged in as our account, what the adapter asks it, and writes
each answer as pretty JSON, one file per endpoint, with `scene.json` saying whose each DID, handle
and at-uri is. No password or token is ever written: `as_json` refuses any text holding one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from .network import DEFAULT_POSTGRES_URL, HERE, LocalBluesky, Unavailable, ensure_installed, postgres_reachable

DEFAULT_OUT = HERE.parents[1] / "fixtures" / "bluesky" / "recorded"
# The adapter's own reasons (bot.platforms.bluesky.DEFAULT_REASONS), asked for as it asks.
REASONS = ("mention", "reply", "quote", "follow", "like", "repost")
# Whatever looks like a JWT (base64url JSON header, then a dot): no recording may hold one.
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")

# (name, author, text, langs, how it relates to an earlier post), in the order they are posted.
POSTS: tuple[tuple[str, str, str, list[str], dict[str, Any]], ...] = (
    ("root", "ours", "¿Alguien conoce un taller de cerámica en Oporto? Busco clases para principiantes.",
     ["es"], {}),
    ("ana_reply", "ana", "¡Sí! Doy clases los sábados en mi taller de Miragaia. ¿Te apuntas?",
     ["es"], {"reply_to": "root"}),
    ("our_reply", "ours", "¡Me encantaría! ¿Cuánto cuesta una clase?", ["es"], {"reply_to": "ana_reply"}),
    ("ana_answer", "ana", "Twenty euros, clay and firing included. Bring an apron!",
     ["en"], {"reply_to": "our_reply"}),
    ("mention", "ana", "Say hi to @rapport.test, who joins my Saturday wheel class 🎉",
     ["en"], {"mentions": ["ours"]}),
    ("quote", "ana", "Mi próxima alumna 😊 My next student!", ["es", "en"], {"quote": "root"}),
)
# (the launcher command, which is also the signal's name; author; the post or person it is about)
SIGNALS = (("like", "ana", "root"), ("repost", "ana", "root"), ("follow", "ana", "ours"))


class RecordingError(RuntimeError):
    """Recording stopped; the message says why, in one line."""


def play_scene(network: LocalBluesky) -> dict[str, Any]:
    """Post and act as in POSTS and SIGNALS; what was made, by name."""
    posts: dict[str, dict[str, Any]] = {}
    for name, author, text, langs, relation in POSTS:
        fields: dict[str, Any] = {"langs": langs, "mentions": relation.get("mentions", [])}
        for key in ("reply_to", "quote"):
            if key in relation:
                fields[key] = posts[relation[key]]["uri"]
        uri = network.post(author, text, **fields)
        posts[name] = {"uri": uri, "author": author, "text": text, "langs": langs, **relation}
        network.process_all()  # the AppView notifies a reply only once it has indexed the parent
        print(f"  posted {name} as {author}", flush=True)
    signals: dict[str, dict[str, Any]] = {}
    for name, author, subject in SIGNALS:
        if name == "follow":
            made = network.command(name, **{"as": author, "subject": subject})
        else:
            made = network.command(name, **{"as": author, "uri": posts[subject]["uri"]})
        signals[name] = {"uri": made["uri"], "author": author, "subject": subject}
        print(f"  {name} by {author}", flush=True)
    network.process_all()
    return {"posts": posts, "signals": signals}


def requests_for(network: LocalBluesky, scene: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The file each answer goes to, and the XRPC query (with its parameters) that answers it."""
    ours, ana = network.accounts["ours"], network.accounts["ana"]
    return {
        "listNotifications.json": ("app.bsky.notification.listNotifications",
                                   {"limit": 100, "priority": "false", "reasons": list(REASONS)}),
        "getPostThread.json": ("app.bsky.feed.getPostThread", {"uri": scene["posts"]["root"]["uri"]}),
        "getProfiles.json": ("app.bsky.actor.getProfiles", {"actors": [ours.did, ana.did]}),
        "getAuthorFeed.json": ("app.bsky.feed.getAuthorFeed",
                               {"actor": ours.did, "filter": "posts_with_replies", "limit": 100}),
    }


def logged_in(pds_url: str, handle: str, password: str) -> tuple[httpx.Client, list[str]]:
    """An HTTP client carrying a fresh session's access token, and that session's tokens."""
    response = httpx.post(
        f"{pds_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": handle, "password": password}, timeout=30.0,
    )
    _check(response, "com.atproto.server.createSession")
    session = response.json()
    client = httpx.Client(
        base_url=pds_url, headers={"Authorization": f"Bearer {session['accessJwt']}"}, timeout=30.0,
    )
    return client, [session["accessJwt"], session["refreshJwt"]]


def query(client: httpx.Client, nsid: str, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/xrpc/{nsid}", params=params)
    _check(response, nsid)
    return response.json()


def _check(response: httpx.Response, nsid: str) -> None:
    if response.status_code != 200:
        raise RecordingError(f"{nsid} answered {response.status_code}: {response.text[:300]}")


def as_json(file: str, data: Any, secrets: Sequence[str]) -> str:
    """Pretty JSON, keys in the server's order; refused if it holds a secret or anything like a JWT."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if any(secret and secret in text for secret in secrets) or JWT_SHAPE.search(text):
        raise RecordingError(f"{file} would hold a password or a token; nothing was written")
    return text


def scene_file(network: LocalBluesky, scene: dict[str, Any], requests: dict[str, Any]) -> dict[str, Any]:
    """Who is who, what was posted, and which request each file answers: so tests need not guess."""
    return {
        "recorded_with": package_versions(),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "our_account": "ours",
        "people": {name: {"did": account.did, "handle": account.handle}
                   for name, account in network.accounts.items()},
        **scene,
        "requests": {file: {"nsid": nsid, "params": params, "as": "ours"}
                     for file, (nsid, params) in requests.items()},
    }


def package_versions() -> dict[str, str]:
    """The installed versions of the dev-env and of the PDS and AppView it runs."""
    versions = {}
    for name in ("dev-env", "pds", "bsky"):
        package = HERE / "node_modules" / "@atproto" / name / "package.json"
        versions[f"@atproto/{name}"] = json.loads(package.read_text(encoding="utf-8"))["version"]
    return versions


def record(network: LocalBluesky) -> dict[str, str]:
    """Each file's name and text; nothing is written until every answer is in (and clean)."""
    print("playing the scene", flush=True)
    scene = play_scene(network)
    ours = network.accounts["ours"]
    client, tokens = logged_in(network.pds_url, ours.handle, ours.password)
    secrets = [*tokens, *(account.password for account in network.accounts.values())]
    requests = requests_for(network, scene)
    files = {}
    with client:
        for file, (nsid, params) in requests.items():
            files[file] = as_json(file, query(client, nsid, params), secrets)
            print(f"  fetched {nsid}", flush=True)
    files["scene.json"] = as_json("scene.json", scene_file(network, scene, requests), secrets)
    return files


def write(files: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        (out / file).write_text(text, encoding="utf-8")
        print(f"  wrote {out / file}", flush=True)


def start_network(workdir: Path) -> LocalBluesky:
    installed_in = ensure_installed()
    if installed_in is not None:
        print(f"npm ci took {installed_in:.0f} s", flush=True)
    postgres_url = os.environ.get("RAPPORT_E2E_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if not postgres_reachable(postgres_url):
        raise Unavailable(f"PostgreSQL is not reachable at {postgres_url}")
    print("starting the local Bluesky network (PLC, PDS, AppView)", flush=True)
    started = time.monotonic()
    network = LocalBluesky(workdir, postgres_url)
    print(f"network up in {time.monotonic() - started:.0f} s at {network.pds_url}", flush=True)
    return network


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write (default {DEFAULT_OUT})")
    out = parser.parse_args(argv).out
    try:
        with tempfile.TemporaryDirectory(prefix="rapport-bluesky-record-") as workdir:
            network = start_network(Path(workdir))
            try:
                files = record(network)
            finally:
                network.close()
        write(files, out)
    except (RuntimeError, httpx.HTTPError, OSError) as exc:  # Unavailable, LauncherError, RecordingError...
        print(f"record_fixtures: error: {type(exc).__name__}: {one_line(str(exc))}", file=sys.stderr)
        return 1
    print(f"recorded {len(files)} files in {out}", flush=True)
    return 0


def one_line(message: str, keep: int = 900) -> str:
    """The message on one line; a long one (a launcher's stderr tail) keeps its start and its end."""
    flat = " ".join(message.split())
    return flat if len(flat) <= keep else f"{flat[: keep // 3]} ... {flat[-(keep - keep // 3):]}"


if __name__ == "__main__":
    sys.exit(main())
