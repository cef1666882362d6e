"""Submitting, amending and withdrawing sealed bids; the deadline; every eligibility refusal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.audit.models import AuditEvent
from procurement.auth.services import actor_of
from procurement.bidding import services
from procurement.bidding.models import BidAction, BidStatus, BidVersion
from procurement.bidding.seal import BidContent, commitment
from procurement.core.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from tests.fixtures.bidding import bid_data


@pytest.fixture
def setup(make_tender, bidder):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    return tender, tender.lots[0], user, product


def test_a_submitted_bid_is_sealed_with_a_commitment_and_no_plaintext(setup, make_bid, sealer):
    _tender, lot, user, product = setup
    result = make_bid(user, lot, product, price_per_pack=Decimal("5.6000"), capacity=120_000)
    bid = result.bid
    assert bid.status == BidStatus.SUBMITTED
    assert (bid.price_per_pack, bid.capacity, bid.regions, bid.unit_price) == (None,) * 4
    content = sealer.unseal_content(bid.sealed)
    assert content == BidContent(Decimal("5.6000"), 120_000, ("310000", "320000"), "")
    assert bid.digest == commitment(content, sealer.unseal_nonce(bid.nonce))
    assert b"5.6" not in bid.sealed
    # 5.60 / 28 = 0.2000 per tablet at the reference strength 5 mg: comparable 0.2000.
    assert result.prices.unit_price == Decimal("0.2000")
    assert result.prices.comparable_price == Decimal("0.2000")


def test_a_bid_one_second_before_the_deadline_is_accepted(setup, make_bid, clock):
    tender, lot, user, product = setup
    clock.set(tender.bid_deadline - timedelta(seconds=1))
    assert make_bid(user, lot, product).bid.status == BidStatus.SUBMITTED


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1)])
def test_at_or_after_the_deadline_nothing_can_be_submitted(setup, make_bid, clock, after):
    tender, lot, user, product = setup
    clock.set(tender.bid_deadline + after)
    with pytest.raises(Conflict) as err:
        make_bid(user, lot, product)
    assert err.value.code == "bid-deadline-passed"
    assert tender.bid_deadline.isoformat() in err.value.detail


def test_after_the_deadline_amend_and_withdraw_are_refused_and_change_nothing(
    setup, make_bid, clock, db_session, sealer
):
    tender, lot, user, product = setup
    bid = make_bid(user, lot, product).bid
    clock.set(tender.bid_deadline + timedelta(seconds=1))
    with pytest.raises(Conflict, match="deadline"):
        services.amend_bid(
            db_session,
            bid_id=bid.id,
            data=bid_data(product, price_per_pack=Decimal("1.0000")),
            expected_version=None,
            now=clock.now(),
            actor=actor_of(user),
            sealer=sealer,
        )
    with pytest.raises(Conflict, match="deadline"):
        services.withdraw_bid(
            db_session, bid_id=bid.id, expected_version=None, now=clock.now(), actor=actor_of(user)
        )
    assert bid.status == BidStatus.SUBMITTED
    assert sealer.unseal_content(bid.sealed).price_per_pack == Decimal("5.6000")


def test_amend_and_withdraw_keep_every_version(setup, make_bid, clock, db_session, sealer):
    _tender, lot, user, product = setup
    bid = make_bid(user, lot, product).bid
    first_digest = bid.digest
    clock.advance(hours=1)
    services.amend_bid(
        db_session,
        bid_id=bid.id,
        data=bid_data(product, price_per_pack=Decimal("4.2000")),
        expected_version=bid.version,
        now=clock.now(),
        actor=actor_of(user),
        sealer=sealer,
    )
    clock.advance(hours=1)
    services.withdraw_bid(
        db_session, bid_id=bid.id, expected_version=None, now=clock.now(), actor=actor_of(user)
    )
    versions = db_session.scalars(select(BidVersion).where(BidVersion.bid_id == bid.id)).all()
    assert [v.action for v in versions] == [BidAction.SUBMIT, BidAction.AMEND, BidAction.WITHDRAW]
    assert versions[0].digest == first_digest != versions[1].digest
    assert sealer.unseal_content(versions[0].sealed).price_per_pack == Decimal("5.6000")
    assert sealer.unseal_content(versions[1].sealed).price_per_pack == Decimal("4.2000")
    assert bid.status == BidStatus.WITHDRAWN


def test_a_withdrawn_bid_can_be_submitted_again_as_its_next_version(
    setup, make_bid, clock, db_session
):
    _tender, lot, user, product = setup
    bid = make_bid(user, lot, product).bid
    services.withdraw_bid(
        db_session, bid_id=bid.id, expected_version=None, now=clock.now(), actor=actor_of(user)
    )
    again = make_bid(user, lot, product, capacity=5).bid
    assert again.id == bid.id
    assert again.status == BidStatus.SUBMITTED
    assert [v.version for v in again.versions] == [1, 2, 3]


def test_a_second_live_bid_on_the_same_lot_is_refused(setup, make_bid):
    _tender, lot, user, product = setup
    bid = make_bid(user, lot, product).bid
    with pytest.raises(Conflict) as err:
        make_bid(user, lot, product)
    assert err.value.code == "bid-exists"
    assert err.value.extra["bid_id"] == bid.id


def test_a_stale_version_is_refused(setup, make_bid, clock, db_session, sealer):
    _tender, lot, user, product = setup
    bid = make_bid(user, lot, product).bid
    with pytest.raises(Conflict) as err:
        services.amend_bid(
            db_session,
            bid_id=bid.id,
            data=bid_data(product),
            expected_version=bid.version + 5,
            now=clock.now(),
            actor=actor_of(user),
            sealer=sealer,
        )
    assert err.value.code == "stale-version"


def test_the_audit_log_holds_ids_and_digests_only(setup, bidder, make_bid, db_session):
    tender, lot, _, _ = setup
    user, product = bidder(pack_size=100)  # 13.5791 / 100 = 0.1358 per tablet
    bid = make_bid(user, lot, product, price_per_pack=Decimal("13.5791"), capacity=424242).bid
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "bid")).all()
    assert [e.payload for e in events] == [
        {"tender_id": tender.id, "version": 1, "digest": bid.digest}
    ]


@pytest.mark.parametrize(
    ("product_fields", "bid_fields", "field", "fragment"),
    [
        ({"generic_name": "阿托伐他汀"}, {}, "product_id", "generic name"),
        ({"dosage_class": "injection", "smallest_unit": "vial"}, {}, "product_id", "dosage form"),
        ({"smallest_unit": "capsule"}, {}, "product_id", "counts in capsule"),
        ({"consistency_evaluated": False}, {}, "product_id", "consistency evaluation"),
        ({}, {"price_per_pack": Decimal("8.4028")}, "price_per_pack", "above the lot ceiling"),
        ({}, {"price_per_pack": Decimal("-1")}, "price_per_pack", "positive"),
        ({}, {"price_per_pack": Decimal("1.00001")}, "price_per_pack", "4 decimal places"),
        ({}, {"capacity": 0}, "capacity", "positive whole number"),
        ({}, {"capacity": True}, "capacity", "positive whole number"),
        ({}, {"regions": ["440000"]}, "regions", "not in the tender scope"),
        ({}, {"regions": []}, "regions", "at least one"),
        ({}, {"note": "x" * 501}, "note", "at most 500"),
    ],
)
def test_each_ineligible_bid_is_refused_naming_its_field(
    setup, bidder, make_bid, product_fields, bid_fields, field, fragment
):
    _tender, lot, _, _ = setup
    user, product = bidder(**product_fields)
    with pytest.raises(ValidationFailed) as err:
        make_bid(user, lot, product, **bid_fields)
    assert fragment in err.value.extra["errors"][field][0]
    assert field in err.value.detail


def test_an_originator_may_bid_on_a_consistency_lot(setup, bidder, make_bid):
    _tender, lot, _, _ = setup
    user, product = bidder(consistency_evaluated=False, originator=True)
    assert make_bid(user, lot, product).bid.status == BidStatus.SUBMITTED


def test_the_ceiling_boundary_is_inclusive(setup, make_bid):
    # 8.40 / 28 = 0.3000 per tablet = the ceiling exactly; 8.4028 / 28 = 0.30010 -> 0.3001 above.
    _tender, lot, user, product = setup
    assert make_bid(user, lot, product, price_per_pack=Decimal("8.4000")).bid.id


def test_another_manufacturers_product_is_not_yours(setup, bidder, make_bid):
    _tender, lot, _, others_product = setup
    user, _ = bidder()
    with pytest.raises(ValidationFailed) as err:
        make_bid(user, lot, others_product)
    assert err.value.extra["errors"]["product_id"] == ["not one of your registered products"]


def test_above_the_ceiling_is_accepted_with_a_warning_when_the_rules_allow_it(
    make_tender, bidder, make_bid
):
    tender = make_tender("bidding_open", lots=1, rules_overrides={"accept_above_ceiling": True})
    user, product = bidder()
    result = make_bid(user, tender.lots[0], product, price_per_pack=Decimal("9.8000"))
    # 9.80 / 28 = 0.3500 > 0.3000.
    assert result.bid.status == BidStatus.SUBMITTED
    assert "0.3500" in result.warnings[0]
    assert "invalid at opening" in result.warnings[0]


def test_a_barred_manufacturer_cannot_bid(setup, make_bid, db_session, clock, regulator):
    _tender, lot, user, product = setup
    services.create_ban(
        db_session,
        data={
            "manufacturer_id": user.organization_id,
            "level": "seriously_dishonest",
            "reason": "failed to supply",
            "until": clock.now() + timedelta(days=365),
        },
        now=clock.now(),
        actor=actor_of(regulator),
    )
    with pytest.raises(RuleViolation) as err:
        make_bid(user, lot, product)
    assert err.value.code == "bidder-barred"
    assert "manufacturer" in err.value.extra["errors"]


def test_a_barred_product_cannot_bid_but_another_product_can(
    setup, make_bid, make_product, db_session, clock, regulator
):
    _tender, lot, user, product = setup
    services.create_ban(
        db_session,
        data={
            "manufacturer_id": user.organization_id,
            "product_id": product.id,
            "level": "seriously_dishonest",
            "reason": "quality",
        },
        now=clock.now(),
        actor=actor_of(regulator),
    )
    with pytest.raises(RuleViolation) as err:
        make_bid(user, lot, product)
    assert "product_id" in err.value.extra["errors"]
    assert make_bid(user, lot, make_product(user)).bid.id


def test_a_lifted_ban_no_longer_bars(setup, make_bid, db_session, clock, regulator):
    _tender, lot, user, product = setup
    ban = services.create_ban(
        db_session,
        data={"manufacturer_id": user.organization_id, "level": "violation", "reason": "r"},
        now=clock.now(),
        actor=actor_of(regulator),
    )
    clock.advance(minutes=1)
    services.lift_ban(db_session, ban_id=ban.id, now=clock.now(), actor=actor_of(regulator))
    assert make_bid(user, lot, product).bid.id


@pytest.mark.parametrize("kind", ["hospital", "regulator", "fund"])
def test_only_manufacturers_may_bid(setup, make_user, db_session, clock, sealer, kind):
    _tender, lot, _, product = setup
    with pytest.raises(Forbidden):
        services.submit_bid(
            db_session,
            lot_id=lot.id,
            data=bid_data(product),
            now=clock.now(),
            actor=actor_of(make_user(kind=kind)),
            sealer=sealer,
        )


def test_bidding_before_bidding_opens_is_refused(make_tender, bidder, make_bid):
    tender = make_tender("demand_open", lots=1)
    user, product = bidder()
    with pytest.raises(Conflict) as err:
        make_bid(user, tender.lots[0], product)
    assert err.value.code == "bidding-not-open"
