"""Related bidders (RULES.md 1 and 10): groups of manufacturers under common control.

The regulator records the groups, their members (a manufacturer in at most one group at a
time) and, per tender or lot, the member a group names to bid. A manufacturer sees its own group
only. Nothing here reads or shows a bid: a group's pages never tell who bid on what, let alone
at which price. Every change is audited; the award reads ``groups_by_lot`` into its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.bidding.errors import (
    AlreadyInAGroup,
    GroupDesignationClosed,
    GroupNameTaken,
    GroupNotFound,
    GroupNotValid,
    NotAGroupMember,
)
from procurement.bidding.models import BidderGroup, BidderGroupDesignation, BidderGroupMember
from procurement.bidding.services.common import is_opened, regulated_tender
from procurement.catalog.models import Tender
from procurement.core.messages import N_, Message

MAX_GROUP_NAME = 200


@dataclass(frozen=True)
class GroupOnLot:
    """A group as the award sees it on one lot: members by id and name, the named bidder."""

    group_id: int
    name: str
    members: dict[int, str]
    named_manufacturer_id: int | None


def _audit(session: Session, action: str, group: BidderGroup, now, actor, **extra: Any) -> None:
    record(
        session,
        action=action,
        subject_type="bidder_group",
        subject_id=group.id,
        now=now,
        actor=actor,
        payload={"name": group.name, **extra},
    )


def _manufacturer(session: Session, manufacturer_id: Any, field: str) -> Organization:
    org = session.get(Organization, manufacturer_id) if isinstance(manufacturer_id, int) else None
    if org is None or org.kind != OrgKind.MANUFACTURER:
        raise GroupNotValid(errors={field: [N_("not a manufacturer organization")]})
    return org


def _join(session: Session, group: BidderGroup, org: Organization, now: datetime) -> None:
    current = session.scalar(
        select(BidderGroupMember).where(BidderGroupMember.manufacturer_id == org.id)
    )
    if current is not None:
        raise AlreadyInAGroup(
            errors={
                "manufacturer_id": [
                    Message("already in the group {group}", group=current.group.name)
                ]
            },
            manufacturer=org.name,
            group=current.group.name,
        )
    session.add(BidderGroupMember(group=group, manufacturer_id=org.id, since=now))
    session.flush()


def create_group(
    session: Session, *, data: dict[str, Any], now: datetime, actor: Actor
) -> BidderGroup:
    """Record a group of manufacturers under common control, with its first members."""
    actor.require(OrgKind.REGULATOR, action="record related-bidder groups")
    name = str(data.get("name") or "").strip()
    if not name or len(name) > MAX_GROUP_NAME:
        limit = MAX_GROUP_NAME
        raise GroupNotValid(
            errors={"name": [Message("required, at most {limit} characters", limit=limit)]}
        )
    if session.scalar(select(BidderGroup.id).where(BidderGroup.name == name)) is not None:
        raise GroupNameTaken(errors={"name": [N_("another group has this name")]}, name=name)
    group = BidderGroup(name=name, created_by_org_id=actor.org_id, created_at=now)
    session.add(group)
    session.flush()
    members = [_manufacturer(session, m, "members") for m in data.get("members") or []]
    for org in members:
        _join(session, group, org, now)
    _audit(session, "bidder_group.created", group, now, actor, members=[m.id for m in members])
    session.commit()
    return group


def list_groups(session: Session, *, actor: Actor) -> list[BidderGroup]:
    """Every group (regulator); a manufacturer's own group (a list of at most one)."""
    actor.require(
        OrgKind.REGULATOR, OrgKind.MANUFACTURER, write=False, action="see related-bidder groups"
    )
    query = select(BidderGroup).order_by(BidderGroup.name, BidderGroup.id)
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.join(BidderGroupMember).where(
            BidderGroupMember.manufacturer_id == actor.org_id
        )
    return list(session.scalars(query))


def groups_query(actor: Actor):
    """The groups the actor may see, as a select for the page's listing."""
    query = select(BidderGroup)
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.join(BidderGroupMember).where(
            BidderGroupMember.manufacturer_id == actor.org_id
        )
    return query


def get_group(session: Session, *, group_id: int, actor: Actor) -> BidderGroup:
    """One group: any for the regulator, its own for a manufacturer (404 otherwise)."""
    actor.require(
        OrgKind.REGULATOR, OrgKind.MANUFACTURER, write=False, action="see related-bidder groups"
    )
    group = session.get(BidderGroup, group_id)
    if group is None or (
        actor.org_kind == OrgKind.MANUFACTURER
        and all(m.manufacturer_id != actor.org_id for m in group.members)
    ):
        raise GroupNotFound(group_id=group_id)
    return group


def add_member(
    session: Session, *, group_id: int, manufacturer_id: Any, now: datetime, actor: Actor
) -> BidderGroup:
    """Put a manufacturer into a group (it may be in no other group)."""
    actor.require(OrgKind.REGULATOR, action="change related-bidder groups")
    group = get_group(session, group_id=group_id, actor=actor)
    org = _manufacturer(session, manufacturer_id, "manufacturer_id")
    _join(session, group, org, now)
    _audit(session, "bidder_group.member_added", group, now, actor, manufacturer_id=org.id)
    session.commit()
    return group


