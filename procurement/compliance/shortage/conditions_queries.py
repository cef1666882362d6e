"""The shortage alert conditions (RULES.md 14) for the compliance check: a monthly report
missing after its due day (one alert per manufacturer, product and month, its level rising with
the days overdue) and a county short of a lot (stock cover under the limit or orders unfilled;
one alert per lot and county, its level rising with the shortage's duration and breadth). The
definitions are in ``shortage/rules.py``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.compliance.alerts.conditions_queries import Condition
from procurement.compliance.alerts.models import Alert, AlertKind, AlertStatus, Severity
from procurement.compliance.shortage import queries as q
from procurement.compliance.shortage import rules as r
from procurement.core.clock import business_date
from procurement.core.messages import N_, Message
from procurement.core.money import round_places

RULES = r.RULES
SEVERITY = {
    r.Level.COUNTY: Severity.WARNING,
    r.Level.CITY: Severity.WARNING,
    r.Level.PROVINCE: Severity.HIGH,
    r.Level.NATIONAL: Severity.HIGH,
}


def shortage_conditions(session: Session, now: datetime) -> list[Condition]:
    return [*missing_reports(session, now), *county_shortages(session, now)]


def missing_reports(session: Session, now: datetime) -> list[Condition]:
    """shortage_report_missing per manufacturer, product and overdue month."""
    today = business_date(now)
    owed = q.duties(session, r.overdue_periods(today, RULES))
    came = q.reported(session, owed)
    missing = [d for d in owed if (d.manufacturer_id, d.product_id, d.period) not in came]
    regions = q.regions_of(session, {d.manufacturer_id for d in missing})
    names = q.product_names(session, {d.product_id for d in missing})
    out = []
    for duty in missing:
        days = r.days_overdue(duty.period, today, RULES)
        level = r.level_by_duration(days, RULES)
        region = regions[duty.manufacturer_id]
        due = r.due_date(duty.period, RULES)
        out.append(
            Condition(
                AlertKind.SHORTAGE_REPORT_MISSING,
                f"shortage_report:m{duty.manufacturer_id}:p{duty.product_id}:{duty.period}",
                SEVERITY[level],
                Message(
                    "Shortage report of {product} for {period} not received: due {due}, "
                    "{days} day(s) overdue.",
                    product=names[duty.product_id],
                    period=duty.period,
                    due=due.isoformat(),
                    days=days,
                ),
                subject_org_id=duty.manufacturer_id,
                region_code=region,
                lot_id=duty.lot_id,
                facts={
                    "period": duty.period,
                    "product_id": duty.product_id,
                    "due": due.isoformat(),
                    "days_overdue": days,
                },
                level=level.value,
                level_region=r.region_at(region, level),
            )
        )
    return out


def _open_since(session: Session) -> dict[str, date]:
    """The start day of every open shortage (kept in its facts)."""
    rows = session.execute(
        select(Alert.dedup_key, Alert.facts).where(
            Alert.kind == AlertKind.SHORTAGE, Alert.status == AlertStatus.OPEN
        )
    )
    return {key: date.fromisoformat(facts["since"]) for key, facts in rows if facts.get("since")}


def county_shortages(session: Session, now: datetime) -> list[Condition]:
    """shortage per lot and buyer county, graded (see ``rules.grade``)."""
    today = business_date(now)
    demand = q.county_demand(session, now)
    stock = q.latest_stock(session, {d.product_id for d in demand})
    late = q.unfilled(session, now)
    since = _open_since(session)
    by_lot: dict[int, list[q.CountyDemand]] = {}
    for d in demand:
        by_lot.setdefault(d.lot_id, []).append(d)
    for lot_id, _county in late:
        by_lot.setdefault(lot_id, [])
    out: list[Condition] = []
    for lot_id, rows in sorted(by_lot.items()):
        cover = r.county_cover(
            [r.Supply(d.product_id, d.county, d.daily) for d in rows],
            {p: s for p, (_period, s) in stock.items()},
        )
        counties = {d.county for d in rows} | {c for (lot, c) in late if lot == lot_id}
        states = {}
        for county in sorted(counties):
            key = f"shortage:l{lot_id}:r{county}"
            states[county] = _state(county, cover.get(county), late.get((lot_id, county)), now)
            states[county] = _with_duration(states[county], since.get(key), today)
        grades = r.grade(states.values(), RULES)
        out += [_condition(lot_id, rows, states[c], g, today) for c, g in sorted(grades.items())]
    return out


def _state(county: str, cover, oldest_due: datetime | None, now: datetime) -> r.CountyState:
    days = 0 if oldest_due is None else (now - oldest_due).days
    return r.CountyState(county, cover, days, 0)


def _with_duration(state: r.CountyState, since: date | None, today: date) -> r.CountyState:
    """Days the shortage has lasted: since the open alert's start day, or the oldest unfilled
    order's days past its deadline, whichever is longer (0 on the day cover is found low)."""
    unfilled = state.unfilled_days if state.unfilled_days >= RULES.shortage_unfilled_days else 0
    kept = 0 if since is None else (today - since).days
    return r.CountyState(state.county, state.cover, state.unfilled_days, max(unfilled, kept))


REASONS = {
    "cover": N_("Stock cover {cover} days (under {limit}); short for {days} day(s)."),
    "unfilled": N_(
        "Orders unfilled {unfilled} day(s) past their deadline; short for {days} day(s)."
    ),
    "cover+unfilled": N_(
        "Stock cover {cover} days (under {limit}) and orders unfilled {unfilled} day(s); "
        "short for {days} day(s)."
    ),
}


def _condition(
    lot_id: int, rows: list[q.CountyDemand], state: r.CountyState, g: r.Grade, today: date
) -> Condition:
    mine = [d for d in rows if d.county == state.county]
    main = max(mine, key=lambda d: (d.daily, -d.manufacturer_id), default=None)
    cover = None if state.cover is None else round_places(state.cover, 1)
    level = g.level
    facts: dict[str, Any] = {
        "cover_days": None if cover is None else str(cover),
        "unfilled_days": state.unfilled_days,
        "duration": state.duration,
        "since": (today - timedelta(days=state.duration)).isoformat(),
        "reason": g.reason,
        "by": g.by,
    }
    return Condition(
        AlertKind.SHORTAGE,
        f"shortage:l{lot_id}:r{state.county}",
        SEVERITY[level],
        Message(
            REASONS[g.reason],
            cover=cover if cover is not None else "–",
            limit=RULES.shortage_cover_days,
            unfilled=state.unfilled_days,
            days=state.duration,
        ),
        subject_org_id=None if main is None else main.manufacturer_id,
        region_code=state.county,
        tender_id=None if main is None else main.tender_id,
        lot_id=lot_id,
        contract_year=None if main is None else main.contract_year,
        facts=facts,
        level=level.value,
        level_region=g.region,
    )
