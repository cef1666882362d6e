"""Bidding bans: the regulator bars a manufacturer (or one product) for a period.

The compliance area writes bans for credit levels (RULES.md 8) with ``add_ban`` inside its own
transaction; the regulator uses ``create_ban`` / ``update_ban`` / ``lift_ban`` (which commit).
"""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.bidding.errors import BanChangeNotValid, BanNotFound, BanNotValid
from procurement.bidding.models import BiddingBan
from procurement.catalog.models import Product
from procurement.core.clock import as_utc, business_time
from procurement.core.messages import N_, Message

# RULES.md 8: a violation-list ban bars the company for a period (observed 6, 9, 12, 18 months);
# one the regulator records without an end date lasts this many months (platform default).
VIOLATION_BAN_MONTHS = 12
BAN_FIELDS = ("manufacturer_id", "product_id", "level", "starts_at", "until", "reason")


def _check(session: Session, values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    org = session.get(Organization, values.get("manufacturer_id") or 0)
    if org is None or org.kind != OrgKind.MANUFACTURER:
        errors["manufacturer_id"] = [N_("not a manufacturer organization")]
    product_id = values.get("product_id")
    if product_id is not None:
        product = session.get(Product, product_id)
        if product is None or product.manufacturer_id != values.get("manufacturer_id"):
            errors["product_id"] = [N_("not a product of that manufacturer")]
    for name, limit in (("level", 40), ("reason", 500)):
        text = str(values.get(name) or "").strip()
        if not text or len(text) > limit:
            errors[name] = [Message("required, at most {limit} characters", limit=limit)]
    starts, until = values.get("starts_at"), values.get("until")
    if not isinstance(starts, datetime):
        errors["starts_at"] = [N_("a date and time is required")]
    elif until is not None and until <= starts:
        errors["until"] = [N_("must be after starts_at")]
    return errors


def add_months(instant: datetime, months: int) -> datetime:
    """The same wall-clock time ``months`` later in the business time zone (the last day of a
    shorter month when the day does not exist there)."""
    local = business_time(instant)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return as_utc(local.replace(year=year, month=month + 1, day=day))


def add_ban(
    session: Session, *, data: dict[str, Any], source: str, now: datetime, actor: Actor | None
) -> BiddingBan:
    """Bar a manufacturer or product inside the caller's transaction (does not commit)."""
    values = {"product_id": None, "until": None, "starts_at": now, **data}
    unknown = sorted(set(values) - set(BAN_FIELDS))
    errors = {k: [N_("unknown field")] for k in unknown} or _check(session, values)
    if errors:
        raise BanNotValid(errors=errors)
    ban = BiddingBan(
        **values,
        source=source,
        created_by_org_id=actor.org_id if actor else None,
        created_at=now,
    )
    session.add(ban)
    session.flush()
    _audit(session, "bidding_ban.created", ban, now, actor)
    return ban


def _audit(session: Session, action: str, ban: BiddingBan, now, actor) -> None:
    record(
        session,
        action=action,
        subject_type="bidding_ban",
        subject_id=ban.id,
        now=now,
        actor=actor,
        payload={
            "manufacturer_id": ban.manufacturer_id,
            "product_id": ban.product_id,
            "level": ban.level,
            "until": ban.until,
        },
    )


def create_ban(
    session: Session, *, data: dict[str, Any], now: datetime, actor: Actor
) -> BiddingBan:
    """Bar a manufacturer (or one of its products) from bidding (regulator): a violation-list
    ban; without an end date it lasts VIOLATION_BAN_MONTHS from its start."""
    actor.require(OrgKind.REGULATOR, action="bar manufacturers from bidding")
    data = {"starts_at": now, **data}
    if data.get("until") is None and isinstance(data["starts_at"], datetime):
        data["until"] = add_months(data["starts_at"], VIOLATION_BAN_MONTHS)
    ban = add_ban(session, data=data, source="regulator", now=now, actor=actor)
    session.commit()
    return ban


def list_bans(session: Session, *, actor: Actor) -> list[BiddingBan]:
    """Every ban for the regulator; a manufacturer its own."""
    actor.require(OrgKind.REGULATOR, OrgKind.MANUFACTURER, write=False, action="see bidding bans")
    query = select(BiddingBan).order_by(BiddingBan.starts_at.desc(), BiddingBan.id.desc())
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(BiddingBan.manufacturer_id == actor.org_id)
    return list(session.scalars(query))


def get_ban(session: Session, *, ban_id: int, actor: Actor) -> BiddingBan:
    """One ban (the regulator; a manufacturer its own)."""
    actor.require(OrgKind.REGULATOR, OrgKind.MANUFACTURER, write=False, action="see bidding bans")
    ban = session.get(BiddingBan, ban_id)
    if ban is None or (
        actor.org_kind == OrgKind.MANUFACTURER and ban.manufacturer_id != actor.org_id
    ):
        raise BanNotFound(ban_id=ban_id)
    return ban


def update_ban(
    session: Session, *, ban_id: int, data: dict[str, Any], now: datetime, actor: Actor
) -> BiddingBan:
    """Change a ban's level, period or reason (regulator)."""
    actor.require(OrgKind.REGULATOR, action="change bidding bans")
    ban = get_ban(session, ban_id=ban_id, actor=actor)
    values = {name: getattr(ban, name) for name in BAN_FIELDS} | data
    unknown = sorted(set(data) - {"level", "starts_at", "until", "reason"})
    errors = {k: [N_("cannot be changed")] for k in unknown} or _check(session, values)
    if errors:
        raise BanChangeNotValid(errors=errors)
    for name, value in data.items():
        setattr(ban, name, value)
    _audit(session, "bidding_ban.updated", ban, now, actor)
    session.commit()
    return ban


def lift_ban(session: Session, *, ban_id: int, now: datetime, actor: Actor) -> BiddingBan:
    """End a ban now (regulator); the record stays."""
    actor.require(OrgKind.REGULATOR, action="lift bidding bans")
    ban = get_ban(session, ban_id=ban_id, actor=actor)
    if ban.until is None or ban.until > now:
        ban.until = max(now, ban.starts_at)
    _audit(session, "bidding_ban.lifted", ban, now, actor)
    session.commit()
    return ban
