"""Helpers shared by the catalog's services: loading with visibility, ownership, errors."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Lot, Tender
from procurement.catalog.tabular import CellError, TableError
from procurement.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


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
        raise NotFound(f"No tender with id {tender_id}.", code="tender-not-found")
    return tender


def visible_lot(session: Session, lot_id: int, actor: Actor) -> Lot:
    actor.require(write=False, action="see lots")
    lot = session.get(Lot, lot_id)
    if lot is None or not can_see(lot.tender, actor):
        raise NotFound(f"No lot with id {lot_id}.", code="lot-not-found")
    return lot


def require_owner(tender: Tender, actor: Actor, action: str) -> None:
    """Only the regulator organization that created the tender manages it."""
    actor.require(OrgKind.REGULATOR, action=action)
    if tender.created_by_org_id != actor.org_id:
        raise Forbidden(
            f"Tender {tender.code} is managed by another regulator; only it may {action}.",
            code="not-tender-owner",
        )


def require_draft(tender: Tender, action: str) -> None:
    if tender.status != TenderStatus.DRAFT:
        raise Conflict(
            f"Tender {tender.code} is '{tender.status.value}', not 'draft': its catalog is "
            f"frozen, so you cannot {action}.",
            code="tender-not-draft",
            current_status=tender.status.value,
        )


def fail_fields(detail: str, errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(detail, errors=errors)


def table_failure(errors: Iterable[CellError], what: str) -> ValidationFailed:
    """One ValidationFailed for an upload: every cell error, keyed 'row N: column'."""
    errors = sorted(errors, key=lambda e: (e.row, e.column))
    by_key: dict[str, list[str]] = {}
    for error in errors:
        by_key.setdefault(error.key, []).append(error.message)
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ValidationFailed(
        f"The {what} file was not imported (nothing was changed): row {first.row}, "
        f"column '{first.column}': {first.message}{more}. Fix the file and upload it again.",
        errors=by_key,
        code="import-failed",
        row_errors=[{"row": e.row, "column": e.column, "message": e.message} for e in errors],
    )


def raise_table_error(exc: TableError, what: str) -> None:
    raise table_failure(exc.errors, what) from None
