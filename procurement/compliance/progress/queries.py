"""Read-side progress queries (RULES.md 6). Set-based: every figure is an SQL aggregate over
the contracts of a tender's contract year; Python only labels the (few) grouped rows.

Accepted winning quantity: while the contract year is running (``as_of`` not past any selected
contract's period end) it is ``contract_volumes.accepted``, the exact counter orders keeps per
contract; after that it is summed from receipt lines accepted within the contract period, so a
late acceptance never counts (RULES.md 6: only within the contract year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import (
    and_,
    case,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from procurement.auth.models import InstitutionType, Organization, OrgKind
from procurement.catalog.models import Lot, Tender
from procurement.compliance import rules as r
from procurement.compliance.progress.grouping_queries import LotPrice, grouped, lot_prices
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date, day_start
from procurement.core.money import round_amount
from procurement.orders.models import (
    ContractVolume,
    ReceiptLine,
)

GROUPS = (
    "total",
    "tender",
    "lot",
    "region",
    "hospital",
    "manufacturer",
    "contract",
    "hospital_lot",
)
COUNTED = (ContractStatus.ACTIVE, ContractStatus.ENDED)


@dataclass(frozen=True)
class Filters:
    tender_id: int | None = None
    contract_year: int | None = None
    lot_id: int | None = None
    region_code: str | None = None  # province (or any code in it)
    hospital_id: int | None = None
    manufacturer_id: int | None = None
    # A county medical community's actor: its own and its members' contracts (RULES.md 12).
    hospital_ids: tuple[int, ...] | None = None
    institution_type: str | None = None  # the buyer's (InstitutionType value)


def buyer_type_ids(institution_type: str):
    """Ids of the buyers of one institution type (a buyer without one is a hospital)."""
    column = Organization.institution_type
    matches = column == institution_type
    if institution_type == InstitutionType.HOSPITAL:
        matches = or_(matches, column.is_(None))
    return select(Organization.id).where(Organization.kind == OrgKind.HOSPITAL, matches)


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive
    as_of: date
    time_progress: Decimal
    months: int

    @property
    def running(self) -> bool:
        return self.as_of <= self.end


@dataclass
class ProgressRow:
    group: str
    key: Any
    label: str
    agreed: int
    accepted: int
    contracts: int
    behind: int
    at_risk: int
    zero: int
    saving: Decimal = Decimal(0)
    completion: Decimal | None = None
    time_progress: Decimal = Decimal(0)
    status: str = "on_track"
    extra: dict[str, Any] = field(default_factory=dict)


def filter_conditions(filters: Filters) -> list[Any]:
    """The WHERE conditions on ``Contract`` that select the counted contracts of ``f``."""
    c = Contract
    conds: list[Any] = [c.status.in_(COUNTED)]
    for column, value in (
        (c.tender_id, filters.tender_id),
        (c.contract_year, filters.contract_year),
        (c.lot_id, filters.lot_id),
        (c.hospital_id, filters.hospital_id),
        (c.manufacturer_id, filters.manufacturer_id),
    ):
        if value is not None:
            conds.append(column == value)
    if filters.region_code:
        conds.append(c.region_code == filters.region_code[:2] + "0000")
    if filters.hospital_ids is not None:
        conds.append(c.hospital_id.in_(filters.hospital_ids))
    if filters.institution_type:
        conds.append(c.hospital_id.in_(buyer_type_ids(filters.institution_type)))
    return conds


def contract_window(
    session: Session, filters: Filters, as_of: datetime, rules: r.ComplianceRules
) -> Window:
    """The contract year of the selection (earliest start, latest end) and time progress."""
    start, end = session.execute(
        select(func.min(Contract.period_start), func.max(Contract.period_end)).where(
            *filter_conditions(filters)
        )
    ).one()
    today = business_date(as_of)
    if start is None:
        start, end = today, today
    return Window(
        start, end, today, r.time_progress(start, end, today), r.months_elapsed(start, today)
    )


SCALE = 10**8  # thresholds as integers: accepted x SCALE < agreed x (factor x progress x SCALE)


def _threshold(factor: Decimal, progress: Decimal) -> int:
    return int((factor * progress * SCALE).to_integral_value(rounding=ROUND_CEILING))


def base(
    filters: Filters,
    window: Window,
    rules: r.ComplianceRules | None = None,
    mark: int | None = None,
):
    """Per contract: dimensions, agreed, accepted, price and status flags (a CTE the
    aggregates read; the flags are computed once per contract, in integer arithmetic).
    ``mark``: as of the receipt lines up to that id (see :func:`_per_contract`)."""
    rules = rules or r.ComplianceRules()
    src = _per_contract(filters, window, mark).subquery("per_contract")
    checked = true() if window.months >= rules.checks_from_month else false()
    zero = and_(checked, src.c.accepted == 0, src.c.agreed > 0)
    scaled = src.c.accepted * SCALE
    on_k = _threshold(rules.on_track_factor, window.time_progress)
    risk_k = _threshold(rules.at_risk_factor, window.time_progress)
    flags = select(
        *src.c,
        case((and_(~zero, scaled < src.c.agreed * on_k), 1), else_=0).label("behind"),
        case((and_(checked, ~zero, scaled < src.c.agreed * risk_k), 1), else_=0).label("at_risk"),
        case((zero, 1), else_=0).label("zero"),
    )
    return flags.cte("progress_base")


def _per_contract(filters: Filters, window: Window, mark: int | None = None):
    """Per contract of the selection: dimensions, agreed and accepted; with ``mark``, accepted
    as of the receipt lines up to that id (the counter less the lines above it, read in the
    same statement: a receipt moves both in one transaction)."""
    c, rl = Contract, ReceiptLine
    if window.running:
        accepted = func.coalesce(ContractVolume.accepted, 0)
        if mark is not None:
            above = (
                select(rl.contract_id, func.sum(rl.accepted_quantity).label("q"))
                .where(rl.id > mark, rl.contract_id.is_not(None))
                .group_by(rl.contract_id)
                .subquery()
            )
            accepted = accepted - func.coalesce(above.c.q, 0)
    else:
        above = (
            select(rl.contract_id, func.sum(rl.accepted_quantity).label("q"))
            .join(c, c.id == rl.contract_id)
            .where(
                *filter_conditions(filters),
                rl.accepted_at >= day_start(window.start),
                rl.accepted_at < day_start(window.end + timedelta(days=1)),
                *((rl.id <= mark,) if mark is not None else ()),
            )
            .group_by(rl.contract_id)
            .subquery()
        )
        accepted = func.coalesce(above.c.q, 0)
    src = select(
        c.id,
        c.tender_id,
        c.lot_id,
        c.region_code,
        c.hospital_id,
        c.manufacturer_id,
        c.agreed_volume.label("agreed"),
        accepted.label("accepted"),
        c.unit_price,
    )
    if window.running:
        src = src.outerjoin(ContractVolume, ContractVolume.contract_id == c.id)
    if not window.running or mark is not None:
        src = src.outerjoin(above, above.c.contract_id == c.id)
    return src.where(*filter_conditions(filters))


def progress(
    session: Session,
    *,
    filters: Filters,
    groups: tuple[str, ...],
    as_of: datetime,
    rules: r.ComplianceRules,
    labels: tuple[str, ...] | None = None,
    window: Window | None = None,
) -> dict[str, list[ProgressRow]]:
    """Agreed, accepted, completion and status per group, all groups in one statement.
    ``labels`` names the groups whose rows get names (default: all)."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown groups {sorted(unknown)}")
    window = window or contract_window(session, filters, as_of, rules)
    cte = base(filters, window, rules)
    rows, prices = grouped(session, cte, groups)
    if prices is None and {"total", "lot"} & set(groups):
        prices = lot_prices(session, cte)
    return assemble(session, rows, prices, groups, window, rules, labels)


