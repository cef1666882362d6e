"""Supply risk on a real database: HHI and shares from the contracts, the backup the award
named and its spare capacity, headroom, the no-backup alert (raised once, closed when a backup
with spare capacity is named), and a rising late-delivery rate from real orders and deliveries
moved through the injectable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from procurement.auth.services import actor_of
from procurement.compliance.alerts.models import Alert, AlertKind
from procurement.compliance.services import evaluate_alerts
from procurement.compliance.supply_risk.services import lot_supply_risk, tender_supply_risk
from procurement.orders import services as orders


def _no_backup_alerts(session, lot_id):
    query = select(Alert).where(Alert.kind == AlertKind.NO_BACKUP, Alert.lot_id == lot_id)
    return list(session.scalars(query.order_by(Alert.id)))


def test_hhi_of_a_lot_shared_60_40_is_5200(db_session, clock, risk_world, regulator):
    """A 600 + B 400 in one region: shares 0.6 / 0.4, HHI 3,600 + 1,600 = 5,200; backup C
    (capacity 2,000, nothing agreed) has 2,000 spare, enough for the region's 1,000."""
    world = risk_world(
        supplies={"320000": {"A": 600, "B": 400}},
        capacities={"A": 1000, "B": 1000, "C": 2000},
        backups={"320000": "C"},
    )
    report = lot_supply_risk(
        db_session, lot_id=world.lot.id, actor=_reg(regulator), now=clock.now()
    )
    risk = report.risk
    (region,) = risk.regions
    assert (risk.agreed, risk.hhi, region.hhi) == (1000, 5200, 5200)
    assert [(s.winner.id, s.agreed, str(s.share)) for s in region.shares] == [
        (world.maker_id("A"), 600, "0.6"),
        (world.maker_id("B"), 400, "0.4"),
    ]
    assert (region.backup.winner.id, region.backup.spare) == (world.maker_id("C"), 2000)
    # headroom of the suppliers (the backup supplies nothing): A 1,000 - 600 = 400;
    # B 1,000 - 400 = 600; only concentration scores (10)
    assert {w.name: w.headroom for w in risk.winners} == {
        world.makers["A"].organization.name: 400,
        world.makers["B"].organization.name: 600,
    }
    assert region.score == 10


def _reg(user):
    return actor_of(user)


def test_a_region_with_one_winner_and_no_backup_raises_one_alert_closed_when_a_backup_appears(
    db_session, clock, risk_world, regulator
):
    """310000 is served by A alone (500) and the award named no backup there: score 20 (one
    supplier) + 35 (no backup) = 55, high. The check raises one alert, a second check none;
    when the award names C (capacity 1,000, nothing agreed: 1,000 spare) the next check
    closes it."""
    world = risk_world(
        supplies={"320000": {"A": 600, "B": 400}, "310000": {"A": 500}},
        capacities={"A": 3000, "B": 3000, "C": 1000},
        backups={"320000": "C"},
    )
    report = tender_supply_risk(
        db_session, tender_id=world.tender.id, actor=_reg(regulator), now=clock.now()
    )
    (lot,) = report.lots
    alone = next(r for r in lot.regions if r.region == "310000")
    assert (alone.single_winner, alone.backup, alone.score, lot.score, lot.level) == (
        True,
        None,
        55,
        55,
        "high",
    )
    assert [r.region for r in lot.without_backup] == ["310000"]
    assert "No backup supplier is named for this region." in alone.reasons
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _no_backup_alerts(db_session, world.lot.id)
    again = evaluate_alerts(db_session, now=clock.now())
    assert _no_backup_alerts(db_session, world.lot.id) == [alert]
    assert (alert.region_code, alert.severity.value, alert.status.value) == (
        "310000",
        "high",
        "open",
    )
    assert alert.tender_id == world.tender.id
    assert alert.facts == {"agreed": 500, "backup_id": None, "backup_spare": None}
    assert again.raised == 0
    world.result.backups = {**world.result.backups, "310000": world.bids["C"].id}
    db_session.commit()
    evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert (alert.status.value, alert.open_key) == ("resolved", None)
    assert len(_no_backup_alerts(db_session, world.lot.id)) == 1


