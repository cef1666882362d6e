"""Opening: time guard, normalization by hand, validity, ranking, idempotence, receipts,
tampering, encryption at rest and seal key rotation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text, update

from procurement.audit.models import AuditEvent
from procurement.auth.services import actor_of
from procurement.bidding import services
from procurement.bidding.models import Bid, BidVersion, Validity
from procurement.bidding.seal import Sealer
from procurement.catalog.lifecycle import TenderStatus
from procurement.core.errors import Conflict, Forbidden, NotFound
from tests.fixtures.catalog import lot_data


@pytest.fixture
def tender(make_tender):
    # L01: 10 mg reference strength, ceiling 1.2000 per tablet.
    return make_tender(
        "bidding_open",
        lots=[lot_data("L01", reference_strength=Decimal("10"), ceiling_unit_price=Decimal("1.2"))],
    )


def open_now(db_session, tender, regulator, clock, sealer):
    return services.open_bids(
        db_session, tender_id=tender.id, now=clock.now(), actor=actor_of(regulator), sealer=sealer
    )


def test_opening_before_the_opening_time_is_refused_naming_it(
    tender, regulator, clock, db_session, sealer
):
    clock.set(tender.opening_at - timedelta(seconds=1))
    with pytest.raises(Conflict) as err:
        open_now(db_session, tender, regulator, clock, sealer)
    assert err.value.code == "too-early"
    assert tender.opening_at.isoformat() in err.value.detail
    assert tender.status == TenderStatus.BIDDING_OPEN


def test_opening_normalizes_by_strength_and_pack_and_ranks(
    tender, bidder, make_bid, regulator, clock, db_session, sealer
):
    lot = tender.lots[0]
    # A: 28 tablets of 20 mg at 47.60 per pack: unit 47.60 / 28 = 1.7000;
    #    20 mg vs 10 mg reference: 1.7 ** log2(2) = 1.7, comparable 1.7000 / 1.7 = 1.0000.
    a_user, a_product = bidder(strength=Decimal("20"), pack_size=28)
    a = make_bid(a_user, lot, a_product, price_per_pack=Decimal("47.60"), capacity=1000).bid
    # B: 100 tablets of 5 mg at 75.00: unit 0.7500; 5 vs 10 mg: 1.7 ** -1, comparable
    #    0.75 * 1.7 = 1.2750 > ceiling 1.2000 -> refused at submission, so bid 70.00: unit 0.7000,
    #    comparable 0.7000 * 1.7 = 1.1900.
    b_user, b_product = bidder(strength=Decimal("5"), pack_size=100)
    b = make_bid(b_user, lot, b_product, price_per_pack=Decimal("70.00"), capacity=500).bid
    # C: 10 tablets of 10 mg at 10.00: unit 1.0000 = comparable; ties A at 1.0000 with more
    #    capacity (2000 > 1000), so C ranks first.
    c_user, c_product = bidder(strength=Decimal("10"), pack_size=10)
    c = make_bid(c_user, lot, c_product, price_per_pack=Decimal("10.00"), capacity=2000).bid
    clock.set(tender.opening_at)
    result = open_now(db_session, tender, regulator, clock, sealer)
    assert (a.unit_price, a.comparable_price) == (Decimal("1.7000"), Decimal("1.0000"))
    assert (b.unit_price, b.comparable_price) == (Decimal("0.7000"), Decimal("1.1900"))
    assert (c.unit_price, c.comparable_price) == (Decimal("1.0000"), Decimal("1.0000"))
    assert [c.rank, a.rank, b.rank] == [1, 2, 3]
    assert tender.status == TenderStatus.OPENED
    assert [(lot.bids, lot.valid) for lot in result.lots] == [(3, 3)]


def test_equal_price_and_capacity_rank_the_earlier_submission_first(
    tender, bidder, make_bid, regulator, clock, db_session, sealer
):
    lot = tender.lots[0]
    u1, p1 = bidder(strength=Decimal("10"), pack_size=10)
    early = make_bid(u1, lot, p1, price_per_pack=Decimal("9.00"), capacity=10).bid
    clock.advance(minutes=5)
    u2, p2 = bidder(strength=Decimal("10"), pack_size=10)
    late = make_bid(u2, lot, p2, price_per_pack=Decimal("9.00"), capacity=10).bid
    clock.set(tender.opening_at)
    open_now(db_session, tender, regulator, clock, sealer)
    assert (early.rank, late.rank) == (1, 2)


def test_above_ceiling_bids_accepted_with_a_warning_are_invalid_at_opening(
    make_tender, bidder, make_bid, regulator, clock, db_session, sealer
):
    tender = make_tender("bidding_open", lots=1, rules_overrides={"accept_above_ceiling": True})
    user, product = bidder()
    bid = make_bid(user, tender.lots[0], product, price_per_pack=Decimal("9.80")).bid
    clock.set(tender.opening_at)
    open_now(db_session, tender, regulator, clock, sealer)
    assert bid.validity == Validity.INVALID
    assert "above the ceiling" in bid.invalid_reason
    assert bid.rank is None


def test_a_product_barred_after_submission_is_invalid_at_opening(
    tender, bidder, make_bid, regulator, clock, db_session, sealer
):
    user, product = bidder(strength=Decimal("10"), pack_size=10)
    bid = make_bid(user, tender.lots[0], product, price_per_pack=Decimal("5")).bid
    services.create_ban(
        db_session,
        data={"manufacturer_id": user.organization_id, "level": "especially", "reason": "r"},
        now=clock.now(),
        actor=actor_of(regulator),
    )
    clock.set(tender.opening_at)
    open_now(db_session, tender, regulator, clock, sealer)
    assert bid.validity == Validity.INVALID
    assert "barred" in bid.invalid_reason


def test_opening_twice_returns_the_same_result_and_writes_one_event(
    tender, bidder, make_bid, regulator, clock, db_session, sealer
):
    user, product = bidder(strength=Decimal("10"), pack_size=10)
    make_bid(user, tender.lots[0], product, price_per_pack=Decimal("5"))
    clock.set(tender.opening_at)
    first = open_now(db_session, tender, regulator, clock, sealer)
    clock.advance(hours=2)
    second = open_now(db_session, tender, regulator, clock, sealer)
    assert first == second
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "bids.opened"))
    assert len(events.all()) == 1


def test_only_the_tenders_regulator_opens(tender, make_user, clock, db_session, sealer):
    clock.set(tender.opening_at)
    for user in (make_user(kind="regulator"), make_user(kind="manufacturer")):
        with pytest.raises(Forbidden):
            open_now(db_session, tender, user, clock, sealer)


@pytest.fixture
def opened(tender, bidder, make_bid, regulator, clock, db_session, sealer):
    user, product = bidder(strength=Decimal("10"), pack_size=10)
    bid = make_bid(user, tender.lots[0], product, price_per_pack=Decimal("5.4321")).bid
    receipt = services.bid_receipt(db_session, bid_id=bid.id, actor=actor_of(user))
    clock.set(tender.opening_at)
    open_now(db_session, tender, regulator, clock, sealer)
    return bid, receipt


def test_an_opened_bid_verifies_against_its_receipt(opened, db_session):
    bid, receipt = opened
    result = services.verify_bid(db_session, reference=bid.reference, digest=receipt.digest)
    assert (result.match, result.commitment_match, result.receipt_match) == (True, True, True)
    other = services.verify_bid(db_session, reference=bid.reference, digest="0" * 64)
    assert (other.match, other.receipt_match) == (False, False)


def test_a_tampered_opened_price_fails_verification(opened, db_session):
    bid, receipt = opened
    db_session.execute(update(Bid).where(Bid.id == bid.id).values(price_per_pack=Decimal("5.4320")))
    db_session.expire_all()
    result = services.verify_bid(db_session, reference=bid.reference, digest=receipt.digest)
    assert (result.match, result.commitment_match) == (False, False)


def test_a_swapped_sealed_blob_is_invalid_at_opening(
    tender, bidder, make_bid, regulator, clock, db_session, sealer
):
    user, product = bidder(strength=Decimal("10"), pack_size=10)
    bid = make_bid(user, tender.lots[0], product, price_per_pack=Decimal("9")).bid
    cheaper = sealer.seal(b'{"capacity":1,"note":"","price_per_pack":"0.0100","regions":[]}')
    db_session.execute(update(Bid).where(Bid.id == bid.id).values(sealed=cheaper))
    db_session.expire_all()
    clock.set(tender.opening_at)
    open_now(db_session, tender, regulator, clock, sealer)
    bid = db_session.get(Bid, bid.id)
    assert bid.validity == Validity.INVALID
    assert "commitment" in bid.invalid_reason


def test_before_opening_a_bid_is_not_found_for_verification_like_a_missing_one(
    tender, bidder, make_bid, db_session
):
    user, product = bidder(strength=Decimal("10"), pack_size=10)
    bid = make_bid(user, tender.lots[0], product, price_per_pack=Decimal("9")).bid
    answers = []
    for reference in (bid.reference, "no-such-reference", "\x00bad", "x" * 33):
        with pytest.raises(NotFound) as err:
            services.verify_bid(db_session, reference=reference, digest=None)
        answers.append((err.value.code, err.value.detail, err.value.extra))
    assert len(set(map(repr, answers))) == 1, answers


def test_the_price_is_not_in_the_stored_row_bytes(tender, bidder, make_bid, db_session):
    user, product = bidder(strength=Decimal("10"), pack_size=10)
    bid = make_bid(
        user, tender.lots[0], product, price_per_pack=Decimal("9.8765"), capacity=424242
    ).bid
    for table in ("bids", "bid_versions"):
        rows = db_session.execute(text(f"SELECT * FROM {table} WHERE id = :i"), {"i": bid.id})
        raw = repr(rows.all()).encode()
        assert b"9.8765" not in raw
        assert b"424242" not in raw
        assert raw  # the row was read


def test_rotating_the_seal_key_keeps_every_bid_openable(
    tender, bidder, make_bid, regulator, clock, db_session, sealer
):
    user, product = bidder(strength=Decimal("10"), pack_size=10)
    bid = make_bid(user, tender.lots[0], product, price_per_pack=Decimal("9.5")).bid
    old_blob, digest = bid.sealed, bid.digest
    new_key = Fernet.generate_key()
    rotated = Sealer([new_key, "q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="])
    assert services.rotate_seal_key(db_session, sealer=rotated) == 2  # the bid and its version
    bid = db_session.get(Bid, bid.id)
    assert bid.sealed != old_blob
    assert bid.digest == digest
    only_new = Sealer([new_key])
    assert only_new.unseal_content(bid.sealed).price_per_pack == Decimal("9.5000")
    version = db_session.scalars(select(BidVersion).where(BidVersion.bid_id == bid.id)).one()
    assert only_new.unseal_content(version.sealed).capacity == 100_000
    clock.set(tender.opening_at)
    open_now(db_session, tender, regulator, clock, only_new)
    assert bid.price_per_pack == Decimal("9.5000")
