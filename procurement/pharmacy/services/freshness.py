"""The finder follows stock as it changes: when a transaction that changed an institution's
stock on hand (a receipt or dispensing by code, returns, no-code stock declared: the
traceability area marks them, ``stock_ledger.mark_stock_changed``) commits, the finder entries
of the pharmacy stores and primary care clinics among those institutions are rewritten first, in
the same transaction, and this worker's answer cache is cleared. A hospital's stock is not in
the finder: one query, nothing written. ``procurement pharmacy refresh-finder`` still rewrites
every entry nightly (contracts that began or ended, prices)."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.auth.roles import PHARMACIES, PRIMARY_CARE
from procurement.pharmacy.services.clinics import refresh_clinics
from procurement.pharmacy.services.finder import forget_searches, refresh_entries
from procurement.trace.services.stock_ledger import STOCK_CHANGED


@event.listens_for(Session, "before_commit")
def _refresh_changed_places(session: Session) -> None:
    changed = session.info.pop(STOCK_CHANGED, None)
    if not changed:
        return
    kinds = session.execute(
        select(Organization.id, Organization.institution_type).where(
            Organization.id.in_(sorted(changed))
        )
    ).all()
    stores = [org for org, kind in kinds if kind in PHARMACIES]
    clinics = [org for org, kind in kinds if kind in PRIMARY_CARE]
    if not stores and not clinics:
        return
    now = max(changed.values())
    refresh_entries(session, store_ids=stores, now=now)
    refresh_clinics(session, clinic_ids=clinics, now=now)
    forget_searches()


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, previous_transaction) -> None:
    """A rolled back change changed nothing."""
    session.info.pop(STOCK_CHANGED, None)