def test_a_backup_without_spare_capacity_is_no_backup(db_session, clock, risk_world, regulator):
    """C is the backup in 320000 but already agreed 300 in 330000 with capacity 300: spare
    0. 320000 scores 20 (one supplier) + 25 (backup without spare) = 45; the alert is a
    warning naming the spare 0."""
    world = risk_world(
        supplies={"320000": {"A": 700}, "330000": {"C": 300}},
        capacities={"A": 2000, "C": 300},
        backups={"320000": "C", "330000": "A"},
    )
    report = lot_supply_risk(
        db_session, lot_id=world.lot.id, actor=_reg(regulator), now=clock.now()
    )
    region = next(r for r in report.risk.regions if r.region == "320000")
    assert (region.backup.spare, region.backup_ready, region.score) == (0, False, 45)
    name = world.makers["C"].organization.name
    assert f"Backup {name} has no spare capacity (capacity 300, agreed 300)." in region.reasons
    # 330000: A (2,000 - 700 = 1,300 spare) backs C up; C alone (20) with headroom 0 < 30 (15)
    other = next(r for r in report.risk.regions if r.region == "330000")
    assert (other.backup_ready, other.score) == (True, 35)
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _no_backup_alerts(db_session, world.lot.id)
    assert (alert.region_code, alert.severity.value) == ("320000", "warning")
    assert alert.facts["backup_spare"] == 0


def _order(session, clock, world, region, maker, *, ship_days=0, receipt_days=0):
    """One order of 10 packs (100 tablets) on the contract, shipped ``ship_days`` days after
    it is placed (None: never) and received ``receipt_days`` days after that."""
    hospital, m = world.h(region, maker), world.m(maker)
    line = orders.LineRequest(packs=10, contract_id=world.contracts[(region, maker)].id)
    placed = orders.place_order(
        session, request=orders.OrderRequest(lines=[line]), now=clock.now(), actor=hospital
    )
    if ship_days is None:
        return
    start, order_id = clock.now(), placed.order_id
    clock.advance(days=ship_days)
    orders.confirm_order(session, order_id=order_id, now=clock.now(), actor=m)
    lines = orders.get_order(session, order_id=order_id, now=clock.now(), actor=m).lines
    day = clock.now().date()
    batch = ("B1", day - timedelta(days=30), day + timedelta(days=700))
    shipped = [orders.ShipLine(x.id, x.open_quantity, *batch) for x in lines]
    shipment = orders.create_shipment(
        session, order_id=order_id, lines=shipped, now=clock.now(), actor=m
    )
    clock.advance(days=receipt_days)
    got = [orders.ReceiveLine(x.id, x.quantity, 0, None) for x in shipment.lines]
    orders.record_receipt(
        session, shipment_id=shipment.id, lines=got, now=clock.now(), actor=hospital
    )
    clock.set(start)


def test_a_late_delivery_rate_rising_three_months_running_is_found_from_real_orders(
    db_session, clock, risk_world, regulator
):
    """Orders due (24 h, a city) in January: 2 shipped at once (0%); February: 1 shipped at
    once but its receipt recorded 3 days later (on time: the service level is met on
    shipping), 1 shipped 3 days late (50%); March: 1 shipped 3 days late, 1 never shipped and
    overdue (100%).
    0 < 50% < 100% >= 10%: rising (judged on 2 April, March complete). B's orders (all on
    time) are not."""
    world = risk_world(
        supplies={"320000": {"A": 5000, "B": 5000}},
        capacities={"A": 20000, "B": 20000},
        backups={"320000": "B"},
    )
    for day, plan in (
        (datetime(2026, 1, 6, 2, 0, tzinfo=UTC), ((0, 0), (0, 0))),
        (datetime(2026, 2, 5, 2, 0, tzinfo=UTC), ((0, 3), (3, 0))),
        (datetime(2026, 3, 5, 2, 0, tzinfo=UTC), ((3, 0), (None, 0))),
    ):
        clock.set(day)
        for ship, receipt in plan:
            _order(db_session, clock, world, "320000", "A", ship_days=ship, receipt_days=receipt)
        _order(db_session, clock, world, "320000", "B")
    clock.set(datetime(2026, 4, 2, 2, 0, tzinfo=UTC))  # March complete, April in progress
    risk = lot_supply_risk(
        db_session, lot_id=world.lot.id, actor=_reg(regulator), now=clock.now()
    ).risk
    by_id = {w.id: w for w in risk.winners}
    a, b = by_id[world.maker_id("A")], by_id[world.maker_id("B")]
    assert [(m.month, m.lines, m.late) for m in a.months] == [
        ("2026-01", 2, 0),
        ("2026-02", 2, 1),
        ("2026-03", 2, 2),
        ("2026-04", 0, 0),
    ]
    assert [(m.month, m.lines, m.late) for m in b.months] == [
        ("2026-01", 1, 0),
        ("2026-02", 1, 0),
        ("2026-03", 1, 0),
        ("2026-04", 0, 0),
    ]
    assert (a.rising_late, b.rising_late) == (True, False)
    (region,) = risk.regions
    name = world.makers["A"].organization.name
    assert f"{name}'s late-delivery rate rose 3 months running, to 100.0%." in region.reasons
    # HHI 5,000 (10) + rising late (15); backup B has 15,000 spare for 10,000: nothing
    assert region.score == 25
