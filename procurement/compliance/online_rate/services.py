"""The online procurement rate (网采率, RULES.md 4), scoped to the actor: the regulator and the
fund office see every buyer; a buyer its own rate (a county medical community its members')."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import InstitutionType, OrgKind
from procurement.compliance.errors import OnlineRateNotValid
from procurement.compliance.online_rate.queries import LEVELS, ZERO, RateFilters, RateRow, rates
from procurement.core.clock import business_date
from procurement.core.limits import MAX_RATE_MONTHS
from procurement.core.messages import Message


@dataclass
class OnlineRateReport:
    filters: RateFilters
    rows: list[RateRow]
    total: RateRow


def filters_of(args: dict[str, Any], at: datetime) -> RateFilters:
    """The report's filters from loaded ``OnlineRateArgs``: the months default to this year's
    January up to this month (business dates)."""
    this_month = business_date(at).replace(day=1)
    month_to = args.get("month_to") or this_month
    month_from = args.get("month_from") or date(month_to.year, 1, 1)
    return RateFilters(
        month_from=month_from.replace(day=1),
        month_to=month_to.replace(day=1),
        level=args.get("level") or "institution",
        institution_type=args.get("institution_type"),
        region_code=args.get("region"),
    )


def online_rate(session: Session, *, filters: RateFilters, actor: Actor) -> OnlineRateReport:
    """Per group (``filters.level``): value bought online, reported off-platform, the rate."""
    actor.require(
        OrgKind.REGULATOR,
        OrgKind.FUND,
        OrgKind.HOSPITAL,
        write=False,
        action="see the online procurement rate",
    )
    _check(filters)
    if actor.org_kind == OrgKind.HOSPITAL:
        filters = dataclasses.replace(filters, buyer_ids=actor.buyer_ids)
    rows = rates(session, filters)
    total = RateRow(
        "total",
        sum((r.online for r in rows), ZERO),
        sum((r.off_platform for r in rows), ZERO),
        sum(r.buyers for r in rows),
    )
    return OnlineRateReport(filters, rows, total)


def _check(filters: RateFilters) -> None:
    errors: dict[str, list] = {}
    if filters.level not in LEVELS:
        errors["level"] = [Message("'{level}' is not a level", level=filters.level)]
    if filters.institution_type and filters.institution_type not in set(InstitutionType):
        errors["institution_type"] = [Message("unknown type '{t}'", t=filters.institution_type)]
    if filters.month_to < filters.month_from:
        errors["to"] = [Message("must be on or after {month}", month=f"{filters.month_from:%Y-%m}")]
    elif _months(filters.month_from, filters.month_to) > MAX_RATE_MONTHS:
        errors["to"] = [
            Message(
                "at most {MAX_RATE_MONTHS} months (MAX_RATE_MONTHS)",
                MAX_RATE_MONTHS=MAX_RATE_MONTHS,
            )
        ]
    if errors:
        raise OnlineRateNotValid(errors=errors)


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1
