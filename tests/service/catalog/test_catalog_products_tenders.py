"""Products (manufacturers only, their own) and tender fields and rules overrides."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.catalog import services
from procurement.catalog.models import Product, Tender
from procurement.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.fixtures.catalog import product_data


def test_a_manufacturer_registers_a_product_for_its_own_organization(
    db_session, make_user, make_product
):
    maker = make_user(kind="manufacturer")
    product = make_product(maker, strength=Decimal("10"), pack_size=7, originator=True)
    assert product.manufacturer_id == maker.organization_id
    assert (product.strength, product.pack_size, product.meets_quality_bar) == (
        Decimal("10"),
        7,
        True,
    )


def test_the_manufacturer_id_cannot_be_chosen_by_the_caller(db_session, clock, make_user):
    maker, other = make_user(kind="manufacturer"), make_user(kind="manufacturer")
    with pytest.raises(ValidationFailed) as caught:
        services.register_product(
            db_session,
            data={**product_data(), "manufacturer_id": other.organization_id},
            now=clock.now(),
            actor=actor_of(maker),
        )
    assert caught.value.extra["errors"] == {"manufacturer_id": ["unknown field"]}


@pytest.mark.parametrize("kind", ["regulator", "fund", "hospital", "distributor"])
def test_only_manufacturers_register_products(db_session, clock, make_user, kind):
    with pytest.raises(Forbidden):
        services.register_product(
            db_session, data=product_data(), now=clock.now(), actor=actor_of(make_user(kind=kind))
        )
    assert db_session.scalar(select(func.count(Product.id))) == 0


def test_an_approval_number_is_registered_once(db_session, make_product):
    make_product(approval_number="国药准字H20201111")
    with pytest.raises(Conflict) as caught:
        make_product(approval_number="国药准字H20201111")
    assert caught.value.extra["errors"] == {"approval_number": ["already registered"]}


def test_bad_product_fields_are_named(db_session, make_product):
    with pytest.raises(ValidationFailed) as caught:
        make_product(
            pack_size=0, strength=Decimal("-5"), smallest_unit="box", approval_date=date(2099, 1, 1)
        )
    assert set(caught.value.extra["errors"]) == {
        "pack_size",
        "strength",
        "smallest_unit",
        "approval_date",
    }


def test_a_manufacturer_sees_only_its_products_and_the_regulator_all(
    db_session, make_user, make_product, regulator
):
    alice, bob = make_user(kind="manufacturer"), make_user(kind="manufacturer")
    mine, theirs = make_product(alice), make_product(bob)
    assert [p.id for p in services.list_products(db_session, actor=actor_of(alice))] == [mine.id]
    with pytest.raises(NotFound):
        services.get_product(db_session, product_id=theirs.id, actor=actor_of(alice))
    everything = {p.id for p in services.list_products(db_session, actor=actor_of(regulator))}
    assert {mine.id, theirs.id} <= everything


def test_rules_overrides_are_typed_and_validated(db_session):
    rules = services.build_rules("national-2025", {"min_share": "0.1", "revival": False})
    assert rules["allocation"]["min_share"] == "0.1"
    assert rules["selection"]["anchor_mode"] == "half_mean_or_lowest"
    with pytest.raises(ValidationFailed) as caught:
        services.build_rules("national-2024", {"granularity": "by-city"})
    assert "rules_overrides.allocation.granularity" in caught.value.extra["errors"]
    with pytest.raises(ValidationFailed):
        services.build_rules("national-1999", {})


def test_a_tender_needs_a_province_level_scope_and_an_ordered_timeline(
    db_session, clock, make_tender
):
    with pytest.raises(ValidationFailed) as caught:
        make_tender("draft", region_scope=[], contract_years=0, opening_at=clock.now())
    assert set(caught.value.extra["errors"]) == {"region_scope", "contract_years", "opening_at"}
    assert db_session.scalar(select(func.count(Tender.id))) == 0


def test_an_edit_with_a_stale_version_is_refused_and_changes_nothing(
    db_session, clock, make_tender, regulator
):
    tender = make_tender("draft")
    services.update_tender(
        db_session,
        tender_id=tender.id,
        changes={"name": "A"},
        expected_version=1,
        now=clock.now(),
        actor=actor_of(regulator),
    )
    with pytest.raises(Conflict) as caught:
        services.update_tender(
            db_session,
            tender_id=tender.id,
            changes={"name": "B"},
            expected_version=1,
            now=clock.now(),
            actor=actor_of(regulator),
        )
    assert caught.value.code == "stale-version"
    assert tender.name == "A"


def test_another_regulator_cannot_edit_or_see_a_draft(db_session, clock, make_tender, make_user):
    tender = make_tender("draft")
    other = actor_of(make_user(kind="regulator"))
    with pytest.raises(NotFound):
        services.update_tender(
            db_session,
            tender_id=tender.id,
            changes={"name": "x"},
            expected_version=None,
            now=clock.now(),
            actor=other,
        )
    assert tender.id not in {t.id for t in services.list_tenders(db_session, actor=other)}
