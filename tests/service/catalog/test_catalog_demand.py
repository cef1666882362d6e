"""Demand reports: revisions, isolation between hospitals, the deadline to the second, region
scope, the regulator's totals and confirmation."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from procurement.audit.services import verify_chain
from procurement.auth.services import actor_of
from procurement.catalog import services
from procurement.catalog.models import DemandReport, DemandRevision
from procurement.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

SECOND = timedelta(seconds=1)


def submit(session, tender, user, rows, now):
    lines = [{"lot_code": c, "quantity": q, "last_year_usage": u} for c, q, u in rows]
    return services.submit_demand(
        session, tender_id=tender.id, lines=lines, now=now, actor=actor_of(user)
    )


def test_a_revision_updates_the_report_and_keeps_every_version(
    db_session, clock, make_tender, make_user
):
    tender = make_tender("demand_open")
    hospital = make_user(kind="hospital")
    submit(db_session, tender, hospital, [("L01", 1000, 900)], clock.now())
    clock.advance(hours=2)
    [report] = submit(db_session, tender, hospital, [("L01", 1500, 900)], clock.now())
    assert (report.quantity, report.version) == (1500, 2)
    assert report.updated_at == clock.now()
    assert report.submitted_at == clock.now() - timedelta(hours=2)
    assert [(r.version, r.quantity) for r in report.revisions] == [(1, 1000), (2, 1500)]
    assert verify_chain(db_session).ok


def test_resubmitting_the_same_numbers_adds_no_revision(db_session, clock, make_tender, make_user):
    tender = make_tender("demand_open")
    hospital = make_user(kind="hospital")
    submit(db_session, tender, hospital, [("L01", 10, 9)], clock.now())
    [report] = submit(db_session, tender, hospital, [("L01", 10, 9)], clock.now())
    assert report.version == 1
    assert db_session.scalar(select(func.count(DemandRevision.id))) == 1


def test_a_hospital_never_sees_another_hospitals_report(db_session, make_tender, make_demand):
    tender = make_tender("demand_open")
    alice = make_demand(tender, quantities={"L01": 100})
    bob = make_demand(tender, quantities={"L01": 7})
    mine = services.list_demand(db_session, tender_id=tender.id, actor=actor_of(alice))
    assert [(r.hospital_id, r.quantity) for r in mine] == [(alice.organization_id, 100)]
    bobs = db_session.scalar(
        select(DemandReport.id).where(DemandReport.hospital_id == bob.organization_id)
    )
    with pytest.raises(NotFound):
        services.get_demand_report(db_session, report_id=bobs, actor=actor_of(alice))
    own = services.get_demand_report(db_session, report_id=bobs, actor=actor_of(bob))
    assert own.quantity == 7


def test_one_hospitals_revision_does_not_touch_anothers(
    db_session, clock, make_tender, make_demand
):
    tender = make_tender("demand_open")
    alice = make_demand(tender, quantities={"L01": 100})
    bob = make_demand(tender, quantities={"L01": 7})
    submit(db_session, tender, alice, [("L01", 300, 0)], clock.now())
    quantities = dict(
        db_session.execute(select(DemandReport.hospital_id, DemandReport.quantity)).all()
    )
    assert quantities == {alice.organization_id: 300, bob.organization_id: 7}


def test_demand_is_accepted_one_second_before_the_deadline_and_refused_at_it(
    db_session, make_tender, make_user
):
    tender = make_tender("demand_open")
    hospital = make_user(kind="hospital")
    submit(db_session, tender, hospital, [("L01", 1, 1)], tender.demand_deadline - SECOND)
    with pytest.raises(Conflict) as caught:
        submit(db_session, tender, hospital, [("L01", 2, 1)], tender.demand_deadline)
    assert caught.value.code == "demand-closed"
    assert db_session.scalar(select(DemandReport.quantity)) == 1
    with pytest.raises(Conflict):
        submit(db_session, tender, hospital, [("L01", 2, 1)], tender.demand_deadline + SECOND)


@pytest.mark.parametrize("status", ["draft", "bidding_open", "bidding_closed", "opened", "awarded"])
def test_demand_cannot_be_reported_outside_demand_open(
    db_session, clock, make_tender, make_user, status
):
    tender = make_tender(status)
    hospital = make_user(kind="hospital")
    error = NotFound if status == "draft" else Conflict
    with pytest.raises(error):
        submit(db_session, tender, hospital, [("L01", 1, 1)], clock.now())


def test_a_hospital_outside_the_region_scope_cannot_report(
    db_session, clock, make_tender, make_user
):
    tender = make_tender("demand_open", region_scope=["320000"])
    shanghai = make_user(kind="hospital", region_code="310101")
    with pytest.raises(Forbidden) as caught:
        submit(db_session, tender, shanghai, [("L01", 1, 1)], clock.now())
    assert caught.value.code == "outside-region-scope"
    jiangsu = make_user(kind="hospital", region_code="320102")
    [report] = submit(db_session, tender, jiangsu, [("L01", 1, 1)], clock.now())
    assert report.province_code == "320000"


@pytest.mark.parametrize("kind", ["regulator", "fund", "manufacturer", "distributor"])
def test_only_hospitals_report_demand(db_session, clock, make_tender, make_user, kind):
    tender = make_tender("demand_open")
    with pytest.raises(Forbidden):
        submit(
            db_session,
            tender,
            make_user(kind=kind, region_code="310000"),
            [("L01", 1, 1)],
            clock.now(),
        )


def test_a_read_only_hospital_user_cannot_report(db_session, clock, make_tender, make_user):
    tender = make_tender("demand_open")
    with pytest.raises(Forbidden) as caught:
        submit(
            db_session,
            tender,
            make_user(kind="hospital", role="viewer"),
            [("L01", 1, 1)],
            clock.now(),
        )
    assert caught.value.code == "read-only-role"


def test_bad_rows_name_the_row_and_save_nothing(db_session, clock, make_tender, make_user):
    tender = make_tender("demand_open")
    with pytest.raises(ValidationFailed) as caught:
        submit(
            db_session,
            tender,
            make_user(kind="hospital"),
            [("L01", 5, 1), ("L07", 1, 1), ("L02", -1, 0)],
            clock.now(),
        )
    assert set(caught.value.extra["errors"]) == {"rows.1.lot_code", "rows.2.quantity"}
    assert db_session.scalar(select(func.count(DemandReport.id))) == 0


def test_totals_add_up_per_lot_and_per_province(db_session, make_tender, make_demand, regulator):
    tender = make_tender("demand_open")
    make_demand(tender, quantities={"L01": 1000, "L02": 10})
    make_demand(tender, quantities={"L01": 250})
    make_demand(tender, quantities={"L01": 40}, region="320582")
    totals = services.demand_totals(db_session, tender_id=tender.id, actor=actor_of(regulator))
    by_lot = {t.lot_code: (t.hospitals, t.quantity, t.last_year_usage) for t in totals.lots}
    assert by_lot == {"L01": (3, 1290, 900 + 225 + 36), "L02": (1, 10, 9)}
    by_region = {(r.lot_code, r.province_code): (r.hospitals, r.quantity) for r in totals.regions}
    assert by_region == {
        ("L01", "310000"): (2, 1250),
        ("L01", "320000"): (1, 40),
        ("L02", "310000"): (1, 10),
    }
    assert totals.confirmed is False


def test_confirmation_takes_the_reported_quantity_unless_adjusted(
    db_session, clock, make_tender, make_demand, regulator
):
    tender = make_tender("demand_open")
    alice = make_demand(tender, quantities={"L01": 1000, "L02": 10})
    make_demand(tender, quantities={"L01": 250})
    alice_l01 = db_session.scalar(
        select(DemandReport.id).where(
            DemandReport.hospital_id == alice.organization_id,
            DemandReport.lot_id == tender.lots[0].id,
        )
    )
    totals = services.confirm_demand(
        db_session,
        tender_id=tender.id,
        adjustments=[{"report_id": alice_l01, "confirmed_quantity": 800}],
        now=tender.demand_deadline,
        actor=actor_of(regulator),
    )
    assert {t.lot_code: (t.quantity, t.confirmed_quantity) for t in totals.lots} == {
        "L01": (1250, 1050),
        "L02": (10, 10),
    }
    assert totals.confirmed is True
    demand = services.confirmed_demand(db_session, lot_id=tender.lots[0].id)
    assert sorted(d.quantity for d in demand) == [250, 800]


def test_demand_cannot_be_confirmed_before_the_deadline(
    db_session, make_tender, make_demand, regulator
):
    tender = make_tender("demand_open")
    make_demand(tender)
    with pytest.raises(Conflict) as caught:
        services.confirm_demand(
            db_session,
            tender_id=tender.id,
            now=tender.demand_deadline - SECOND,
            actor=actor_of(regulator),
        )
    assert caught.value.code == "demand-not-confirmable"
    assert (
        db_session.scalar(
            select(func.count(DemandReport.id)).where(DemandReport.confirmed_quantity.is_not(None))
        )
        == 0
    )


def test_an_adjustment_of_a_report_from_another_tender_is_refused(
    db_session, make_tender, make_demand, regulator
):
    first, second = make_tender("demand_open"), make_tender("demand_open")
    make_demand(first)
    make_demand(second)
    foreign = db_session.scalar(select(DemandReport.id).where(DemandReport.tender_id == second.id))
    with pytest.raises(ValidationFailed) as caught:
        services.confirm_demand(
            db_session,
            tender_id=first.id,
            adjustments=[{"report_id": foreign, "confirmed_quantity": 1}],
            now=first.demand_deadline,
            actor=actor_of(regulator),
        )
    assert "adjustments.0.report_id" in caught.value.extra["errors"]
    assert first.lots[0].confirmation is None


def test_the_award_reads_only_confirmed_demand(db_session, make_tender, make_demand):
    tender = make_tender("demand_open")
    make_demand(tender)
    with pytest.raises(Conflict) as caught:
        services.confirmed_demand(db_session, lot_id=tender.lots[0].id)
    assert caught.value.code == "demand-not-confirmed"


def test_the_factory_reports_and_confirms_demand_for_later_states(db_session, make_tender):
    tender = make_tender(
        "bidding_open", demand=[(None, {"L01": 600}), (None, {"L01": 400, "L02": 5})]
    )
    assert (
        sum(d.quantity for d in services.confirmed_demand(db_session, lot_id=tender.lots[0].id))
        == 1000
    )
    assert tender.lots[1].confirmation.total_confirmed == 5
