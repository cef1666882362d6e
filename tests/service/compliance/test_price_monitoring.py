"""Price monitoring on a real database, from deliveries placed, shipped and accepted through the
orders services: what each institution paid (hand-computed), the filters by region and month,
the monthly index of the generic name and form, and the price outlier alert (raised once by
the compliance check, naming who paid the province's lowest; closed when the price is back
within the margin; the margin a tender's rule)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from procurement.auth.services import actor_of
from procurement.compliance.alerts.models import Alert, AlertKind
from procurement.compliance.errors import PriceGroupNotFound, PriceMonthsNotValid
from procurement.compliance.prices import services as prices
from procurement.compliance.services import evaluate_alerts
from procurement.core.errors import Forbidden


def _outlier_alerts(session):
    query = select(Alert).where(Alert.kind == AlertKind.PRICE_OUTLIER).order_by(Alert.id)
    return list(session.scalars(query))


def test_what_each_institution_paid_for_the_product(db_session, clock, price_world, regulator):
    world = price_world()
    report = prices.product_prices(
        db_session,
        product_id=world.product.id,
        filters=prices.Filters(),
        actor=actor_of(regulator),
        now=clock.now(),
    )
    got = [
        (r.institution.id, r.paid.region, r.paid.quantity, r.paid.amount, r.average, r.excess)
        for r in report.rows
    ]
    h = world.hospital
    assert got == [
        (h(3).id, "310000", 20, D("10.00"), D("0.5000"), D("0.0000")),  # alone in Shanghai
        # Jiangsu's lowest average is 0.2000 (hospital 0): 2.61 / 10 = 0.2610 is 30.50% above,
        # 26.00 / 100 = 0.2600 exactly 30%
        (h(2).id, "320000", 10, D("2.61"), D("0.2610"), D("0.3050")),
        (h(1).id, "320000", 100, D("26.00"), D("0.2600"), D("0.3000")),
        (h(0).id, "320000", 100, D("20.00"), D("0.2000"), D("0.0000")),
    ]
    # 230 units for 58.61: 0.2548 on average (0.254826...)
    assert (report.quantity, report.amount, report.average) == (230, D("58.61"), D("0.2548"))
    assert {r.paid.lowest for r in report.rows} == {D("0.2"), D("0.26"), D("0.261"), D("0.5")}


def test_region_and_month_filters(db_session, clock, price_world, regulator):
    world = price_world()
    clock.set(datetime(2026, 2, 10, 2, 0, tzinfo=UTC))
    world.buy(db_session, clock, 0, 200, "0.2200")  # 44.00
    reg = actor_of(regulator)

    def paid(**filters):
        report = prices.product_prices(
            db_session,
            product_id=world.product.id,
            filters=prices.Filters(**filters),
            actor=reg,
            now=clock.now(),
        )
        return [(r.institution.id, r.paid.quantity, r.paid.amount) for r in report.rows]

    h = world.hospital
    assert paid(region="310101") == [(h(3).id, 20, D("10.00"))]  # Shanghai only
    assert paid(first="2026-02") == [(h(0).id, 200, D("44.00"))]
    assert paid(last="2026-01", region="320000")[-1] == (h(0).id, 100, D("20.00"))
    # both months: hospital 0 paid 64.00 for 300 units, 0.2133 on average
    assert paid(region="320100")[-1] == (h(0).id, 300, D("64.00"))
    overview = prices.products_bought(
        db_session, filters=prices.Filters(), actor=reg, now=clock.now()
    )
    (row,) = overview.products
    assert (row.institutions, row.quantity, row.amount, row.lowest, row.highest) == (
        4,
        430,
        D("102.61"),
        D("0.2"),
        D("0.5"),
    )
    assert overview.groups == [("氨氯地平", "片剂")]


def test_the_monthly_index_of_the_generic_name_and_form(db_session, clock, price_world, regulator):
    world = price_world()
    clock.set(datetime(2026, 2, 10, 2, 0, tzinfo=UTC))
    world.buy(db_session, clock, 0, 200, "0.2200")
    group = prices.price_index(
        db_session,
        generic_name="氨氯地平",
        dosage_form="片剂",
        filters=prices.Filters(first="2025-12", last="2026-03"),
        actor=actor_of(regulator),
        now=clock.now(),
    )
    assert group.index.base == "2026-01"
    got = [(p.month, p.quantity, p.amount, p.average, p.index) for p in group.index.points]
    assert got == [
        ("2025-12", 0, D("0"), None, None),
        ("2026-01", 230, D("58.61"), D("0.2548"), D("100.00")),
        # one product: 100 x 230 x (44.00 / 200) / 58.61 = 5,060 / 58.61 = 86.3334...
        ("2026-02", 200, D("44.00"), D("0.2200"), D("86.33")),
        ("2026-03", 0, D("0"), None, None),
    ]


def test_a_price_outlier_is_raised_once_names_the_lowest_and_clears(
    db_session, clock, price_world, regulator
):
    world = price_world()
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _outlier_alerts(db_session)
    again = evaluate_alerts(db_session, now=clock.now())
    assert again.raised == 0
    assert _outlier_alerts(db_session) == [alert]
    h2, h0 = world.hospital(2), world.hospital(0)
    assert (alert.subject_org_id, alert.region_code, alert.lot_id, alert.status.value) == (
        h2.id,
        "320000",
        world.lot.id,
        "open",
    )
    assert alert.facts == {
        "product_id": world.product.id,
        "paid": "0.2610",
        "quantity": 10,
        "amount": "2.61",
        "lowest_price": "0.2000",
        "lowest_institution_id": h0.id,
        "lowest_institution": h0.name,
        "excess": "0.3050",
        "margin": "0.30",
    }
    assert h2.name in alert.detail
    assert h0.name in alert.detail
    assert "0.2610" in alert.detail
    assert "30.50%" in alert.detail
    assert "江苏省" in alert.detail
    # February: hospital 0 buys 200 more at 0.2200; its average over the window becomes
    # 64.00 / 300 = 0.2133 and hospital 2's 0.2610 is 22.36% above it: within the margin
    clock.set(datetime(2026, 2, 10, 2, 0, tzinfo=UTC))
    world.buy(db_session, clock, 0, 200, "0.2200")
    result = evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert result.resolved >= 1
    assert (alert.status.value, alert.open_key) == ("resolved", None)


def test_purchases_leave_the_window_and_the_alert_closes(db_session, clock, price_world):
    price_world()
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _outlier_alerts(db_session)
    clock.set(datetime(2026, 5, 1, 2, 0, tzinfo=UTC))  # January is over 90 days back
    evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert alert.status.value == "resolved"


def test_the_margin_is_the_tenders_rule(db_session, clock, price_world, regulator):
    """price_outlier_margin 0.25: hospital 1 (exactly 30% above) is an outlier too."""
    world = price_world(
        snapshot={"name": "national-2024", "compliance": {"price_outlier_margin": "0.25"}}
    )
    found = prices.price_outliers(
        db_session, filters=prices.Filters(), actor=actor_of(regulator), now=clock.now()
    )
    assert [(f.institution.id, f.outlier.excess, f.outlier.margin) for f in found] == [
        (world.hospital(2).id, D("0.3050"), D("0.25")),
        (world.hospital(1).id, D("0.3000"), D("0.25")),
    ]
    shanghai = prices.price_outliers(
        db_session,
        filters=prices.Filters(region="310000"),
        actor=actor_of(regulator),
        now=clock.now(),
    )
    assert shanghai == []


def test_bad_filters_and_unknown_groups_are_refused(db_session, clock, price_world, regulator):
    price_world()
    reg = actor_of(regulator)
    for filters, field in (
        (prices.Filters(first="2026-13"), "from"),
        (prices.Filters(first="2026-03", last="2026-01"), "from"),
        (prices.Filters(first="2020-01", last="2026-01"), "from"),  # 73 months > MAX_MONTHS
    ):
        with pytest.raises(PriceMonthsNotValid) as refused:
            prices.products_bought(db_session, filters=filters, actor=reg, now=clock.now())
        assert field in refused.value.errors
    with pytest.raises(PriceGroupNotFound):
        prices.price_index(
            db_session,
            generic_name="无此药",
            dosage_form="片剂",
            filters=prices.Filters(),
            actor=reg,
            now=clock.now(),
        )


@pytest.mark.parametrize("kind", ["hospital", "manufacturer", "distributor"])
def test_only_oversight_may_see_prices(db_session, clock, price_world, make_user, kind):
    price_world()
    actor = actor_of(make_user(kind=kind))
    with pytest.raises(Forbidden):
        prices.products_bought(db_session, filters=prices.Filters(), actor=actor, now=clock.now())
