"""Create, edit, list and read tenders; the rules each tender freezes when it leaves draft."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, check_region_code
from procurement.catalog import rules as rules_sets
from procurement.catalog.errors import (
    DuplicateTenderCode,
    TenderChanged,
    TenderChangeNotValid,
    TenderNotValid,
    UnknownTenderFields,
)
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender, TenderCategory
from procurement.catalog.services.common import (
    fail_fields,
    require_draft,
    require_owner,
    visible_tender,
)
from procurement.catalog.services.overrides import build_rules
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.core.limits import TENDER_HORIZON_DAYS
from procurement.core.messages import N_, Message

MAX_CONTRACT_YEARS = 5
EDITABLE_FIELDS = (
    "code",
    "name",
    "category",
    "region_scope",
    "demand_deadline",
    "bid_deadline",
    "opening_at",
    "contract_start",
    "contract_years",
    "rules_preset",
    "rules_overrides",
)


def rules_of(tender: Tender) -> rules_sets.RulesSet:
    """The tender's frozen rules (its snapshot), or the current draft rules before that."""
    if tender.rules_snapshot is not None:
        return rules_sets.RulesSet.from_dict(tender.rules_snapshot)
    return rules_sets.RulesSet.from_dict(build_rules(tender.rules_preset, tender.rules_overrides))


