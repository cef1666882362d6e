"""What supply risk reads: each lot's agreed volumes per region and winner (the contracts of
one contract year), the winners' declared capacities, the backups the confirmed award named
per region, and the order lines due month by month with how many were delivered late.
Set-based: a handful of grouped selects per tender, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.award.models import AwardLotResult
from procurement.bidding.models import Bid
from procurement.catalog.models import Lot
from procurement.compliance.supply_risk.risk import LotInput, MonthLate, Supply, Winner
from procurement.contracts.models import Contract
from procurement.core.clock import business_date, day_start
from procurement.orders.models import (
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    Shipment,
    ShipmentLine,
)


@dataclass(frozen=True)
class Year:
    """The contract year looked at: the one running today, else the latest one."""

    number: int
    start: date
    end: date

    def months(self, today: date) -> list[str]:
        """``YYYY-MM`` of every month of the year up to today's."""
        out, (y, m) = [], (self.start.year, self.start.month)
        last = min(self.end, max(today, self.start))
        while (y, m) <= (last.year, last.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def contract_year(session: Session, tender_id: int, now: datetime) -> Year | None:
    """The tender's contract year running today, else its latest; None without contracts."""
    today = business_date(now)
    rows = session.execute(
        select(
            Contract.contract_year, func.min(Contract.period_start), func.max(Contract.period_end)
        )
        .where(Contract.tender_id == tender_id)
        .group_by(Contract.contract_year)
        .order_by(Contract.contract_year)
    ).all()
    years = [Year(n, start, end) for n, start, end in rows]
    running = [y for y in years if y.start <= today <= y.end]
    return (running or years or [None])[-1]


def lot_inputs(
    session: Session, lots: list[Lot], year: Year, now: datetime, *, late: bool = True
) -> list[LotInput]:
    """Every lot's supply inputs for ``year`` (``late``: with the monthly late deliveries)."""
    ids = [lot.id for lot in lots]
    c = Contract
    supplies: dict[int, list[Supply]] = {i: [] for i in ids}
    bids: dict[int, set[int]] = {i: set() for i in ids}  # lot -> bids of winners and backups
    for lot_id, region, maker, bid_id, agreed in session.execute(
        select(
            c.lot_id,
            c.region_code,
            c.manufacturer_id,
            func.min(c.bid_id),
            func.sum(c.agreed_volume),
        )
        .where(c.lot_id.in_(ids), c.contract_year == year.number)
        .group_by(c.lot_id, c.region_code, c.manufacturer_id)
    ):
        supplies[lot_id].append(Supply(region, maker, int(agreed or 0)))
        bids[lot_id].add(bid_id)
    backups = _backups(session, ids, year)
    for lot_id, by_region in backups.items():
        bids[lot_id].update(by_region.values())
    capacity = _bids(session, set().union(*bids.values()))
    months = _late_months(session, ids, year, now) if late else {}
    names = _names(session, {maker for maker, _ in capacity.values()})
    today = business_date(now)
    out = []
    for lot in lots:
        makers = dict(
            sorted((capacity[b] for b in bids[lot.id] if b in capacity), key=lambda t: t[0])
        )
        winners = tuple(
            Winner(m, names[m], cap, _year_months(months.get((lot.id, m), {}), year, today))
            for m, cap in makers.items()
        )
        named = backups.get(lot.id)
        regions = (
            None
            if named is None
            else {r: capacity[b][0] for r, b in named.items() if b in capacity}
        )
        out.append(
            LotInput(lot.id, lot.code, lot.generic_name, tuple(supplies[lot.id]), winners, regions)
        )
    return out


def _backups(session: Session, lot_ids: list[int], year: Year) -> dict[int, dict[str, int]]:
    """Per lot, the confirmed award's backup bid per region (RULES.md 3); a lot is missing when
    its award has no lot result (contracts written outside an award run)."""
    runs = select(Contract.award_run_id).where(
        Contract.lot_id.in_(lot_ids), Contract.contract_year == year.number
    )
    out: dict[int, dict[str, int]] = {}
    for lot_id, backups in session.execute(
        select(AwardLotResult.lot_id, AwardLotResult.backups)
        .where(AwardLotResult.lot_id.in_(lot_ids), AwardLotResult.run_id.in_(runs))
        .order_by(AwardLotResult.id)
    ):
        out.setdefault(lot_id, {}).update({r: int(b) for r, b in (backups or {}).items()})
    return out


def _bids(session: Session, bid_ids: set[int]) -> dict[int, tuple[int, int | None]]:
    """bid id -> (manufacturer id, declared capacity)."""
    rows = session.execute(
        select(Bid.id, Bid.manufacturer_id, Bid.capacity).where(Bid.id.in_(bid_ids))
    )
    return {i: (maker, cap) for i, maker, cap in rows}


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    )
    return {i: name for i, name in rows}


def _late_months(
    session: Session, lot_ids: list[int], year: Year, now: datetime
) -> dict[tuple[int, int], dict[str, tuple[int, int]]]:
    """(lot, manufacturer) -> month -> (lines due, lines late), over the contract year's
    order lines on contracts. The delivery service level (RULES.md 4) is met when the goods are
    shipped, as the platform's breach check (``orders.services.detect_sla_breaches``) judges
    it: a line counts once due or fully shipped, and is late when its last shipment left after
    the order's delivery deadline, or when the deadline passed with part of it unshipped.
    Cancelled orders and orders the supplier refused (their own alert) do not count."""
    po, ol = PurchaseOrder, OrderLine
    last = (
        select(func.max(Shipment.shipped_at))
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .where(ShipmentLine.order_line_id == ol.id)
        .scalar_subquery()
    )
    done = ol.shipped_quantity >= ol.quantity
    overdue = po.deliver_due_at < now
    late = case((and_(done, last > po.deliver_due_at), 1), (and_(~done, overdue), 1), else_=0)
    month = _month_of(po.deliver_due_at, year, business_date(now))
    rows = session.execute(
        select(ol.lot_id, ol.manufacturer_id, month, func.count(), func.sum(late))
        .join(po, po.id == ol.order_id)
        .join(Contract, Contract.id == ol.contract_id)
        .where(
            ol.lot_id.in_(lot_ids),
            Contract.contract_year == year.number,
            po.status.not_in((OrderStatus.CANCELLED, OrderStatus.REJECTED)),
            month.is_not(None),
            or_(done, overdue),
        )
        .group_by(ol.lot_id, ol.manufacturer_id, month)
    )
    out: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
    for lot_id, maker, m, lines, n_late in rows:
        out.setdefault((lot_id, maker), {})[m] = (int(lines), int(n_late or 0))
    return out


def _month_of(column, year: Year, today: date):
    """The business month (``YYYY-MM``) of a UTC instant in the year's months up to today's,
    else NULL: plain comparisons with each month's first instant (the same SQL on every
    database, and no per-row function call)."""
    months = year.months(today)
    starts = [day_start(max(date(int(m[:4]), int(m[5:]), 1), year.start)) for m in months]
    ends = [*starts[1:], day_start(_next_month(date.fromisoformat(months[-1] + "-01")))]
    return case(
        (column < starts[0], None),
        *[(column < end, month) for month, end in zip(months, ends, strict=True)],
        else_=None,
    )


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _year_months(
    counts: dict[str, tuple[int, int]], year: Year, today: date
) -> tuple[MonthLate, ...]:
    months = year.months(today)
    current = f"{today:%Y-%m}"
    return tuple(MonthLate(m, *counts.get(m, (0, 0)), m != current) for m in months)