def assemble(
    session, rows, prices, groups, window: Window, rules, labels
) -> dict[str, list[ProgressRow]]:
    """Progress rows per group from raw group sums; savings from ``prices``; names."""
    out: dict[str, list[ProgressRow]] = {g: [] for g in groups}
    for row in rows:
        out[row.grp].append(progress_row(row, window, rules))
    if {"total", "lot"} & set(groups):
        _add_savings(session, out, prices)
    _label(session, {g: rows for g, rows in out.items() if labels is None or g in labels})
    return out


def progress_row(row, window: Window, rules: r.ComplianceRules) -> ProgressRow:
    agreed, accepted = int(row.agreed or 0), int(row.accepted or 0)
    key = row.key if row.grp in ("region", "hospital_lot") else int(row.key)
    status = r.status(accepted, agreed, window.time_progress, window.months, rules)
    return ProgressRow(
        group=row.grp,
        key=key,
        label="",
        agreed=agreed,
        accepted=accepted,
        contracts=int(row.contracts or 0),
        behind=int(row.behind or 0),
        at_risk=int(row.at_risk or 0),
        zero=int(row.zero or 0),
        completion=r.completion(accepted, agreed),
        time_progress=window.time_progress,
        status=status.value,
    )


def _add_savings(
    session: Session, out: dict[str, list[ProgressRow]], prices: list[LotPrice]
) -> None:
    """Savings = accepted x (reference price - contract price), summed per lot and price in
    integers (one small grouping), multiplied out in Decimal here: no per-row numeric math."""
    per_lot: dict[int, Decimal] = {}
    refs = dict(
        session.execute(
            select(Lot.id, Lot.reference_unit_price).where(
                Lot.id.in_({price.lot_id for price in prices})
            )
        ).all()
    )
    for lot_id, price, accepted in prices:
        gap = Decimal(refs[lot_id]) - Decimal(price)
        per_lot[lot_id] = per_lot.get(lot_id, Decimal(0)) + Decimal(int(accepted or 0)) * gap
    for row in out.get("lot", []):
        row.saving = round_amount(per_lot.get(row.key, Decimal(0)))
    for row in out.get("total", []):
        row.saving = round_amount(sum(per_lot.values(), Decimal(0)))