def _check_fields(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("code", "name"):
        if not str(values.get(name) or "").strip():
            errors[name] = [N_("required")]
    if len(str(values.get("code") or "")) > 40:
        errors["code"] = [N_("at most 40 characters")]
    try:
        TenderCategory(values.get("category"))
    except ValueError:
        errors["category"] = [N_("must be 'drug' or 'consumable'")]
    errors.update(_check_scope(values.get("region_scope")))
    errors.update(_check_timeline(values))
    years = values.get("contract_years")
    if not isinstance(years, int) or not 1 <= years <= MAX_CONTRACT_YEARS:
        errors["contract_years"] = [
            Message(
                "a whole number of years from 1 to {MAX_CONTRACT_YEARS}",
                MAX_CONTRACT_YEARS=MAX_CONTRACT_YEARS,
            )
        ]
    return errors


def _check_scope(scope: Any) -> dict[str, list[str]]:
    if not isinstance(scope, list) or not scope:
        return {"region_scope": [N_("list at least one province code, e.g. ['310000']")]}
    problems = []
    for code in scope:
        try:
            check_region_code(str(code))
        except DomainError:
            problems.append(Message("'{code}' is not a GB/T 2260 code", code=code))
            continue
        if not str(code).endswith("0000"):
            problems.append(
                Message(
                    "'{code}' is not province-level (use {value}0000)",
                    code=code,
                    value=str(code)[:2],
                )
            )
    if len(set(scope)) != len(scope):
        problems.append(N_("a province is listed twice"))
    return {"region_scope": problems} if problems else {}


def _check_timeline(values: dict[str, Any]) -> dict[str, list[str]]:
    demand, bid, opening = (
        values.get(k) for k in ("demand_deadline", "bid_deadline", "opening_at")
    )
    start = values.get("contract_start")
    errors: dict[str, list[str]] = {}
    for key, value in (("demand_deadline", demand), ("bid_deadline", bid), ("opening_at", opening)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            errors[key] = [N_("a date and time with a time zone is required")]
    if not isinstance(start, date) or isinstance(start, datetime):
        errors["contract_start"] = [N_("a date is required")]
    if errors:
        return errors
    if bid <= demand:
        errors["bid_deadline"] = [N_("must be after the demand deadline")]
    if opening < bid:
        errors["opening_at"] = [N_("must be at or after the bid deadline")]
    if start < business_date(opening):
        errors["contract_start"] = [N_("must be on or after the opening day")]
    return errors


def _check_horizon(values: dict[str, Any], now: datetime) -> dict[str, list[str]]:
    """A tender's dates lie within TENDER_HORIZON_DAYS of today (no tender opens in 9999)."""
    last = business_date(now + timedelta(days=TENDER_HORIZON_DAYS))
    errors: dict[str, list[str]] = {}
    for key in ("demand_deadline", "bid_deadline", "opening_at", "contract_start"):
        value = values[key]
        if (value.date() if isinstance(value, datetime) else value) > last:
            errors[key] = [
                Message("must be on or before {last} (TENDER_HORIZON_DAYS from today)", last=last)
            ]
    return errors


def _check_unique_code(session: Session, code: str, tender_id: int | None = None) -> None:
    clash = session.scalar(select(Tender.id).where(Tender.code == code))
    if clash is not None and clash != tender_id:
        raise DuplicateTenderCode(
            errors={"code": [N_("already used by another tender")]}, tender_code=code
        )


def create_tender(session: Session, *, data: dict[str, Any], now: datetime, actor: Actor) -> Tender:
    """Create a draft tender (regulator only); rules default to the national-2024 preset."""
    actor.require(OrgKind.REGULATOR, action="create tenders")
    values = {"rules_preset": rules_sets.DEFAULT_PRESET, "rules_overrides": {}, **data}
    unknown = set(values) - set(EDITABLE_FIELDS)
    fail_fields(UnknownTenderFields, {k: [N_("unknown field")] for k in sorted(unknown)})
    fail_fields(TenderNotValid, _check_fields(values))
    fail_fields(TenderNotValid, _check_horizon(values, now))
    build_rules(values["rules_preset"], values["rules_overrides"])
    _check_unique_code(session, values["code"])
    tender = Tender(
        **values,
        status=TenderStatus.DRAFT,
        created_by_org_id=actor.org_id,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    session.add(tender)
    session.flush()
    record(
        session,
        action="tender.created",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={"code": tender.code, "rules_preset": tender.rules_preset},
    )
    session.commit()
    return tender


def update_tender(
    session: Session,
    *,
    tender_id: int,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
    actor: Actor,
) -> Tender:
    """Edit a draft tender's fields; ``expected_version`` (the ETag) guards lost updates."""
    tender = visible_tender(session, tender_id, actor)
    require_owner(tender, actor, "edit this tender")
    if expected_version is not None and expected_version != tender.version:
        raise TenderChanged(
            tender_code=tender.code, expected_version=expected_version, version=tender.version
        )
    require_draft(tender, "edit it")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    fail_fields(UnknownTenderFields, {k: [N_("unknown field")] for k in sorted(unknown)})
    merged = {k: getattr(tender, k) for k in EDITABLE_FIELDS} | changes
    fail_fields(TenderChangeNotValid, _check_fields(merged))
    fail_fields(TenderChangeNotValid, _check_horizon(merged, now))
    build_rules(merged["rules_preset"], merged["rules_overrides"])
    _check_unique_code(session, merged["code"], tender.id)
    changed = {k: v for k, v in changes.items() if getattr(tender, k) != v}
    for key, value in changed.items():
        setattr(tender, key, value)
    tender.updated_at = now
    record(
        session,
        action="tender.updated",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={"fields": sorted(changed)},
    )
    session.commit()
    return tender


def tenders_query(actor: Actor) -> Select:
    """A select of the tenders the actor may see (a regulator also its own drafts)."""
    actor.require(write=False, action="see tenders")
    own_drafts = (Tender.status == TenderStatus.DRAFT) & (Tender.created_by_org_id == actor.org_id)
    if actor.org_kind == OrgKind.REGULATOR:
        return select(Tender).where(or_(Tender.status != TenderStatus.DRAFT, own_drafts))
    return select(Tender).where(Tender.status != TenderStatus.DRAFT)


def list_tenders(session: Session, *, actor: Actor, status: str | None = None) -> list[Tender]:
    """Tenders the actor may see: everything but drafts, plus its own drafts for a regulator."""
    query = tenders_query(actor).order_by(Tender.created_at.desc(), Tender.id.desc())
    if status is not None:
        query = query.where(Tender.status == TenderStatus(status))
    return list(session.scalars(query))


def get_tender(session: Session, *, tender_id: int, actor: Actor) -> Tender:
    """One tender the actor may see (404 otherwise)."""
    return visible_tender(session, tender_id, actor)
