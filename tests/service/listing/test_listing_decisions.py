"""Filing a listing request and the regulator's decision: who may do what, what a refusal
leaves unchanged, and what an approval makes active."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.auth.errors import ReadOnlyRole, WrongOrganizationKind
from procurement.auth.services import actor_of
from procurement.catalog.errors import ProductNotFound
from procurement.listing import services
from procurement.listing.errors import (
    DecisionReasonRequired,
    ListingChecksFailed,
    ListingRequestDecided,
    ListingRequestNotFound,
    ListingRequestNotValid,
    ListingRequestPending,
)
from procurement.listing.models import Listing, RequestStatus
from procurement.listing.rules import ListingRules

RULES = ListingRules()


@pytest.fixture
def maker(listing_world):
    return listing_world.make_user(kind="manufacturer", region_code="320000")


@pytest.fixture
def product(listing_world, maker):
    return listing_world.make_product(maker)


def _decide(world, verb, request, reason=None, actor=None):
    fn = services.approve_request if verb == "approve" else services.reject_request
    return fn(
        world.session,
        request_id=request.id,
        reason=reason,
        rules=RULES,
        now=world.clock.now(),
        actor=actor or world.reg,
    )


def test_an_approved_request_becomes_an_active_listing_anyone_finds(listing_world, maker, product):
    request = listing_world.file(maker, product, "0.5000", "310000")
    _decide(listing_world, "approve", request)
    assert request.status == RequestStatus.APPROVED
    assert request.decided_at == listing_world.clock.now()
    found = services.search_listings(listing_world.session, q="氨氯")
    assert [(x.id, x.unit_price, x.region_code) for x in found] == [
        (request.listing.id, Decimal("0.5000"), "310000")
    ]
    assert services.search_listings(listing_world.session, q="阿托伐他汀") == []


def test_a_request_with_a_failed_check_cannot_be_approved_and_stays_pending(
    listing_world, maker, product
):
    listing_world.win(product, "0.2000", regions=("310000",))
    request = listing_world.file(maker, product, "0.3100", "320000")  # limit 0.3000
    with pytest.raises(ListingChecksFailed) as refused:
        _decide(listing_world, "approve", request, reason="ok")
    assert refused.value.params["failed"] == ["unsupplied_region"]
    listing_world.session.rollback()
    assert request.status == RequestStatus.PENDING
    assert listing_world.session.query(Listing).count() == 0


def test_a_rejection_needs_a_reason_and_the_manufacturer_reads_it(listing_world, maker, product):
    request = listing_world.file(maker, product, "0.5000")
    with pytest.raises(DecisionReasonRequired):
        _decide(listing_world, "reject", request, reason="  ")
    _decide(listing_world, "reject", request, reason="价格依据不足")
    mine = services.get_request(listing_world.session, request_id=request.id, actor=actor_of(maker))
    assert (mine.status, mine.decision_reason) == (RequestStatus.REJECTED, "价格依据不足")
    assert mine.decision_checks[0]["code"] == "lowest_on_record"


def test_a_flagged_request_is_approved_only_with_a_reason(listing_world, maker, product):
    winner = listing_world.make_user(kind="manufacturer")
    listing_world.win(listing_world.make_product(winner), "0.2000")
    request = listing_world.file(maker, product, "0.4500")  # above 2 x 0.2000
    assert [c["status"] for c in request.checks] == ["pass", "not_applicable", "flag"]
    with pytest.raises(DecisionReasonRequired):
        _decide(listing_world, "approve", request)
    _decide(listing_world, "approve", request, reason="原研药，质量层次不同")
    assert request.status == RequestStatus.APPROVED


def test_the_checks_run_again_at_the_decision(listing_world, maker, product):
    request = listing_world.file(maker, product, "0.5000", "320000")
    assert request.checks[0]["status"] == "pass"
    listing_world.listed(maker, product, "0.4000", "310000")  # a lower price since
    with pytest.raises(ListingChecksFailed):
        _decide(listing_world, "approve", request)


def test_a_decided_request_is_not_decided_again(listing_world, maker, product):
    request = listing_world.file(maker, product, "0.5000")
    _decide(listing_world, "reject", request, reason="no")
    with pytest.raises(ListingRequestDecided):
        _decide(listing_world, "approve", request)


def test_a_second_pending_request_for_the_same_product_and_region_is_refused(
    listing_world, maker, product
):
    first = listing_world.file(maker, product, "0.5000", region=None)
    with pytest.raises(ListingRequestPending) as refused:
        listing_world.file(maker, product, "0.4000", region=None)
    assert refused.value.params["request_id"] == first.id
    assert listing_world.file(maker, product, "0.4000", "310000").id != first.id


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("region_code", {"region": "320100"}),  # a city, not a province
        ("region_code", {"region": "990000"}),
        ("unit_price", {"unit_price": "0"}),
        ("unit_price", {"unit_price": "0.12345"}),
        ("evidence", {"evidence": "   "}),
        ("evidence", {"evidence": "x" * 4001}),
    ],
)
def test_a_request_with_a_bad_field_is_refused_beside_the_field(
    listing_world, maker, product, field, kwargs
):
    price = kwargs.pop("unit_price", "0.5000")
    with pytest.raises(ListingRequestNotValid) as refused:
        listing_world.file(maker, product, price, **kwargs)
    assert set(refused.value.errors) == {field}


def test_only_a_writing_manufacturer_files_and_only_for_its_own_product(
    listing_world, maker, product
):
    other = listing_world.make_user(kind="manufacturer")
    with pytest.raises(ProductNotFound):
        listing_world.file(other, product, "0.5000")
    viewer = listing_world.make_user(maker.organization, role="viewer")
    with pytest.raises(ReadOnlyRole):
        listing_world.file(viewer, product, "0.5000")
    for kind in ("hospital", "regulator", "fund", "distributor"):
        with pytest.raises(WrongOrganizationKind):
            listing_world.file(listing_world.make_user(kind=kind), product, "0.5000")


def test_a_manufacturer_reads_only_its_own_requests_and_decides_none(listing_world, maker, product):
    request = listing_world.file(maker, product, "0.5000")
    other = actor_of(listing_world.make_user(kind="manufacturer"))
    assert services.list_requests(listing_world.session, actor=other) == []
    with pytest.raises(ListingRequestNotFound):
        services.get_request(listing_world.session, request_id=request.id, actor=other)
    with pytest.raises(WrongOrganizationKind):
        _decide(listing_world, "approve", request, actor=actor_of(maker))
    viewer = actor_of(listing_world.make_user(listing_world.regulator.organization, role="viewer"))
    with pytest.raises(ReadOnlyRole):
        _decide(listing_world, "reject", request, reason="no", actor=viewer)
