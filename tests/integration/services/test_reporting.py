"""`rapport report`'s figures against a network worked out by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.cli.report_json import report_json
from bot.services.reporting import build_report
from tests.report_fixture import EXPECTED, NOW, QUIET_DAYS, WEEKS, build_network


def _figures(store):  # noqa: ANN001, ANN202
    build_network(store)
    return report_json(build_report(store, now=NOW, weeks=WEEKS, quiet_days=QUIET_DAYS))


def test_the_funnel_now_and_30_and_90_days_ago_matches_the_hand_count(store) -> None:  # noqa: ANN001
    figures = _figures(store)
    assert [{"days_ago": c["days_ago"], "counts": c["counts"]} for c in figures["funnel"]] == EXPECTED["funnel"]
    assert [c["at"] for c in figures["funnel"]] == ["2026-11-26T12:00:00Z", "2026-10-27T12:00:00Z",
                                                    "2026-08-28T12:00:00Z"]


def test_conversations_per_week_count_reciprocal_ones_by_the_week_they_began(store) -> None:  # noqa: ANN001
    figures = _figures(store)
    assert figures["since"] == "2026-11-02T00:00:00Z"
    assert figures["conversations_per_week"] == EXPECTED["conversations_per_week"]


def test_draft_outcomes_count_each_draft_once_and_blocked_ones_by_reason(store) -> None:  # noqa: ANN001
    assert _figures(store)["drafts"] == EXPECTED["drafts"]


def test_going_cold_lists_quiet_relationships_with_their_open_threads(store) -> None:  # noqa: ANN001
    cold = _figures(store)["going_cold"]
    assert cold["quiet_days"] == QUIET_DAYS
    assert [{k: c[k] for k in ("handle", "stage", "days_quiet", "open_threads")} for c in cold["contacts"]] == \
        EXPECTED["going_cold"]


def test_a_report_for_one_account_leaves_the_others_out(store) -> None:  # noqa: ANN001
    from bot.domain.models import Interaction, InteractionKind, Person, Post
    from bot.services.ingest import record_interaction
    from tests.report_fixture import POLICY, at

    build_network(store)
    with store.unit_of_work() as uow:
        uow.state.ensure_account("other", "sandbox", "me@other.example", NOW)
        record_interaction(uow, "other", Interaction("x-in", InteractionKind.MENTION, at(11, 25),
                           Person("u-x", "xavi@other.example"), Post("x-p1", "Hi", "en")), now=NOW, policy=POLICY)
        uow.commit()
    everyone = report_json(build_report(store, now=NOW, weeks=WEEKS, quiet_days=QUIET_DAYS))
    demo = report_json(build_report(store, now=NOW, account="demo", weeks=WEEKS, quiet_days=QUIET_DAYS))
    assert everyone["funnel"][0]["counts"]["first_contact"] == 1
    assert everyone["conversations_per_week"][-1]["conversations"] == 2
    assert [{"days_ago": c["days_ago"], "counts": c["counts"]} for c in demo["funnel"]] == EXPECTED["funnel"]
    assert demo["conversations_per_week"] == EXPECTED["conversations_per_week"]


def test_announcements_made_in_the_period_show_their_hand_counted_results(store) -> None:  # noqa: ANN001
    from tests import report_announce_fixture as fixture

    old, workshop, other = fixture.build_announcements(store)
    everyone = report_json(build_report(store, now=fixture.NOW, weeks=fixture.WEEKS, quiet_days=fixture.QUIET_DAYS))
    assert everyone["since"] == "2026-11-30T00:00:00Z"
    assert [a["id"] for a in everyone["announcements"]] == [workshop, other], "the 11-20 one is before the period"
    assert [{k: v for k, v in a.items() if k != "id"} for a in everyone["announcements"]] == fixture.EXPECTED
    demo = report_json(build_report(store, now=fixture.NOW, account="demo", weeks=fixture.WEEKS,
                                    quiet_days=fixture.QUIET_DAYS))
    assert [a["id"] for a in demo["announcements"]] == [workshop]
    longer = report_json(build_report(store, now=fixture.NOW, account="demo", weeks=fixture.WEEKS + 3,
                                      quiet_days=fixture.QUIET_DAYS))
    assert [(a["id"], a["status"], a["results"]["cancelled"]) for a in longer["announcements"]] == \
        [(old, "cancelled", 2), (workshop, "active", 0)]


def test_a_report_without_announcements_has_an_empty_list(store) -> None:  # noqa: ANN001
    assert _figures(store)["announcements"] == []
