"""Filing listing requests (a manufacturer, for its own product), reading them (the
manufacturer its own, the regulator all) and the regulator's decision."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.auth.regions import region_name
from procurement.catalog.errors import ProductNotFound
from procurement.catalog.models import Product
from procurement.core.messages import N_, Message
from procurement.core.money import round_unit_price
from procurement.listing.errors import (
    DecisionReasonRequired,
    ListingChecksFailed,
    ListingRequestDecided,
    ListingRequestNotFound,
    ListingRequestNotValid,
    ListingRequestPending,
)
from procurement.listing.models import Listing, ListingRequest, RequestStatus
from procurement.listing.rules import FAIL, FLAG, ListingRules
from procurement.listing.services.records import evaluate

MAX_EVIDENCE_CHARS = 4000  # the evidence text of a request
MAX_REASON_CHARS = 2000  # the reason of a decision
READERS = (OrgKind.MANUFACTURER, OrgKind.REGULATOR)


def _check_fields(region_code: str | None, unit_price: Decimal, evidence: str) -> None:
    errors: dict[str, list[str]] = {}
    if region_code is not None and (
        not region_code.endswith("0000") or region_name(region_code) is None
    ):
        errors["region_code"] = [
            Message("'{code}' is not a province-level GB/T 2260 code", code=region_code)
        ]
    if unit_price <= 0 or unit_price != round_unit_price(unit_price):
        errors["unit_price"] = [N_("a positive price with at most 4 decimal places")]
    if not evidence.strip() or len(evidence) > MAX_EVIDENCE_CHARS:
        errors["evidence"] = [
            Message(
                "required, at most {limit} characters (MAX_EVIDENCE_CHARS)",
                limit=MAX_EVIDENCE_CHARS,
            )
        ]
    if errors:
        raise ListingRequestNotValid(errors=errors)


def file_listing_request(
    session: Session,
    *,
    product_id: int,
    region_code: str | None,
    unit_price: Decimal,
    evidence: str,
    rules: ListingRules,
    now: datetime,
    actor: Actor,
) -> ListingRequest:
    """File a request to list one of the manufacturer's products at a unit price (per smallest
    unit) in a province, or in every region (``region_code`` None); the checks run at once."""
    actor.require(OrgKind.MANUFACTURER, action="file listing requests")
    region_code = region_code or None
    _check_fields(region_code, unit_price, evidence)
    product = session.get(Product, product_id)
    if product is None or product.manufacturer_id != actor.org_id:
        raise ProductNotFound(product_id=product_id)
    pending = session.scalar(
        select(ListingRequest.id).where(
            ListingRequest.product_id == product_id,
            _same_region(region_code),
            ListingRequest.status == RequestStatus.PENDING,
        )
    )
    if pending is not None:
        raise ListingRequestPending(request_id=pending, product_id=product_id)
    checks = evaluate(
        session, product=product, unit_price=unit_price, region_code=region_code, rules=rules
    )
    request = ListingRequest(
        product_id=product.id,
        manufacturer_id=product.manufacturer_id,
        filed_by_org_id=actor.org_id,
        filed_by_user_id=actor.user_id,
        region_code=region_code,
        unit_price=unit_price,
        currency="CNY",
        evidence=evidence.strip(),
        status=RequestStatus.PENDING,
        rules=rules.to_dict(),
        checks=[c.to_dict() for c in checks],
        filed_at=now,
    )
    session.add(request)
    session.flush()
    record(
        session,
        action="listing.requested",
        subject_type="listing_request",
        subject_id=request.id,
        now=now,
        actor=actor,
        payload={
            "product_id": product.id,
            "region_code": region_code,
            "unit_price": str(unit_price),
            "checks": {c.code: c.status for c in checks},
        },
    )
    session.commit()
    return request


def _same_region(region_code: str | None):
    if region_code is None:
        return ListingRequest.region_code.is_(None)
    return ListingRequest.region_code == region_code


def requests_query(actor: Actor) -> Select:
    """The requests the actor may read: a manufacturer its own, the regulator every one."""
    actor.require(*READERS, write=False, action="see listing requests")
    query = select(ListingRequest)
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(ListingRequest.manufacturer_id == actor.org_id)
    return query


def list_requests(
    session: Session, *, actor: Actor, status: RequestStatus | None = None
) -> list[ListingRequest]:
    """Listing requests the actor may read, newest first."""
    query = requests_query(actor)
    if status is not None:
        query = query.where(ListingRequest.status == status)
    return list(session.scalars(query.order_by(ListingRequest.id.desc())))


def get_request(
    session: Session, *, request_id: int, actor: Actor, lock: bool = False
) -> ListingRequest:
    """One request (404 when it is not the actor's to read)."""
    query = requests_query(actor).where(ListingRequest.id == request_id)
    request = session.scalar(query.with_for_update() if lock else query)
    if request is None:
        raise ListingRequestNotFound(request_id=request_id)
    return request


def _decidable(session: Session, request_id: int, actor: Actor, action: str) -> ListingRequest:
    actor.require(OrgKind.REGULATOR, action=action)
    request = get_request(session, request_id=request_id, actor=actor, lock=True)
    if request.status != RequestStatus.PENDING:
        raise ListingRequestDecided(request_id=request_id, current_status=request.status.value)
    return request


def _reason(reason: str | None, required: bool) -> str | None:
    text = (reason or "").strip()
    if (required and not text) or len(text) > MAX_REASON_CHARS:
        raise DecisionReasonRequired(
            errors={"reason": [N_("required")] if not text else [N_("too long")]},
            limit=MAX_REASON_CHARS,
        )
    return text or None


def approve_request(
    session: Session,
    *,
    request_id: int,
    reason: str | None,
    rules: ListingRules,
    now: datetime,
    actor: Actor,
) -> ListingRequest:
    """Approve a pending request: the checks run again on what is on record now; a failed check
    refuses it, a flagged one needs a reason. The listing becomes active and ends the product's
    previous listing in the same region."""
    request = _decidable(session, request_id, actor, "approve listing requests")
    checks = evaluate(
        session,
        product=request.product,
        unit_price=request.unit_price,
        region_code=request.region_code,
        rules=rules,
    )
    failed = [c for c in checks if c.status == FAIL]
    if failed:
        raise ListingChecksFailed(
            request_id=request_id,
            failed=[c.code for c in failed],
            failed_count=len(failed),
        )
    text = _reason(reason, required=any(c.status == FLAG for c in checks))
    _decide(request, RequestStatus.APPROVED, checks, text, now, actor)
    listing = _activate(session, request, now)
    _audit(session, request, now, actor, listing_id=listing.id)
    session.commit()
    return request


def reject_request(
    session: Session,
    *,
    request_id: int,
    reason: str | None,
    rules: ListingRules,
    now: datetime,
    actor: Actor,
) -> ListingRequest:
    """Reject a pending request with a reason (the manufacturer reads it)."""
    request = _decidable(session, request_id, actor, "reject listing requests")
    text = _reason(reason, required=True)
    checks = evaluate(
        session,
        product=request.product,
        unit_price=request.unit_price,
        region_code=request.region_code,
        rules=rules,
    )
    _decide(request, RequestStatus.REJECTED, checks, text, now, actor)
    _audit(session, request, now, actor)
    session.commit()
    return request


def _decide(request, status, checks, reason, now, actor) -> None:
    request.status = status
    request.decision_checks = [c.to_dict() for c in checks]
    request.decision_reason = reason
    request.decided_at = now
    request.decided_by_user_id = actor.user_id


def _activate(session: Session, request: ListingRequest, now: datetime) -> Listing:
    listing = Listing(
        request_id=request.id,
        product_id=request.product_id,
        manufacturer_id=request.manufacturer_id,
        generic_name=request.product.generic_name,
        region_code=request.region_code,
        unit_price=request.unit_price,
        currency=request.currency,
        listed_at=now,
    )
    session.add(listing)
    session.flush()
    earlier = session.scalars(
        select(Listing)
        .where(
            Listing.product_id == request.product_id,
            Listing.ended_at.is_(None),
            Listing.id != listing.id,
            Listing.region_code.is_(None)
            if request.region_code is None
            else Listing.region_code == request.region_code,
        )
        .with_for_update()
    )
    for old in earlier:
        old.ended_at, old.ended_by_listing_id = now, listing.id
    return listing


def _audit(session, request: ListingRequest, now, actor, **extra) -> None:
    record(
        session,
        action=f"listing.{request.status.value}",
        subject_type="listing_request",
        subject_id=request.id,
        now=now,
        actor=actor,
        payload={"reason": request.decision_reason, **extra},
    )
