"""Shortage monitoring on a real database (RULES.md 14), the clock moved through the days:
a missing monthly report raised after the 10th and escalating county -> city -> province by
days overdue; stock cover from reported stock and agreed volumes (hand-computed); orders
unfilled past their deadline; and the backup supplier activated, receiving real orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from procurement.auth.services import actor_of
from procurement.compliance.alerts.models import Alert, AlertKind
from procurement.compliance.errors import (
    BackupAlreadyActive,
    NoBackupNamed,
    ShortageNotFound,
    ShortageReportNotValid,
)
from procurement.compliance.services import evaluate_alerts
from procurement.compliance.shortage import services as shortage
from procurement.compliance.shortage.backup_services import activate_backup
from procurement.orders import services as orders
from procurement.orders.models import PurchaseOrder


def _at(day: str, hour: int = 10) -> datetime:
    """``hour`` o'clock in Shanghai on ``day`` (UTC+8)."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(hours=hour - 8)


def _alerts(session, kind):
    return list(session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


def _report(session, world, maker, period, stock, now, production=1000, capacity=5000):
    return shortage.submit_report(
        session,
        data=shortage.ReportInput(
            world.bids[maker].product_id, period, production, stock, capacity
        ),
        now=now,
        actor=world.m(maker),
    )


def test_a_missing_report_is_raised_after_the_10th_and_escalates_by_days_overdue(
    db_session, clock, shortage_world
):
    """A's contract runs from 2026-01-04, so its January report is due 2026-02-10. On the 10th
    nothing; on the 11th a county-level alert (1 day); on the 17th city (7 days); on the 24th
    province (14 days), with the history of levels; the report closes it."""
    world = shortage_world(supplies={"320102": {"A": 3650}}, makers=["A"])
    clock.set(_at("2026-02-10", 23))
    evaluate_alerts(db_session, now=clock.now())
    assert _alerts(db_session, AlertKind.SHORTAGE_REPORT_MISSING) == []
    for day, level, region, days in (
        ("2026-02-11", "county", "320102", 1),
        ("2026-02-17", "city", "320100", 7),
        ("2026-02-24", "province", "320000", 14),
    ):
        clock.set(_at(day))
        evaluate_alerts(db_session, now=clock.now())
        (alert,) = _alerts(db_session, AlertKind.SHORTAGE_REPORT_MISSING)
        assert (alert.level, alert.facts["days_overdue"], alert.facts["period"]) == (
            level,
            days,
            "2026-01",
        )
        assert alert.levels[-1].region_code == region
    assert [(h.level, h.region_code) for h in alert.levels] == [
        ("county", "320102"),
        ("city", "320100"),
        ("province", "320000"),
    ]
    assert (alert.subject_org_id, alert.lot_id) == (world.maker_id("A"), world.lot.id)
    duties = shortage.reporting_duties(db_session, now=clock.now(), actor=world.m("A"))
    assert [(d.period, d.days_overdue, d.missing) for d in duties.rows] == [("2026-01", 14, True)]
    _report(db_session, world, "A", "2026-01", 100_000, clock.now())
    evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert alert.status.value == "resolved"


def test_stock_cover_under_15_days_in_two_counties_is_a_city_shortage(
    db_session, clock, shortage_world
):
    """A supplies Xuanwu (320102) 3,650 a year and Qinhuai (320104) 7,300: 3,650/365 = 10 and
    20 a day, 30 in all. Stock 420 at January's end: 420 / 30 = 14 days in both (< 15), two
    counties of Nanjing: city level. Seven days on, still city (by breadth and duration); on
    day 14 province by duration. Stock 900 (30 days) ends it."""
    world = shortage_world(supplies={"320102": {"A": 3650}, "320104": {"A": 7300}}, makers=["A"])
    clock.set(_at("2026-02-05"))
    _report(db_session, world, "A", "2026-01", 420, clock.now())
    evaluate_alerts(db_session, now=clock.now())
    found = _alerts(db_session, AlertKind.SHORTAGE)
    assert [(a.region_code, a.level, a.facts["cover_days"], a.facts["by"]) for a in found] == [
        ("320102", "city", "14.0", "breadth"),
        ("320104", "city", "14.0", "breadth"),
    ]
    assert found[0].subject_org_id == world.maker_id("A")
    assert "Stock cover 14.0 days (under 15)" in found[0].detail
    clock.set(_at("2026-02-12"))
    evaluate_alerts(db_session, now=clock.now())
    assert [(a.level, a.facts["duration"]) for a in found] == [("city", 7), ("city", 7)]
    clock.set(_at("2026-02-19"))
    evaluate_alerts(db_session, now=clock.now())
    assert _alerts(db_session, AlertKind.SHORTAGE) == found  # raised once, upgraded
    assert [(h.level, h.region_code) for h in found[0].levels] == [
        ("city", "320100"),
        ("province", "320000"),
    ]
    _report(db_session, world, "A", "2026-01", 900, clock.now())  # 900 / 30 = 30 days
    evaluate_alerts(db_session, now=clock.now())
    assert {a.status.value for a in found} == {"resolved"}


def test_orders_unfilled_3_days_past_their_deadline_are_a_shortage_and_the_backup_takes_orders(
    db_session, clock, shortage_world, regulator
):
    """A hospital in Hangzhou (330102) orders from A, who ships nothing. 3 days past the
    delivery deadline: a county shortage. The regulator activates the award's backup for
    Zhejiang (B): the hospital gets a contract with B at B's price, agreed 0, and its next
    order goes to B, listed on the shortage."""
    world = shortage_world(
        supplies={"330102": {"A": 3650}, "330106": {"B": 3650}},
        makers=["A", "B"],
        backups={"330000": "B"},
    )
    hospital = world.h("330102", "A")
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=5, contract_id=world.contracts[("330102", "A")].id)]
        ),
        now=clock.now(),
        actor=hospital,
    )
    order = db_session.get(PurchaseOrder, placed.order_id)
    clock.set(order.deliver_due_at + timedelta(days=2, hours=23))
    evaluate_alerts(db_session, now=clock.now())
    assert _alerts(db_session, AlertKind.SHORTAGE) == []
    clock.set(order.deliver_due_at + timedelta(days=3, minutes=1))
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _alerts(db_session, AlertKind.SHORTAGE)
    assert (alert.region_code, alert.level, alert.facts["unfilled_days"]) == ("330102", "county", 3)
    assert alert.facts["reason"] == "unfilled"
    regulator = actor_of(regulator)
    activation = activate_backup(db_session, alert_id=alert.id, now=clock.now(), actor=regulator)
    (link,) = activation.contracts
    backup = link.contract
    assert (backup.hospital_id, backup.manufacturer_id, backup.agreed_volume) == (
        hospital.org_id,
        world.maker_id("B"),
        0,
    )
    assert backup.unit_price == world.bids["B"].unit_price
    second = orders.place_order(
        db_session,
        request=orders.OrderRequest(lines=[orders.LineRequest(packs=3, contract_id=backup.id)]),
        now=clock.now(),
        actor=hospital,
    )
    case = shortage.get_shortage(db_session, alert_id=alert.id, actor=regulator)
    assert [(o.id, o.manufacturer_id) for o in case.orders] == [
        (second.order_id, world.maker_id("B"))
    ]
    (line,) = case.orders[0].lines
    assert (line.quantity, line.within_agreed_quantity, line.beyond_agreed_quantity) == (30, 0, 30)
    orders.confirm_order(db_session, order_id=second.order_id, now=clock.now(), actor=world.m("B"))
    with pytest.raises(BackupAlreadyActive):
        activate_backup(db_session, alert_id=alert.id, now=clock.now(), actor=regulator)


