"""The demo's monthly shortage reports (RULES.md 14), a small step before each compliance
check: every manufacturer files the reports it owes through the service (stock for about two
months of its products' agreed volume, so no county runs short of cover), except one gap kept
to show a missing report alert: the failing manufacturer's first product for the newest month
due before the demo's today."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.compliance.shortage import queries, rules
from procurement.compliance.shortage.services import ReportInput, submit_reports
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date
from procurement.demo.world import World

STOCK_MONTHS = 2  # stock on hand in months of the agreed volume
MIN_FIGURE = 1_000  # figures of a product with little agreed volume


def shortage_gap(today: date) -> str:
    """The month of the report left missing: the newest one overdue at the demo's today."""
    return rules.overdue_periods(today)[0]


def _gap(world: World, owed: list[queries.Duty]) -> tuple[int, int, str] | None:
    """The duty left unfiled: of the gap month's, the failing manufacturer's first product
    (else the first manufacturer's). Chosen from every duty of that month, so it stays the
    same from one check to the next."""
    failing = {m.id for m in world.makers if m.profile == "failing"}
    month = [d for d in owed if d.period == world.shortage_gap]
    if not month:
        return None
    d = min(
        month, key=lambda d: (d.manufacturer_id not in failing, d.manufacturer_id, d.product_id)
    )
    return d.manufacturer_id, d.product_id, d.period


def file_reports(session: Session, world: World, now: datetime) -> int:
    """File every report owed by ``now`` but the gap; returns how many were filed."""
    owed = queries.duties(session, rules.overdue_periods(business_date(now)))
    came = queries.reported(session, owed)
    todo = [d for d in owed if (d.manufacturer_id, d.product_id, d.period) not in came]
    gap = _gap(world, owed)
    todo = [d for d in todo if (d.manufacturer_id, d.product_id, d.period) != gap]
    yearly = dict(
        session.execute(
            select(Contract.product_id, func.sum(Contract.agreed_volume))
            .where(Contract.status == ContractStatus.ACTIVE)
            .group_by(Contract.product_id)
        ).all()
    )
    filed = 0
    for maker in world.makers:
        rows = [
            _row(d.product_id, d.period, int(yearly.get(d.product_id) or 0))
            for d in todo
            if d.manufacturer_id == maker.id
        ]
        if rows:
            submit_reports(session, rows=rows, now=now, actor=maker.actor)
            filed += len(rows)
    return filed


def _row(product_id: int, period: str, yearly: int) -> ReportInput:
    month = max(yearly // 12, MIN_FIGURE)
    return ReportInput(product_id, period, month, month * STOCK_MONTHS, month * 2)
