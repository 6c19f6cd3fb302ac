"""Profile refreshes on a Mastodon-compatible server (mastodon_fake.py, through Mastodon.py): an
account a notification carried is not asked for again, and the private notes of many people come
in one `relationships` call. The last test counts the requests of a whole poll and refresh."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from mastodon_fake import MASTODON, TOKEN

from bot.domain.models import Person
from tests.fakes import FakeClock

RELATIONSHIPS = "/api/v1/accounts/relationships"


@pytest.fixture
def server(fake_mastodon: Any) -> Any:
    return fake_mastodon(MASTODON)


def mentions_from(server: Any, count: int, people: int) -> None:
    """`count` mentions, person n % `people` writing mention n."""
    for n in range(1, count + 1):
        server.mention(n, username=f"person{n % people}", account_id=str(3_000 + n % people))


def poll_all(client: Any) -> list[Person]:
    """Every author polled, in order of first appearance."""
    people: dict[str, Person] = {}
    cursor, more = "0", True
    while more:
        batch = client.fetch_new(cursor)
        people.update({i.person.platform_id: i.person for i in batch.interactions if i.person.platform_id
                       not in people})
        cursor, more = batch.cursor, batch.more
    return list(people.values())


def asked_since(server: Any, start: int) -> list[tuple[str, Any]]:
    return server.asked[start:]


def test_people_whose_notifications_carried_their_accounts_cost_one_request_for_all_notes(server, client):
    mentions_from(server, 60, people=21)
    server.notes = {"3005": "met at the birding club", "3017": "likes kilns"}
    people = poll_all(client)
    start = len(server.asked)

    profiles = client.lookup_many(people)

    [(path, args)] = asked_since(server, start)
    assert path == RELATIONSHIPS and sorted(args.getlist("id[]")) == sorted(p.platform_id for p in people)
    assert [p.handle for p in profiles] == [p.handle for p in people]
    notes = {p.platform_id: p.note for p in profiles}
    assert (notes["3005"], notes["3017"], notes["3001"]) == ("met at the birding club", "likes kilns", "")


def test_a_person_no_notification_carried_is_looked_up_and_read_with_the_others(server, client):
    mentions_from(server, 3, people=3)
    carried = poll_all(client)
    stranger = server.mention(99, username="stranger")["account"]  # on the server, never polled
    server.notes = {stranger["id"]: "asked about glazes"}
    start = len(server.asked)

    profiles = client.lookup_many([*carried, Person(stranger["id"], "stranger@localhost:3000")])

    paths = [path for path, _ in asked_since(server, start)]
    assert paths == [f"/api/v1/accounts/{stranger['id']}", RELATIONSHIPS]
    assert profiles[-1].handle == "stranger@localhost:3000" and profiles[-1].note == "asked about glazes"


def test_notes_are_read_40_people_at_a_time(server, client):
    mentions_from(server, 90, people=90)
    people = poll_all(client)
    start = len(server.asked)

    client.lookup_many(people)

    sizes = [len(args.getlist("id[]")) for path, args in asked_since(server, start) if path == RELATIONSHIPS]
    assert sizes == [40, 40, 10] and client.profiles_per_batch == 40


def test_a_carried_account_serves_one_refresh_only(server, client):
    mentions_from(server, 2, people=2)
    people = poll_all(client)
    client.lookup_many(people)
    start = len(server.asked)

    client.lookup_many(people)  # a day later, say: the server is asked again

    paths = Counter(path for path, _ in asked_since(server, start))
    assert paths == {"/api/v1/accounts/3000": 1, "/api/v1/accounts/3001": 1, RELATIONSHIPS: 1}


def test_a_person_gone_is_none_and_the_others_keep_their_notes(server, client):
    mentions_from(server, 2, people=2)
    people = poll_all(client)
    server.notes = {"3001": "a potter"}

    profiles = client.lookup_many([Person("404404", "gone@localhost:3000"), *people])

    assert profiles[0] is None
    assert {p.platform_id: p.note for p in profiles[1:]} == {"3000": "", "3001": "a potter"}


def test_without_read_follows_profiles_come_back_without_notes(server, client, log):
    mentions_from(server, 2, people=2)
    people = poll_all(client)
    server.tokens[TOKEN] = {"read:notifications", "read:accounts", "read:statuses"}

    profiles = client.lookup_many(people)

    assert [p.note for p in profiles] == ["", ""] and [p.handle for p in profiles] == [p.handle for p in people]
    assert log.named("mastodon.note_unavailable")


# -- the whole refresh: requests per person ---------------------------------------------------


@pytest.mark.parametrize(("count", "people"), [(170, 21), (90, 45)])
def test_a_poll_and_its_profile_refresh_cost_the_pages_and_one_request_per_40_new_people(
    server, client, tmp_path, count, people
):
    """The issue's first run: 170 mentions from 21 people took 46 requests, two per person."""
    from bot.bootstrap import policy_from_settings
    from bot.config import Settings
    from bot.services.ingest import poll_account
    from bot.services.profiles import refresh_profiles
    from bot.store.unit_of_work import SqlAlchemyStore

    mentions_from(server, count, people)
    store, clock = SqlAlchemyStore(f"sqlite:///{tmp_path / 'rapport.db'}"), FakeClock(datetime.now(UTC))
    policy, log = policy_from_settings(Settings()), _Quiet()
    with store.unit_of_work() as uow:
        uow.state.ensure_account("main", "mastodon", "mastodonpy_test@localhost:3000", clock.now())
        uow.state.save_poll_state("main", cursor="0")
        uow.commit()

    report = poll_account(store, client, "main", clock=clock, policy=policy, log=log)
    refreshed = refresh_profiles(store, client, report.contacts, clock=clock, policy=policy, log=log)
    store.close()

    asked = Counter("account" if path.startswith("/api/v1/accounts/") and path != RELATIONSHIPS else path
                    for path, _ in server.asked)
    pages = count // 80 + 1
    assert (report.stored, refreshed) == (count, people)
    assert asked == {"/api/v1/notifications": pages, RELATIONSHIPS: math.ceil(people / 40)}


class _Quiet:
    def __getattr__(self, _: str) -> Any:
        return lambda *args, **kwargs: None
