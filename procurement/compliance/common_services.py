"""Shared helpers of the compliance services: who sees what, which rules apply."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.errors import TenderNotFound
from procurement.catalog.models import Lot, Tender
from procurement.compliance import rules as r
from procurement.compliance.errors import ComplianceRulesNotValid
from procurement.compliance.progress.queries import Filters

OVERSIGHT = (OrgKind.REGULATOR, OrgKind.FUND)
READERS = (OrgKind.REGULATOR, OrgKind.FUND, OrgKind.HOSPITAL, OrgKind.MANUFACTURER)


def scoped(filters: Filters, actor: Actor) -> Filters:
    """A hospital sees its own figures, a manufacturer its own; oversight sees all."""
    actor.require(*READERS, write=False, action="see compliance progress")
    if actor.org_kind == OrgKind.HOSPITAL and actor.member_ids:
        # A county medical community: its members' figures, or one member's it asks for.
        if filters.hospital_id is not None and actor.acts_for(filters.hospital_id):
            return filters
        return dataclasses.replace(filters, hospital_id=None, hospital_ids=actor.buyer_ids)
    if actor.org_kind == OrgKind.HOSPITAL:
        return dataclasses.replace(filters, hospital_id=actor.org_id)
    if actor.org_kind == OrgKind.MANUFACTURER:
        return dataclasses.replace(filters, manufacturer_id=actor.org_id)
    return filters


def rules_for(session: Session, tender_id: int | None) -> r.ComplianceRules:
    """The tender's frozen compliance rules (snapshot key "compliance"), else the defaults."""
    if tender_id is None:
        return r.ComplianceRules()
    tender = get_tender(session, tender_id)
    try:
        return r.from_snapshot(tender.rules_snapshot)
    except (ValueError, TypeError, ArithmeticError) as error:
        raise ComplianceRulesNotValid(
            errors={"rules_snapshot": [str(error)]}, tender_code=tender.code, error=error
        ) from error


def get_tender(session: Session, tender_id: int) -> Tender:
    tender = session.get(Tender, tender_id)
    if tender is None:
        raise TenderNotFound(tender_id=tender_id)
    return tender


def lot_rules(session: Session, lot_ids: set[int]) -> dict[int, r.ComplianceRules]:
    """The compliance rules of each lot's tender (its frozen snapshot)."""
    if not lot_ids:
        return {}
    rows = session.execute(
        select(Lot.id, Tender.rules_snapshot)
        .join(Tender, Tender.id == Lot.tender_id)
        .where(Lot.id.in_(sorted(lot_ids)))
    )
    return {lot_id: r.from_snapshot(snapshot) for lot_id, snapshot in rows}
