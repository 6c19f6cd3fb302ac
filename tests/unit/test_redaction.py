"""The redactor: secret values and credential shapes out, everything else untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.redaction import REDACTED, Redactor

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"  # a configured token that looks like no token at all
PASSWORD = "correct horse battery staple"
MASTODON_TOKEN = "3Xk9-aZq_Lm2pQr8sTuVwXyZ01234567abcdEFGH"  # 43 base64url characters, as Mastodon issues
JWT = ("eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ"
       ".eyJzY29wZSI6ImNvbS5hdHByb3RvLmFjY2VzcyIsInN1YiI6ImRpZDpwbGM6YWJjIn0.c2lnbmF0dXJl")


@pytest.fixture
def redactor() -> Redactor:
    return Redactor([TOKEN, PASSWORD])


# -- what goes --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    f"token {TOKEN} refused",
    f"login with {PASSWORD}",
    f"form body: password={PASSWORD.replace(' ', '+')}",  # URL-encoded, as in a form
    f'{{"password": "{PASSWORD}"}}',
])
def test_configured_secrets_are_replaced_whatever_their_shape_and_encoding(redactor, text) -> None:
    cleaned = redactor.text(text)
    assert TOKEN not in cleaned and PASSWORD not in cleaned
    assert PASSWORD.replace(" ", "+") not in cleaned and REDACTED in cleaned


@pytest.mark.parametrize(("text", "secret"), [
    (f"Authorization: Bearer {MASTODON_TOKEN}", MASTODON_TOKEN),
    ("authorization=Token abc", "abc"),
    (f"{{'Authorization': 'Bearer {JWT}', 'Accept': 'application/json'}}", JWT),
    (f"session expired: {JWT}", JWT),
    (f"cut short: {JWT[:60]}", JWT[:60]),
    (f"bare {MASTODON_TOKEN} in a message", MASTODON_TOKEN),
    ("Bearer dGhpc2lzYXRva2Vu", "dGhpc2lzYXRva2Vu"),
    ("Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ("app password 2g5h-xk4q-7mvn-p3rt.", "2g5h-xk4q-7mvn-p3rt"),
    ("GET /oauth/token?grant_type=x&client_secret=s3cr3tvalue&code=1", "s3cr3tvalue"),
    ("Client(access_token='hunter22', api_base_url='https://m.example')", "hunter22"),
    ('{"accessJwt": "short-but-keyed", "handle": "ana.test"}', "short-but-keyed"),
    ("postgresql+psycopg://rapport:s3cret@db.internal:5432/rapport", "s3cret"),
])
def test_credential_shapes_are_replaced(redactor, text, secret) -> None:
    cleaned = redactor.text(text)
    assert secret not in cleaned and REDACTED in cleaned


def test_the_scheme_and_the_name_of_a_header_stay_readable(redactor) -> None:
    assert redactor.text(f"Authorization: Bearer {MASTODON_TOKEN}") == f"Authorization: Bearer {REDACTED}"
    assert redactor.text("https://ana:pw12345@h.example/x") == f"https://ana:{REDACTED}@h.example/x"


def test_redacting_twice_changes_nothing_more(redactor) -> None:
    for text in (f"Authorization: Bearer {MASTODON_TOKEN}", f"password={PASSWORD}", f"x {JWT} {TOKEN}"):
        once = redactor.text(text)
        assert redactor.text(once) == once


def test_nested_values_and_secret_named_keys_are_redacted(redactor) -> None:
    event = {
        "event": "http.request",
        "headers": {"Authorization": "anything", "Accept": "application/json"},
        "attempts": [{"body": f"password={PASSWORD}"}, (TOKEN, 3)],
        "access_token": "short",
        "token_env": "RAPPORT_MASTODON_TOKEN",
        "password": None,
    }
    out = redactor(None, "info", event)
    assert out["headers"] == {"Authorization": REDACTED, "Accept": "application/json"}
    assert out["attempts"] == [{"body": f"password={REDACTED}"}, (REDACTED, 3)]
    assert out["access_token"] == REDACTED
    assert out["token_env"] == "RAPPORT_MASTODON_TOKEN"  # the name of a variable is no secret
    assert out["password"] is None  # "no password set" is worth seeing


def test_objects_are_judged_by_the_repr_the_renderers_would_print(redactor) -> None:
    error = ValueError(f"server said: bad token {TOKEN}")
    out = redactor(None, "error", {"event": "failed", "error": error, "count": 3, "ratio": 0.5})
    assert TOKEN not in str(out) and out["count"] == 3 and out["ratio"] == 0.5
    kept = redactor(None, "info", {"event": "ok", "error": ValueError("timeout")})
    assert isinstance(kept["error"], ValueError)  # nothing to hide: the object itself stays


def test_values_too_short_to_be_told_from_words_are_not_remembered() -> None:
    redactor = Redactor(["abc", "", None, "   "])
    assert redactor.text("abc is a word") == "abc is a word"


# -- what stays -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Hola @ana@mastodon.social, ¿cómo va el proyecto? Nos vemos el martes.",
    "Gracias por el hilo: me ha servido muchísimo para entender la contraseña de aplicación.",
    "El token de acceso caducó ayer; vuelve a ejecutar `rapport auth`.",
    "Thanks @dan.test! The token was refused, so run `rapport doctor` and log in again.",
    "Basic Understanding of the Bearer responsibilities, and a long-term-care-plan too.",
    "Authorization header missing",
    "https://bsky.app/profile/did:plc:rapportourownaccount/post/3kourreply000",
    "https://localhost:3000/@admin/117020576916218297",
    "at://did:plc:appviewuser1/app.bsky.feed.post/3ka00000000001 bafyreisnapshota1",
    "draft 123e4567-e89b-12d3-a456-426614174000 key draft-d1-v1 on 2026-11-26T12:00:00.000Z",
    "sha256:e081a26d6c373e6d201eca24eede26d8ffab07f88f477822e679183428d3d91e",
    "set RAPPORT_MASTODON_TOKEN or token_file (RAPPORT_POLICY__PITCH__MIN_STAGE=trusted)",
    "/data/sessions/main.bluesky-session mode 0600, instance host:1234:ab12cd",
    "test_a_full_mastodon_pass_with_debug_logs_never_prints_the_token",
])
def test_ordinary_text_handles_urls_and_ids_are_untouched(redactor, text) -> None:
    assert redactor.text(text) == text


def test_the_evaluation_sets_spanish_and_english_messages_are_untouched(redactor) -> None:
    """Thousands of ordinary posts, with prices, links, handles and hyphenated words."""
    texts = [json.loads(line).get("text") or "" for path in sorted((ROOT / "tests" / "data").glob("pitch_*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(texts) > 1000
    assert [t for t in texts if redactor.text(t) != t] == []


def test_recorded_bluesky_and_mastodon_answers_are_untouched(redactor) -> None:
    """Real ids, handles, DIDs, CIDs, URLs and blurhashes, as the servers sent them."""
    bluesky = sorted((ROOT / "tests" / "fixtures" / "bluesky" / "recorded").glob("*.json"))
    bodies = [path.read_text(encoding="utf-8") for path in bluesky]
    for cassette in ("test_notifications", "test_status_reply", "test_account", "test_fetch_next_previous"):
        data = yaml.safe_load((ROOT / "tests" / "fixtures" / "mastodon" / f"{cassette}.yaml").read_text())
        bodies += [item["response"]["body"]["string"] for item in data["interactions"]]
    assert len(bodies) > 10
    assert [body[:200] for body in bodies if redactor.text(body) != body] == []