def label_rows(session: Session, group: str, rows: list[ProgressRow]) -> list[ProgressRow]:
    """Name the rows of one group (for groups labelled late, e.g. the top hospitals)."""
    _label(session, {group: rows})
    return rows


def _label(session: Session, out: dict[str, list[ProgressRow]]) -> None:
    names = {
        "lot": (Lot, lambda x: f"{x.code} {x.generic_name}"),
        "tender": (Tender, lambda x: f"{x.code} {x.name}"),
        "hospital": (Organization, lambda x: x.name),
        "manufacturer": (Organization, lambda x: x.name),
    }
    for group, rows in out.items():
        if group in names and rows:
            model, label = names[group]
            keys = [row.key for row in rows]
            found: dict[int, str] = {}
            for chunk in range(0, len(keys), 5000):
                for obj in session.scalars(
                    select(model).where(model.id.in_(keys[chunk : chunk + 5000]))
                ):
                    found[obj.id] = label(obj)
            for row in rows:
                row.label = found.get(row.key, str(row.key))
        else:
            for row in rows:
                row.label = {"total": "total"}.get(group, str(row.key))


def furthest_behind(rows: list[ProgressRow], limit: int = 10) -> list[ProgressRow]:
    """The rows whose completion lags time progress most (gap = time progress - completion)."""

    def gap(row: ProgressRow) -> Decimal:
        return row.time_progress - (row.completion or Decimal(0))

    lagging = [row for row in rows if row.agreed > 0 and row.status != "on_track"]
    return sorted(lagging, key=lambda row: (-gap(row), row.key))[:limit]
