"""Profile refreshes on Bluesky, through respx: the author of a notification comes with a profile
view (bio included) and is not asked for again; everyone else is asked for 25 per getProfiles
call, including through the profile refresh after a poll. Helpers and fixtures are `test_bluesky.py`'s."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from bot.domain.models import Person
from tests.integration.platforms.test_bluesky import (  # noqa: F401  (fixtures pytest finds by name)
    EPOCH,
    _restore,
    bsky_clock,
    make_client,
    many_mentions,
    notification_page,
    session_path,
    xrpc,
)


def author(k: int) -> dict[str, Any]:
    return {"did": f"did:plc:person{k:04d}", "handle": f"person{k}.test", "displayName": f"Person {k}",
            "description": f"Bio of person {k}", "labels": [], "viewer": {"muted": False}}


def mentions_by(people: int, count: int) -> list[dict[str, Any]]:
    items = many_mentions(count)
    for n, item in enumerate(items):
        item["author"] = dict(copy.deepcopy(item["author"]), **author(n % people))
    return items


def serve_profiles(respx_mock: Any) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        asked = request.url.params.get_list("actors")
        known = [author(int(did.removeprefix("did:plc:person"))) for did in asked if did.startswith("did:plc:person")]
        return httpx.Response(200, json={"profiles": known})

    return xrpc(respx_mock, "app.bsky.actor.getProfiles", side_effect=answer)


def asked_actors(route: Any) -> list[list[str]]:
    return [call.request.url.params.get_list("actors") for call in route.calls]


def test_authors_of_polled_notifications_cost_no_request_and_others_are_asked_for(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(mentions_by(30, 90)))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})
    route = serve_profiles(respx_mock)
    client = make_client()
    polled = {i.person.platform_id: i.person for i in client.fetch_new(EPOCH).interactions}
    answered_only = Person("did:plc:person0077", "person77.test")  # known from our own replies

    profiles = client.lookup_many([*polled.values(), answered_only])

    assert asked_actors(route) == [["did:plc:person0077"]]
    assert [p.bio for p in profiles] == [f"Bio of person {int(did[-4:])}" for did in polled] + ["Bio of person 77"]


def test_people_are_asked_for_25_per_call_in_their_order(respx_mock, make_client, session_path):
    _restore(session_path)
    route = serve_profiles(respx_mock)
    people = [Person(f"did:plc:person{k:04d}", f"person{k}.test") for k in range(59)]
    people.append(Person("did:plc:gone", "gone.test"))

    profiles = make_client().lookup_many(people)

    assert [len(actors) for actors in asked_actors(route)] == [25, 25, 10]
    assert [p.handle for p in profiles[:-1]] == [p.handle for p in people[:-1]] and profiles[-1] is None


def test_the_profile_refresh_after_a_poll_asks_25_people_per_call(
    respx_mock, make_client, session_path, bsky_clock, tmp_path
):
    from bot.bootstrap import policy_from_settings
    from bot.config import Settings
    from bot.services.profiles import refresh_profiles
    from bot.store.unit_of_work import SqlAlchemyStore

    _restore(session_path)
    route = serve_profiles(respx_mock)
    store = SqlAlchemyStore(f"sqlite:///{tmp_path / 'rapport.db'}")
    with store.unit_of_work() as uow:
        uow.state.ensure_account("main", "bluesky", "rapport.test", bsky_clock.now())
        ids = [uow.contacts.resolve_tracking("main", Person(f"did:plc:person{k:04d}", f"person{k}.test"),
                                             bsky_clock.now())[0].id for k in range(60)]
        uow.commit()

    refreshed = refresh_profiles(store, make_client(), ids, clock=bsky_clock,
                                 policy=policy_from_settings(Settings()), log=_Quiet())

    with store.unit_of_work(read_only=True) as uow:
        bios = {uow.contacts.get(i).bio for i in ids}
    store.close()
    assert refreshed == 60 and [len(actors) for actors in asked_actors(route)] == [25, 25, 10]
    assert bios == {f"Bio of person {k}" for k in range(60)}


class _Quiet:
    def __getattr__(self, _: str) -> Any:
        return lambda *args, **kwargs: None