def test_no_backup_named_refuses_activation_and_changes_nothing(
    db_session, clock, shortage_world, regulator
):
    world = shortage_world(supplies={"330102": {"A": 3650}}, makers=["A"])
    clock.set(_at("2026-02-05"))
    _report(db_session, world, "A", "2026-01", 10, clock.now())
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _alerts(db_session, AlertKind.SHORTAGE)
    regulator = actor_of(regulator)
    with pytest.raises(NoBackupNamed):
        activate_backup(db_session, alert_id=alert.id, now=clock.now(), actor=regulator)
    assert shortage.get_shortage(db_session, alert_id=alert.id, actor=regulator).activation is None


def test_a_report_for_another_makers_product_or_an_unfinished_month_is_refused(
    db_session, clock, shortage_world
):
    world = shortage_world(supplies={"330102": {"A": 3650, "B": 10}}, makers=["A", "B"])
    clock.set(_at("2026-02-05"))
    bad = shortage.ReportInput(world.bids["B"].product_id, "2026-02", -1, 0, 0)
    with pytest.raises(ShortageReportNotValid) as refused:
        shortage.submit_report(db_session, data=bad, now=clock.now(), actor=world.m("A"))
    assert set(refused.value.errors) == {"product_id", "period", "production"}
    assert shortage.list_reports(db_session, actor=world.m("A")) == []


def test_another_manufacturer_does_not_see_a_shortage(db_session, clock, shortage_world):
    world = shortage_world(supplies={"330102": {"A": 3650}}, makers=["A", "B"])
    clock.set(_at("2026-02-11"))
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _alerts(db_session, AlertKind.SHORTAGE_REPORT_MISSING)
    assert shortage.get_shortage(db_session, alert_id=alert.id, actor=world.m("A")).alert == alert
    with pytest.raises(ShortageNotFound):
        shortage.get_shortage(db_session, alert_id=alert.id, actor=world.m("B"))
    assert shortage.list_shortages(db_session, actor=world.m("B")) == []
