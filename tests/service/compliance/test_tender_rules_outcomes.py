"""Each reader takes the tender's own frozen rules (issue 16 item 7), hand-computed: the progress
status and the dashboard's warning line, the hospital's 'behind' count, the year-end scheme and
completion switch, credit points and thresholds, the advance ratio, the payment deadline and the
order service levels."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from procurement.catalog.services import build_rules
from procurement.compliance.dashboard.services import dashboard
from procurement.compliance.progress import queries
from procurement.compliance.services import (
    credit_levels,
    progress_report,
    record_credit_event,
    run_year_end,
)
from procurement.core.clock import business_date
from procurement.orders.models import PurchaseOrder
from procurement.portal.queries import contracts_behind
from procurement.settlement import services as settlement
from procurement.settlement.models import Payable

D = Decimal


def _rules(**overrides):
    return build_rules("national-2024", overrides)


def _status(db_session, clock, world):
    report = progress_report(
        db_session,
        filters=queries.Filters(tender_id=world.tender.id),
        group_by="total",
        now=clock.now(),
        actor=world.reg,
    )
    return report.rows[0].status


def test_an_on_track_factor_of_0_9_turns_behind_a_hospital_on_track_at_0_8(
    db_session, clock, comp_world, deliver
):
    default = comp_world(hospitals=1, agreed=1000, snapshot=_rules())
    strict = comp_world(hospitals=1, agreed=1000, snapshot=_rules(on_track_factor="0.9"))
    deliver(default, default.contract(0), 140)
    deliver(strict, strict.contract(0), 140)
    clock.advance(days=60)
    # 61 of 365 days: 0.8 x 0.1671 = 0.1337 <= 0.1400 < 0.1504 = 0.9 x 0.1671
    assert _status(db_session, clock, default) == "on_track"
    assert _status(db_session, clock, strict) == "behind"
    # the hospital's home counts the contract behind only under the strict tender's rules
    today = business_date(clock.now())
    assert contracts_behind(db_session, default.h(0), today) == 0
    assert contracts_behind(db_session, strict.h(0), today) == 1
    # the dashboard's warning line: 0.9 x the bar's time elapsed
    board = dashboard(
        db_session, tender_id=strict.tender.id, year=1, now=clock.now(), actor=strict.reg
    )
    assert board.on_track_factor == D("0.9")
    assert board.groups["region"][0].behind == 1
    other = dashboard(
        db_session, tender_id=default.tender.id, year=1, now=clock.now(), actor=default.reg
    )
    assert (other.on_track_factor, other.groups["region"][0].behind) == (D("0.8"), 0)


RED, GREEN = 'fill="#c62828"', 'fill="#2e7d32"'


def _region_chart(client, tender_id):
    page = client.get(f"/regulator/compliance?tender={tender_id}&year=1").get_data(as_text=True)
    return page.split('data-testid="chart-region"')[1].split("</svg>")[0]


def test_the_dashboards_warning_line_is_the_tenders_factor(
    db_session, clock, comp_world, deliver, client, login, regulator
):
    default = comp_world(hospitals=1, agreed=1000, snapshot=_rules())
    strict = comp_world(hospitals=1, agreed=1000, snapshot=_rules(on_track_factor="0.9"))
    deliver(default, default.contract(0), 140)
    deliver(strict, strict.contract(0), 140)
    clock.advance(days=60)
    login(regulator)
    # 14.0% done: right of the line at 0.8 x 16.71% (green), left of it at 0.9 x (red)
    assert GREEN in _region_chart(client, default.tender.id)
    strict_chart = _region_chart(client, strict.tender.id)
    assert RED in strict_chart
    assert GREEN not in strict_chart


def _year_end(db_session, clock, world):
    clock.advance(days=365)
    run = run_year_end(
        db_session, tender_id=world.tender.id, contract_year=1, now=clock.now(), actor=world.reg
    )
    return {x.hospital_id: x for x in run.results}, run


def test_the_tiers_scheme_retains_by_savings_rate(db_session, clock, comp_world, deliver):
    world = comp_world(hospitals=1, agreed=1000, snapshot=_rules(retention_scheme="tiers"))
    deliver(world, world.contract(0), 1000)  # reference 0.9000, winning 0.2000
    results, run = _year_end(db_session, clock, world)
    # budget 630.00, actual 140.00, balance 490.00: 31.50 in full + 31.50 x 0.7 = 22.05
    # + 31.50 x 0.3 = 9.45 -> 63.00 (grades would retain 245.00: A, 50%)
    assert run.scheme == "tiers"
    assert results[world.hospitals[0].organization.id].retained == D("63.00")


def test_the_completion_switch_off_retains_below_full_completion(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=1, agreed=1000, snapshot=_rules(require_full_completion=False))
    deliver(world, world.contract(0), 800)
    results, _ = _year_end(db_session, clock, world)
    short = results[world.hospitals[0].organization.id]
    # deduction 200 x 0.7 x 0.7 = 98.00; actual 800 x 0.2 x 0.7 = 112.00, balance 518.00;
    # score 60 x 0.8 + 20 + 20 = 88.00 -> A, 50% -> 259.00 (0 with the switch on)
    assert (short.deduction, short.score, short.grade) == (D("98.00"), D("88.00"), "A")
    assert short.retained == D("259.00")


def test_credit_points_and_thresholds_are_the_tenders(db_session, clock, comp_world):
    rules = _rules(credit_points={"gave_up_win": 7}, credit_thresholds=[5, 6, 30])
    world = comp_world(hospitals=1, snapshot=rules)
    event = record_credit_event(
        db_session,
        manufacturer_id=world.manufacturer.organization.id,
        kind="gave_up_win",
        occurred_at=clock.now() - timedelta(days=1),
        detail="withdrew after winning",
        lot_id=world.lots[0].id,
        now=clock.now(),
        actor=world.reg,
    )
    assert event.points == 7  # the platform's 20
    (level,) = credit_levels(db_session, now=clock.now(), actor=world.reg)
    # 7 points >= 6: seriously dishonest under this tender (the platform's table: none below 10)
    assert (level.points, level.level) == (7, "seriously_dishonest")


def test_an_event_of_no_tender_keeps_the_platforms_points(db_session, clock, comp_world):
    world = comp_world(hospitals=1, snapshot=_rules(credit_points={"gave_up_win": 7}))
    event = record_credit_event(
        db_session,
        manufacturer_id=world.manufacturer.organization.id,
        kind="gave_up_win",
        occurred_at=clock.now() - timedelta(days=1),
        detail="withdrew after winning",
        now=clock.now(),
        actor=world.reg,
    )
    assert event.points == 20


def test_the_advance_ratio_is_the_tenders(make_contract, fund_actor, db_session, clock):
    world = make_contract(
        agreed=1000, unit_price="0.2000", rules_snapshot=_rules(advance_ratio="0.5")
    )
    tender_id, now = world.contract.tender_id, clock.now()
    result = settlement.run_advances(
        db_session, tender_id=tender_id, contract_year=1, now=now, actor=fund_actor
    )
    # 1000 x 0.2000 = 200.00; x 0.5 = 100.00 (the default 0.30 would pay 60.00)
    (advance,) = result.created
    assert (advance.annual_value, advance.amount) == (D("200.00"), D("100.00"))


def test_a_payment_deadline_of_15_days_moves_the_due_dates(
    make_contract, accept, fund_actor, db_session, clock
):
    own = make_contract(
        agreed=2800, rules_snapshot=_rules(**{"settlement.payment_deadline_days": 15})
    )
    default = make_contract(agreed=2800, rules_snapshot=_rules())
    first, second = accept(own, packs=1), accept(default, packs=1)
    settlement.accrue_payables(db_session, now=clock.now(), actor=fund_actor)
    db_session.expunge_all()
    due = {p.id: (p.due_at - p.accepted_at, p.deadline_days) for p in db_session.query(Payable)}
    assert due == {first.id: (timedelta(days=15), 15), second.id: (timedelta(days=30), 30)}


def test_service_levels_set_the_orders_due_times(make_contract, place, db_session, clock):
    fast = make_contract(rules_snapshot=_rules(confirm_hours=12, deliver_hours={"city": 8}))
    normal = make_contract(rules_snapshot=_rules())
    placed_at = clock.now()
    due = {}
    for world in (fast, normal):
        order = db_session.scalar(
            select(PurchaseOrder).where(PurchaseOrder.id == place(world).order_id)
        )
        due[world is fast] = (order.confirm_due_at - placed_at, order.deliver_due_at - placed_at)
    # Shanghai city district (310101): 12 h and 8 h against the platform's 24 h and 24 h
    assert due[True] == (timedelta(hours=12), timedelta(hours=8))
    assert due[False] == (timedelta(hours=24), timedelta(hours=24))


def test_a_late_delivery_within_the_tenders_tolerance_is_no_credit_event(
    make_contract, place, db_session, clock
):
    from procurement.compliance.credit.models import CreditEvent
    from procurement.compliance.services import import_credit_events
    from procurement.orders import services as orders

    tolerant = make_contract(rules_snapshot=_rules(late_delivery_min_hours="10"))
    strict = make_contract(rules_snapshot=_rules())
    for world in (tolerant, strict):
        order_id = place(world).order_id
        orders.confirm_order(db_session, order_id=order_id, now=clock.now(), actor=world.m)
    clock.advance(hours=30)  # delivery due after 24 h: 6 h late, within 10 h, beyond 0 h
    orders.detect_sla_breaches(db_session, now=clock.now())
    assert import_credit_events(db_session, now=clock.now()) == 1
    (event,) = db_session.scalars(select(CreditEvent))
    assert (event.kind.value, event.manufacturer_id) == (
        "late_delivery",
        strict.manufacturer.organization_id,
    )
