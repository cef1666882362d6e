"""Read side of supplier credit: the events a person may see, as a select a listing pages."""

from __future__ import annotations

from sqlalchemy import Select, select

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.compliance.credit.models import CreditEvent


def visible_credit_events(actor: Actor) -> Select:
    """Credit events: oversight sees all, a manufacturer its own."""
    actor.require(
        OrgKind.REGULATOR,
        OrgKind.FUND,
        OrgKind.MANUFACTURER,
        write=False,
        action="see credit events",
    )
    query = select(CreditEvent)
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(CreditEvent.manufacturer_id == actor.org_id)
    return query
