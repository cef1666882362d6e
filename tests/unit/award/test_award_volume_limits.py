"""What every winner received and what limited it (award/volume_limits.py): small lots solved
by the real optimizer, the expected notes worked out by hand. ``NO_BRAND`` is the part every
note carries when no hospital reported by brand."""

from __future__ import annotations

from decimal import Decimal

from procurement.award.allocation import AllocationProblem, Hospital, Winner
from procurement.award.optimizer import allocate
from procurement.award.volume_limits import volume_limits

NO_BRAND = {"brand": 0, "brand_cut": 0}
HOSPITALS = (
    Hospital("h1", "310000", 2000),
    Hospital("h2", "310000", 2000),
    Hospital("h3", "320000", 1000),
)


def test_capacity_and_regions_are_named_with_their_numbers():
    # A (1.00, capacity 3,000) is cheapest everywhere; B (1.20) serves only 320000; C (1.50).
    # Cheapest plan: B takes h3 (1,000), A fills 3,000 of 310000, C the other 1,000 there.
    problem = AllocationProblem(
        "L1",
        (
            Winner("A", Decimal("1.00"), 3000),
            Winner("B", Decimal("1.20"), 10_000, frozenset({"320000"})),
            Winner("C", Decimal("1.50"), 10_000),
        ),
        HOSPITALS,
        granularity="split",
    )
    notes = volume_limits(problem, allocate(problem))
    # A serves everything; 2,000 units of it went to dearer B (1,000) and C (1,000)
    assert (
        notes["A"]
        == {
            "limit": "capacity",
            "capacity": 3000,
            "received": 3000,
            "to_dearer": 2000,
        }
        | NO_BRAND
    )
    # B received all of 320000; the 1,000 units C supplies are in 310000, which B did not offer
    assert (
        notes["B"]
        == {
            "limit": "regions",
            "regions": ["320000"],
            "elsewhere": 1000,
            "received": 1000,
        }
        | NO_BRAND
    )
    # the dearest winner: nothing went to anyone dearer, so nothing limited its 1,000
    assert notes["C"] == {"limit": "none", "received": 1000} | NO_BRAND


def test_the_maximum_share_rule_is_named():
    # Two winners serving everything, no capacity limit, at most 60% of 5,000 = 3,000 each.
    problem = AllocationProblem(
        "L1",
        (Winner("A", Decimal("1.00"), 100_000), Winner("B", Decimal("1.10"), 100_000)),
        HOSPITALS,
        granularity="split",
        max_share=Decimal("0.6"),
    )
    notes = volume_limits(problem, allocate(problem))
    assert (
        notes["A"]
        == {
            "limit": "max_share",
            "max_share": "0.6",
            "received": 3000,
            "to_dearer": 2000,
        }
        | NO_BRAND
    )
    assert notes["B"] == {"limit": "none", "received": 2000} | NO_BRAND


def test_whole_hospitals_leave_capacity_unused_and_say_so():
    # Single sourcing: A (capacity 2,500) fits one whole hospital only: a 2,000 one (saving
    # more than h3's 1,000); the other 3,000 units go to dearer B though A has 500 left.
    problem = AllocationProblem(
        "L1",
        (Winner("A", Decimal("1.00"), 2500), Winner("B", Decimal("1.10"), 100_000)),
        HOSPITALS,
        granularity="single",
    )
    result = allocate(problem)
    assert {t.winner_id: t.quantity for t in result.winner_totals}["A"] == 2000
    notes = volume_limits(problem, result)
    assert (
        notes["A"]
        == {
            "limit": "granularity",
            "granularity": "single",
            "received": 2000,
            "to_dearer": 3000,
        }
        | NO_BRAND
    )
    assert notes["B"] == {"limit": "none", "received": 3000} | NO_BRAND
