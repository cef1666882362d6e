"""The online procurement rate (网采率, RULES.md 4): value accepted through the platform against
value reported off it, per institution, county, city and province, every buyer kind counted.

Hand-computed (January 2026; each contract 1.0000 a unit, 1 unit a pack, so packs = yuan):

    buyer                  county   online  off-platform  rate
    H1 hospital            430121   300.00  100.00        300/400 = 0.7500
    VC1 village clinic     430121    60.00   40.00         60/100 = 0.6000
    PH1 pharmacy store     430102     0.00   50.00          0/50  = 0.0000
    TH1 township hospital  430211    90.00   10.00         90/100 = 0.9000
    SH hospital            310115   100.00    0.00        100/100 = 1.0000

counties 430121: 360/500 = 0.7200; cities 430100: 360/550 = 0.65454 -> 0.6545, 430200: 0.9000;
province 430000: 450/650 = 0.69230 -> 0.6923; all: 550/750 = 0.73333 -> 0.7333. A December
2025 report (999.00 off-platform for H1) lies outside the months asked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procurement.auth import services as auth
from procurement.auth.services import actor_of
from procurement.compliance import services as compliance
from procurement.compliance.online_rate.queries import RateFilters
from procurement.core.errors import Forbidden, ValidationFailed
from procurement.orders import services as orders

JAN = date(2026, 1, 1)


@pytest.fixture
def buyers(db_session, clock, make_user, make_contract, accept):
    now = clock.now()

    def org(code, region, kind_type, parent=None):
        created = auth.create_org(
            db_session,
            code=code,
            name=code,
            kind="hospital",
            region_code=region,
            now=now,
            institution_type=kind_type,
            parent_code=parent,
        )
        return make_user(created)

    community = org("YGT", "430121", "medical_community")
    rows = {
        "H1": (org("H1", "430121", "hospital"), 300, "100"),
        "VC1": (org("VC1", "430121", "village_clinic", parent="YGT"), 60, "40"),
        "PH1": (org("PH1", "430102", "pharmacy_store"), 0, "50"),
        "TH1": (org("TH1", "430211", "township_hospital"), 90, "10"),
        "SH": (org("SH", "310115", "hospital"), 100, "0"),
    }
    maker = make_user(kind="manufacturer", region_code="320000")
    for user, online, off in rows.values():
        world = make_contract(
            hospital=user, manufacturer=maker, agreed=1000, unit_price="1.0000", pack_size=1
        )
        if online:
            accept(world, packs=online)
        orders.report_off_platform(
            db_session,
            lot_id=world.contract.lot_id,
            month=JAN,
            quantity=int(Decimal(off)),
            amount=Decimal(off),
            now=now,
            actor=actor_of(user),
        )
        if user.username == rows["H1"][0].username:
            orders.report_off_platform(
                db_session,
                lot_id=world.contract.lot_id,
                month=date(2025, 12, 1),
                quantity=999,
                amount=Decimal("999.00"),
                now=now,
                actor=actor_of(user),
            )
    users = {code: user for code, (user, _, _) in rows.items()}
    users["YGT"] = community
    return users


def _rates(db_session, actor, **filters):
    report = compliance.online_rate(
        db_session,
        filters=RateFilters(month_from=JAN, month_to=JAN, **filters),
        actor=actor,
    )
    return report, {row.key: (row.online, row.off_platform, row.rate) for row in report.rows}


def test_per_institution_every_buyer_kind(buyers, db_session, make_actor):
    report, rows = _rates(db_session, make_actor("regulator"))
    ids = {code: str(u.organization_id) for code, u in buyers.items()}
    d = Decimal
    assert rows == {
        ids["H1"]: (d("300.00"), d("100.00"), d("0.7500")),
        ids["VC1"]: (d("60.00"), d("40.00"), d("0.6000")),
        ids["PH1"]: (d("0.00"), d("50.00"), d("0.0000")),
        ids["TH1"]: (d("90.00"), d("10.00"), d("0.9000")),
        ids["SH"]: (d("100.00"), d("0.00"), d("1.0000")),
    }
    types = {row.name: row.institution_type.value for row in report.rows}
    assert types["PH1"] == "pharmacy_store"
    assert types["VC1"] == "village_clinic"
    assert (report.total.online, report.total.off_platform, report.total.rate) == (
        d("550.00"),
        d("200.00"),
        d("0.7333"),
    )


def test_per_county_city_and_province(buyers, db_session, make_actor):
    regulator = make_actor("regulator")
    d = Decimal
    _, counties = _rates(db_session, regulator, level="county")
    assert counties == {
        "430121": (d("360.00"), d("140.00"), d("0.7200")),
        "430102": (d("0.00"), d("50.00"), d("0.0000")),
        "430211": (d("90.00"), d("10.00"), d("0.9000")),
        "310115": (d("100.00"), d("0.00"), d("1.0000")),
    }
    _, cities = _rates(db_session, regulator, level="city")
    assert cities == {
        "430100": (d("360.00"), d("190.00"), d("0.6545")),
        "430200": (d("90.00"), d("10.00"), d("0.9000")),
        "310100": (d("100.00"), d("0.00"), d("1.0000")),
    }
    _, provinces = _rates(db_session, regulator, level="province")
    assert provinces == {
        "430000": (d("450.00"), d("200.00"), d("0.6923")),
        "310000": (d("100.00"), d("0.00"), d("1.0000")),
    }


def test_filters_by_institution_type_and_region(buyers, db_session, make_actor):
    regulator = make_actor("regulator")
    d = Decimal
    _, clinics = _rates(db_session, regulator, level="county", institution_type="village_clinic")
    assert clinics == {"430121": (d("60.00"), d("40.00"), d("0.6000"))}
    _, hospitals = _rates(db_session, regulator, level="province", institution_type="hospital")
    assert hospitals == {
        "430000": (d("300.00"), d("100.00"), d("0.7500")),
        "310000": (d("100.00"), d("0.00"), d("1.0000")),
    }
    _, changsha = _rates(db_session, regulator, level="county", region_code="430100")
    assert sorted(changsha) == ["430102", "430121"]


def test_a_buyer_sees_its_own_rate_and_a_community_its_members(buyers, db_session, make_actor):
    _, own = _rates(db_session, actor_of(buyers["H1"]))
    assert list(own) == [str(buyers["H1"].organization_id)]
    _, community = _rates(db_session, actor_of(buyers["YGT"]))
    assert list(community) == [str(buyers["VC1"].organization_id)]
    with pytest.raises(Forbidden):
        _rates(db_session, make_actor("manufacturer"))


def test_bad_filters_are_refused_beside_their_fields(db_session, make_actor):
    regulator = make_actor("regulator")
    with pytest.raises(ValidationFailed) as refused:
        compliance.online_rate(
            db_session,
            filters=RateFilters(
                month_from=JAN, month_to=date(2025, 11, 1), level="street", institution_type="x"
            ),
            actor=regulator,
        )
    assert set(refused.value.errors) == {"to", "level", "institution_type"}
    with pytest.raises(ValidationFailed) as too_long:
        compliance.online_rate(
            db_session,
            filters=RateFilters(month_from=date(2023, 1, 1), month_to=JAN),
            actor=regulator,
        )
    assert "MAX_RATE_MONTHS" in str(too_long.value.errors["to"][0])
