"""Helpers shared by the catalog's services: loading with visibility, ownership, errors."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.errors import (
    ImportFailed,
    LotNotFound,
    NotTenderOwner,
    TenderNotDraft,
    TenderNotFound,
)
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Lot, Tender
from procurement.catalog.tabular import CellError, TableError
from procurement.core.errors import Message, ValidationFailed


def can_see(tender: Tender, actor: Actor) -> bool:
    """Drafts are visible to the regulator that owns them only; the rest to everyone."""
    return tender.status != TenderStatus.DRAFT or (
        actor.org_kind == OrgKind.REGULATOR and actor.org_id == tender.created_by_org_id
    )


def visible_tender(session: Session, tender_id: int, actor: Actor, *, lock: bool = False) -> Tender:
    """The tender, or NotFound when it does not exist or the actor may not see it."""
    actor.require(write=False, action="see tenders")
    tender = session.get(Tender, tender_id, with_for_update=lock or None)
    if tender is None or not can_see(tender, actor):
        raise TenderNotFound(tender_id=tender_id)
    return tender


def visible_lot(session: Session, lot_id: int, actor: Actor) -> Lot:
    actor.require(write=False, action="see lots")
    lot = session.get(Lot, lot_id)
    if lot is None or not can_see(lot.tender, actor):
        raise LotNotFound(lot_id=lot_id)
    return lot


def require_owner(tender: Tender, actor: Actor, action: str) -> None:
    """Only the regulator organization that created the tender manages it."""
    actor.require(OrgKind.REGULATOR, action=action)
    if tender.created_by_org_id != actor.org_id:
        raise NotTenderOwner(tender_code=tender.code, action=action)


def require_draft(tender: Tender, action: str) -> None:
    if tender.status != TenderStatus.DRAFT:
        raise TenderNotDraft(
            tender_code=tender.code, current_status=tender.status.value, action=action
        )


def fail_fields(error: type[ValidationFailed], errors: dict[str, list[str]]) -> None:
    if errors:
        raise error(errors=errors)


def table_failure(errors: Iterable[CellError], what: str) -> ValidationFailed:
    """One ValidationFailed for an upload: every cell error, keyed 'row N: column'."""
    errors = sorted(errors, key=lambda e: (e.row, e.column))
    by_key: dict[str, list[str]] = {}
    for error in errors:
        by_key.setdefault(error.key, []).append(error.message)
    first = errors[0]
    more = Message(" (and {count} more)", count=len(errors) - 1) if len(errors) > 1 else ""
    return ImportFailed(
        errors=by_key,
        what=what,
        row=first.row,
        column=first.column,
        message=first.message,
        more=more,
        row_errors=[{"row": e.row, "column": e.column, "message": e.message} for e in errors],
    )


def raise_table_error(exc: TableError, what: str) -> None:
    raise table_failure(exc.errors, what) from None
