"""Which buyers an actor of the buyers' portal acts for: its own organization and, for a county
medical community, its members (RULES.md 12: it reports demand, orders, receives and pays for
them)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.errors import NotYourMember
from procurement.auth.models import Organization
from procurement.core.messages import N_


def buyer_clause(column: Any, actor: Actor) -> Any:
    """``column`` (a buyer's organization id) is one the actor acts for. An ordinary buyer keeps
    the plain equality its indexes and plans were made for."""
    if actor.member_ids:
        return column.in_(actor.buyer_ids)
    return column == actor.org_id


def member(session: Session, actor: Actor, buyer_id: int) -> Organization:
    """The member ``buyer_id`` of the actor's medical community (403 for any other)."""
    if buyer_id not in actor.member_ids:
        raise NotYourMember(
            errors={"buyer_id": [N_("not a member of your medical community")]}, buyer_id=buyer_id
        )
    found = session.get(Organization, buyer_id)
    assert found is not None  # member ids come from the organizations table
    return found


def members_of(session: Session, actor: Actor) -> list[Organization]:
    """The actor's medical community's members, by name ([] for any other organization)."""
    if not actor.member_ids:
        return []
    query = select(Organization).where(Organization.id.in_(actor.member_ids))
    return list(session.scalars(query.order_by(Organization.name)))


def acting_for(session: Session, actor: Actor, buyer_id: int | None) -> Actor:
    """The actor as its member ``buyer_id`` (the same user, the member's organization and
    region), for a service that works on the acting organization's own rows (demand). None or
    the actor's own id: the actor itself."""
    if buyer_id is None or buyer_id == actor.org_id:
        return actor
    found = member(session, actor, buyer_id)
    return dataclasses.replace(actor, org_id=found.id, region_code=found.region_code, member_ids=())