def remove_member(
    session: Session, *, group_id: int, manufacturer_id: int, now: datetime, actor: Actor
) -> BidderGroup:
    """Take a manufacturer out of a group, with the designations naming it."""
    actor.require(OrgKind.REGULATOR, action="change related-bidder groups")
    group = get_group(session, group_id=group_id, actor=actor)
    member = next((m for m in group.members if m.manufacturer_id == manufacturer_id), None)
    if member is None:
        raise NotAGroupMember(
            errors={"manufacturer_id": [N_("not a member of this group")]}, group=group.name
        )
    for named in [d for d in group.designations if d.manufacturer_id == manufacturer_id]:
        session.delete(named)
    session.delete(member)
    session.flush()
    session.expire(group)
    _audit(
        session, "bidder_group.member_removed", group, now, actor, manufacturer_id=manufacturer_id
    )
    session.commit()
    return group


def name_bidder(
    session: Session, *, group_id: int, data: dict[str, Any], now: datetime, actor: Actor
) -> BidderGroupDesignation:
    """Record the member a group names to bid on a tender (every lot) or one of its lots; it
    replaces that tender's (or lot's) earlier choice. Only before the bids are opened."""
    actor.require(OrgKind.REGULATOR, action="record a group's bidding member")
    group = get_group(session, group_id=group_id, actor=actor)
    tender = _open_tender(session, data.get("tender_id"), actor)
    lot_id = data.get("lot_id")
    if lot_id is not None and all(lot.id != lot_id for lot in tender.lots):
        raise GroupNotValid(errors={"lot_id": [N_("not a lot of this tender")]})
    manufacturer_id = data.get("manufacturer_id")
    if all(m.manufacturer_id != manufacturer_id for m in group.members):
        raise NotAGroupMember(
            errors={"manufacturer_id": [N_("not a member of this group")]}, group=group.name
        )
    named = _designation(group, tender.id, lot_id)
    if named is None:
        named = BidderGroupDesignation(group=group, tender_id=tender.id, lot_id=lot_id)
        session.add(named)
    named.manufacturer_id, named.created_at = manufacturer_id, now
    session.flush()
    _audit(
        session,
        "bidder_group.bidder_named",
        group,
        now,
        actor,
        tender_id=tender.id,
        lot_id=lot_id,
        manufacturer_id=manufacturer_id,
    )
    session.commit()
    return named


def unname_bidder(
    session: Session, *, group_id: int, designation_id: int, now: datetime, actor: Actor
) -> BidderGroup:
    """Withdraw a group's named bidding member (before the bids are opened)."""
    actor.require(OrgKind.REGULATOR, action="record a group's bidding member")
    group = get_group(session, group_id=group_id, actor=actor)
    named = next((d for d in group.designations if d.id == designation_id), None)
    if named is None:
        raise GroupNotFound(group_id=group_id)
    _open_tender(session, named.tender_id, actor)
    payload = {"tender_id": named.tender_id, "lot_id": named.lot_id}
    session.delete(named)
    session.flush()
    session.expire(group)
    _audit(session, "bidder_group.bidder_unnamed", group, now, actor, **payload)
    session.commit()
    return group


def _open_tender(session: Session, tender_id: Any, actor: Actor) -> Tender:
    if not isinstance(tender_id, int):
        raise GroupNotValid(errors={"tender_id": [N_("a tender id is required")]})
    tender = regulated_tender(session, tender_id, actor, "record a group's bidding member")
    if is_opened(tender):
        raise GroupDesignationClosed(tender_code=tender.code)
    return tender


def _designation(
    group: BidderGroup, tender_id: int, lot_id: int | None
) -> BidderGroupDesignation | None:
    return next(
        (d for d in group.designations if d.tender_id == tender_id and d.lot_id == lot_id), None
    )


def groups_by_lot(session: Session, tender: Tender) -> dict[int, list[GroupOnLot]]:
    """Per lot of the tender, every group with its members and the member it named for the
    lot (the lot's own choice, else the tender's): the membership the selection uses."""
    groups = list(session.scalars(select(BidderGroup).order_by(BidderGroup.id)))
    out: dict[int, list[GroupOnLot]] = {}
    for lot in tender.lots:
        out[lot.id] = []
        for group in groups:
            if not group.members:
                continue
            named = _designation(group, tender.id, lot.id) or _designation(group, tender.id, None)
            members = {m.manufacturer_id: m.manufacturer.name for m in group.members}
            named_id = named.manufacturer_id if named is not None else None
            out[lot.id].append(GroupOnLot(group.id, group.name, members, named_id))
    return out


@dataclass(frozen=True)
class GroupChoices:
    """What the regulator's group forms offer: manufacturers (with the group each is in) and
    the regulator's tenders whose bids are still sealed, with their lots."""

    manufacturers: list[tuple[Organization, str | None]]
    tenders: list[Tender]


def group_choices(session: Session, *, actor: Actor) -> GroupChoices:
    """The choices of the regulator's group forms."""
    actor.require(OrgKind.REGULATOR, write=False, action="see related-bidder groups")
    groups = dict(
        session.execute(
            select(BidderGroupMember.manufacturer_id, BidderGroup.name).join(BidderGroup)
        ).all()
    )
    orgs = session.scalars(
        select(Organization)
        .where(Organization.kind == OrgKind.MANUFACTURER)
        .order_by(Organization.name, Organization.id)
    )
    tenders = session.scalars(
        select(Tender)
        .where(Tender.created_by_org_id == actor.org_id)
        .order_by(Tender.created_at.desc(), Tender.id.desc())
    )
    return GroupChoices(
        [(o, groups.get(o.id)) for o in orgs], [t for t in tenders if not is_opened(t)]
    )
