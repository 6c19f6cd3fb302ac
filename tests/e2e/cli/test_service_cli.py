"""`health`, `doctor`, `db upgrade`, `config check`, `contacts` through the real CLI."""

from __future__ import annotations

import json

from tests.e2e.conftest import Rapport


def test_health_fails_before_the_service_ever_ran_and_passes_after(rapport: Rapport) -> None:
    before = rapport("health")
    assert before.exit_code == 1 and "has not reported yet" in before.stderr
    rapport("run", "--once")
    after = rapport("health")
    assert after.exit_code == 0 and after.stdout.startswith("healthy")


def test_db_upgrade_reports_a_current_database(rapport: Rapport) -> None:
    first = rapport("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "0007" in first.stdout
    assert rapport("db", "upgrade").stdout.strip() == "database is current (0007)"


def test_doctor_says_one_line_per_check(rapport: Rapport) -> None:
    result = rapport("doctor")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok   config") and any("database" in line for line in lines)
    assert any(line.startswith("warn account demo: never polled") for line in lines)
    rapport("run", "--once")
    assert rapport("doctor").exit_code == 0


def test_doctor_fails_when_the_events_file_is_missing(rapport: Rapport) -> None:
    (rapport.root / "events.jsonl").unlink()
    result = rapport("doctor")
    assert result.exit_code == 1
    assert any(line.startswith("FAIL account demo credentials: events file not found") for line in result.stdout.splitlines())


def test_contacts_reflect_the_history_stages(rapport: Rapport) -> None:
    rapport("run", "--once")
    stages = {c["handle"]: c["stage"] for c in rapport.json("contacts", "list")}
    assert stages["tom@fedi.example"] == "audience"
    assert stages["lucia@mastodon.example"] == "first_contact"
    assert stages["marta@red.example"] == "acquaintance"
    assert stages["ana@social.example"] == "relationship"
    pablo = rapport.json("contacts", "show", "pablo@social.example")
    assert pablo["opted_out"] is True


def test_trust_is_a_persons_judgement_in_the_audit_log(rapport: Rapport) -> None:
    rapport("run", "--once")
    assert rapport("contacts", "trust", "marta@red.example").exit_code == 0
    shown = rapport.json("contacts", "show", "marta@red.example")
    assert shown["stage"] == "trusted" and shown["trusted"] is True
    assert [a["action"] for a in shown["audit"]] == ["drafted", "trusted"]
    assert shown["audit"][-1]["actor"].startswith("cli:")
    assert rapport("contacts", "untrust", "marta@red.example").exit_code == 0
    assert rapport.json("contacts", "show", "marta@red.example")["stage"] == "acquaintance"


def test_forget_leaves_nothing_of_the_person_in_the_database(rapport: Rapport, database_url: str) -> None:
    rapport("run", "--once")
    rapport("contacts", "note", "jordan@social.example", "Bakes sourdough on Sundays")
    assert rapport("contacts", "forget", "jordan@social.example").exit_code == 0  # as scripts call it
    traces = ("jordan", "sourdough", "mutual aid")
    assert not any(t in json.dumps(rapport.json("contacts", "export")).lower() for t in traces)
    assert not any(t in _every_stored_value(database_url) for t in traces)
    if database_url.startswith("sqlite"):
        rapport("run", "--once")  # more writes, then look at the raw file pages as well
        raw = b"".join(p.read_bytes() for p in rapport.root.glob("rapport.db*")).lower()
        assert not any(t.encode() in raw for t in traces)
    assert rapport("contacts", "show", "jordan@social.example").exit_code == 1


def _every_stored_value(url: str) -> str:
    from sqlalchemy import select

    from bot.store.schema import metadata
    from bot.store.unit_of_work import SqlAlchemyStore

    store = SqlAlchemyStore(url)
    try:
        with store.engine.connect() as connection:
            rows = [row for table in metadata.sorted_tables for row in connection.execute(select(table))]
    finally:
        store.close()
    return " ".join(str(value) for row in rows for value in row).lower()
