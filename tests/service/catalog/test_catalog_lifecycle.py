"""Every lifecycle move, legal and illegal; time guards at the second; the rules snapshot."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from procurement.audit.models import AuditEvent
from procurement.auth.services import actor_of
from procurement.catalog import rules as award_rules
from procurement.catalog import services
from procurement.catalog.lifecycle import MOVES, TenderStatus
from procurement.core.errors import Conflict, Forbidden, RuleViolation

S = TenderStatus
SECOND = timedelta(seconds=1)
LEGAL = {(m.source, m.target) for m in MOVES}
ILLEGAL = [(a, b) for a in S for b in S if (a, b) not in LEGAL]


def _due(tender, target):
    """A moment at which the move's time guard (if any) is met."""
    return {
        S.BIDDING_OPEN: tender.demand_deadline,
        S.BIDDING_CLOSED: tender.bid_deadline,
        S.OPENED: tender.opening_at,
    }.get(target)


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_every_legal_move_changes_the_state_and_is_audited(
    db_session, clock, make_tender, regulator, source, target
):
    tender = make_tender(source.value)
    now = max(clock.now(), _due(tender, target) or clock.now())
    before = db_session.scalar(select(func.count(AuditEvent.id)))
    services.transition(db_session, tender, target, now=now, actor=actor_of(regulator))
    db_session.commit()
    assert tender.status == target
    assert tender.status_changed_at == now
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before + 1
    assert event.action == "tender.status_changed"
    assert event.payload == {"from": source.value, "to": target.value}


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_move_is_a_conflict_naming_the_state_and_the_allowed_moves(
    db_session, clock, make_tender, regulator, source, target
):
    tender = make_tender(source.value)
    with pytest.raises(Conflict) as caught:
        services.transition(
            db_session,
            tender,
            target,
            now=clock.now() + timedelta(days=60),
            actor=actor_of(regulator),
        )
    error = caught.value
    assert error.code == "illegal-transition"
    assert f"'{source.value}'" in error.detail
    assert error.extra["current_status"] == source.value
    expected = [m.target.value for m in MOVES if m.source == source]
    assert error.extra["allowed"] == expected
    db_session.refresh(tender)
    assert tender.status == source


@pytest.mark.parametrize(
    ("status", "target", "deadline"),
    [
        ("demand_open", S.BIDDING_OPEN, "demand_deadline"),
        ("bidding_open", S.BIDDING_CLOSED, "bid_deadline"),
        ("bidding_closed", S.OPENED, "opening_at"),
    ],
)
def test_timed_moves_are_refused_one_second_early_and_allowed_at_the_time(
    db_session, make_tender, regulator, status, target, deadline
):
    tender = make_tender(status)
    due = getattr(tender, deadline)
    actor = actor_of(regulator)
    with pytest.raises(Conflict) as caught:
        services.transition(db_session, tender, target, now=due - SECOND, actor=actor)
    assert caught.value.code == "too-early"
    assert tender.status == TenderStatus(status)
    services.transition(db_session, tender, target, now=due, actor=actor)
    assert tender.status == target


def test_open_bidding_service_uses_the_clock_it_is_given(db_session, clock, make_tender, regulator):
    tender = make_tender("demand_open")
    actor = actor_of(regulator)
    with pytest.raises(Conflict):
        services.open_bidding(db_session, tender_id=tender.id, now=clock.now(), actor=actor)
    clock.set(tender.demand_deadline + SECOND)
    services.open_bidding(db_session, tender_id=tender.id, now=clock.now(), actor=actor)
    assert tender.status == S.BIDDING_OPEN


def test_leaving_draft_freezes_the_rules_with_the_tenders_overrides(
    db_session, clock, make_tender, regulator
):
    tender = make_tender(
        "draft", rules_preset="national-2021", rules_overrides={"win_multiple": "2.0"}
    )
    assert tender.rules_snapshot is None
    services.open_demand(
        db_session, tender_id=tender.id, now=clock.now(), actor=actor_of(regulator)
    )
    snap = tender.rules_snapshot
    assert snap["name"] == "national-2021"
    assert snap["selection"]["win_multiple"] == "2.0"
    assert snap["selection"]["cut_rule"] is True
    assert snap["selection"]["max_winners_table"] == list(award_rules.MAX_WINNERS_BATCH9)


def test_a_later_change_to_a_preset_does_not_alter_a_frozen_snapshot(
    db_session, make_tender, monkeypatch
):
    tender = make_tender("demand_open")
    frozen = dict(tender.rules_snapshot)
    changed = award_rules.preset("national-2024", win_multiple="3.0", revival=False)
    monkeypatch.setitem(award_rules.PRESETS, "national-2024", changed)
    db_session.expire(tender)
    assert tender.rules_snapshot == frozen
    assert services.rules_of(tender).selection.win_multiple == award_rules.Decimal("1.8")
    assert services.rules_of(tender).selection.revival is True


def test_opening_demand_without_lots_is_refused(db_session, clock, make_tender, regulator):
    tender = make_tender("draft", lots=0)
    with pytest.raises(RuleViolation) as caught:
        services.open_demand(
            db_session, tender_id=tender.id, now=clock.now(), actor=actor_of(regulator)
        )
    assert caught.value.code == "tender-without-lots"
    assert tender.status == S.DRAFT
    assert tender.rules_snapshot is None


def test_opening_demand_after_its_deadline_is_refused(db_session, make_tender, regulator):
    tender = make_tender("draft")
    with pytest.raises(RuleViolation) as caught:
        services.open_demand(
            db_session, tender_id=tender.id, now=tender.demand_deadline, actor=actor_of(regulator)
        )
    assert "demand_deadline" in caught.value.extra["errors"]


@pytest.mark.parametrize("kind", ["fund", "hospital", "manufacturer", "distributor"])
def test_only_a_regulator_moves_a_tender(db_session, clock, make_tender, make_actor, kind):
    tender = make_tender("draft")
    with pytest.raises(Forbidden):
        services.transition(
            db_session, tender, S.DEMAND_OPEN, now=clock.now(), actor=make_actor(kind)
        )
    assert tender.status == S.DRAFT


def test_another_regulator_cannot_move_a_tender_it_does_not_own(
    db_session, clock, make_tender, make_actor
):
    tender = make_tender("demand_open")
    other = make_actor("regulator")
    with pytest.raises(Forbidden) as caught:
        services.transition(
            db_session, tender, S.BIDDING_OPEN, now=tender.demand_deadline, actor=other
        )
    assert caught.value.code == "not-tender-owner"


@pytest.mark.parametrize("target", ["opened", "awarded", "in_force", "closed"])
def test_steps_owned_by_later_areas_are_not_made_on_their_own(
    db_session, clock, make_tender, regulator, target
):
    source = {
        "opened": "bidding_closed",
        "awarded": "opened",
        "in_force": "awarded",
        "closed": "in_force",
    }[target]
    tender = make_tender(source)
    with pytest.raises(Conflict) as caught:
        services.change_tender_status(
            db_session,
            tender_id=tender.id,
            to=target,
            now=clock.now() + timedelta(days=9),
            actor=actor_of(regulator),
        )
    assert caught.value.code == "transition-not-manual"
    assert tender.status == S(source)
