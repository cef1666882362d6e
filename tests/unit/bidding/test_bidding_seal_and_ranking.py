"""Pure parts: commitment digests, sealing, key derivation, normalization and ranking."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet

from procurement.bidding.ranking import Rankable, normalize, rank
from procurement.bidding.seal import (
    BidContent,
    Sealer,
    SealError,
    canonical_json,
    commitment,
    sealer_from_settings,
)

CONTENT = BidContent(Decimal("47.6"), 500000, ("320000", "310000"), "备注")


def test_the_canonical_json_sorts_keys_and_regions_and_fixes_four_places():
    assert canonical_json(CONTENT) == (
        '{"capacity":500000,"note":"备注","price_per_pack":"47.6000","regions":["310000","320000"]}'
    )


def test_the_commitment_is_sha256_of_nonce_colon_canonical_json():
    expected = hashlib.sha256(("ab12:" + canonical_json(CONTENT)).encode()).hexdigest()
    assert commitment(CONTENT, "ab12") == expected
    assert commitment(CONTENT, "ab13") != expected


def test_sealing_round_trips_and_hides_the_price():
    sealer = Sealer([Fernet.generate_key()])
    token = sealer.seal_content(CONTENT)
    assert b"47.6" not in token
    assert sealer.unseal_content(token) == BidContent(
        Decimal("47.6000"), 500000, ("310000", "320000"), "备注"
    )


def test_a_foreign_key_cannot_unseal():
    token = Sealer([Fernet.generate_key()]).seal(b"x")
    with pytest.raises(SealError):
        Sealer([Fernet.generate_key()]).unseal(token)


def test_without_keys_no_sealer_is_derived_from_the_secret():
    # Outside production create_app fills BID_SEAL_KEYS from the instance folder's key file.
    for env in ("development", "production"):
        with pytest.raises(SealError, match="BID_SEAL_KEYS"):
            sealer_from_settings({"ENV": env, "SECRET_KEY": "s3cret"})


@pytest.mark.parametrize(
    ("price", "pack", "strength", "reference", "unit", "comparable"),
    [
        # 47.60 / 28 = 1.7000; 20 mg vs 10 mg: 1.7 ** 1 -> 1.7000 / 1.7 = 1.0000.
        ("47.60", 28, "20", "10", "1.7000", "1.0000"),
        # 7.00 / 10 = 0.7000; 5 mg vs 10 mg: 1.7 ** -1 -> 0.7000 * 1.7 = 1.1900.
        ("7.00", 10, "5", "10", "0.7000", "1.1900"),
        # 28.90 / 10 = 2.8900; 40 mg vs 10 mg: 1.7 ** 2 = 2.89 -> 1.0000.
        ("28.90", 10, "40", "10", "2.8900", "1.0000"),
        # 10.00 / 7 = 1.428571... -> 1.4286 (half up); same strength: comparable = unit.
        ("10.00", 7, "10", "10", "1.4286", "1.4286"),
        # 3.00 / 1 = 3.0000; 15 mg vs 10 mg: 1.7 ** log2(1.5) = 1.7 ** 0.5849625 = 1.36397...
        #   3 / 1.363973 = 2.19946... -> 2.1995.
        ("3.00", 1, "15", "10", "3.0000", "2.1995"),
    ],
)
def test_normalization_matches_hand_computed_values(
    price, pack, strength, reference, unit, comparable
):
    prices = normalize(Decimal(price), pack, Decimal(strength), Decimal(reference), Decimal("1.7"))
    assert (prices.unit_price, prices.comparable_price) == (Decimal(unit), Decimal(comparable))


def test_ranking_orders_by_price_then_larger_capacity_then_earlier_submission():
    t = datetime(2026, 1, 5, tzinfo=UTC)
    bids = [
        Rankable(1, Decimal("1.0000"), 100, t + timedelta(minutes=2)),
        Rankable(2, Decimal("0.9000"), 10, t + timedelta(minutes=3)),
        Rankable(3, Decimal("1.0000"), 500, t + timedelta(minutes=4)),
        Rankable(4, Decimal("1.0000"), 100, t + timedelta(minutes=1)),
    ]
    assert rank(bids) == {2: 1, 3: 2, 4: 3, 1: 4}
