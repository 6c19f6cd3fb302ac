"""A profile looked up on its own passes the same validation as an incoming interaction."""

from __future__ import annotations

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Person
from bot.services.profiles import refresh_profiles
from tests.fakes import FakePlatform, RecordingLog

ANA = Person(platform_id="u-ana", handle="ana@social.example", name="Ana", bio="Huerto urbano.")


def _stored_ana(store, clock) -> int:  # noqa: ANN001
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me", clock.now())
        contact, _ = uow.contacts.resolve_tracking("demo", ANA, clock.now())
        uow.commit()
    return contact.id


def test_a_profile_with_a_nul_in_its_bio_is_stored_without_it_on_every_backend(store, clock) -> None:  # noqa: ANN001
    contact_id = _stored_ana(store, clock)
    platform = FakePlatform(needs_profile_lookups=True)
    platform.profiles["u-ana"] = Person(platform_id="u-ana", handle=ANA.handle, name="Ana", bio="Hue\x00rto y abejas.")
    log = RecordingLog()
    refreshed = refresh_profiles(store, platform, [contact_id], clock=clock,
                                 policy=policy_from_settings(Settings()), log=log)
    with store.unit_of_work(read_only=True) as uow:
        ana = uow.contacts.get(contact_id)
    assert refreshed == 1 and ana is not None and ana.bio == "Huerto y abejas."


def test_a_profile_whose_handle_carries_a_bidi_override_is_refused_and_the_stored_one_kept(store, clock) -> None:  # noqa: ANN001
    contact_id = _stored_ana(store, clock)
    platform = FakePlatform(needs_profile_lookups=True)
    platform.profiles["u-ana"] = Person(platform_id="u-ana", handle="ana\u202e@evil.example", name="Ana", bio="x")
    log = RecordingLog()
    refresh_profiles(store, platform, [contact_id], clock=clock, policy=policy_from_settings(Settings()), log=log)
    with store.unit_of_work(read_only=True) as uow:
        ana = uow.contacts.get(contact_id)
    assert ana is not None and ana.handle == ANA.handle and ana.bio == ANA.bio
    assert [event for event in log.events if event["event"] == "profile.rejected"]
