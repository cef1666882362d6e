"""The dashboard computed from scratch: every figure by the plain progress queries over all
contracts and receipt lines, no rollup. Production reads the rollup
(:func:`procurement.compliance.dashboard.services.dashboard`); the tests (and the benchmark's
``--verify``) compare it with this."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.compliance.common_services import rules_for
from procurement.compliance.dashboard import rollup_services as rollup
from procurement.compliance.dashboard.services import (
    GROUPS,
    LABELS,
    CurvePoint,
    Dashboard,
    alerts_by_step,
    curve_points,
)
from procurement.compliance.progress import metrics_queries as metrics
from procurement.compliance.progress import queries
from procurement.contracts.models import Contract
from procurement.core.clock import day_start
from procurement.orders.models import ReceiptLine


def dashboard_from_scratch(
    session: Session, *, tender_id: int, year: int, now: datetime, actor: Actor
) -> Dashboard:
    """The figures of ``dashboard()`` for one tender's contract year, recomputed."""
    rules = rules_for(session, tender_id)
    filters = queries.Filters(tender_id=tender_id, contract_year=year)
    window = queries.contract_window(session, filters, now, rules)
    groups = queries.progress(
        session,
        window=window,
        filters=filters,
        groups=GROUPS,
        as_of=now,
        rules=rules,
        labels=LABELS,
    )
    side = metrics.side_figures(session, filters=filters, window=window, group="total", as_of=now)
    total = groups["total"][0] if groups["total"] else None
    groups["hospital"] = queries.label_rows(
        session, "hospital", queries.furthest_behind(groups["hospital"])
    )
    return Dashboard(
        tender=session.get(Tender, tender_id),
        year=year,
        window=window,
        groups=groups,
        figures=metrics.figures(total.accepted if total else 0, side.get("0")),
        curve=completion_curve(session, filters, window, total),
        alerts_by_step=alerts_by_step(session),
        savings=total.saving if total else Decimal(0),
        tenders=list(
            session.scalars(
                select(Tender)
                .where(Tender.status.in_((TenderStatus.IN_FORCE, TenderStatus.CLOSED)))
                .order_by(Tender.id.desc())
            )
        ),
    )


def completion_curve(session, filters, window, total) -> list[CurvePoint]:
    """(day, cumulative completion, time progress) at each month end so far and today, from
    the receipt lines."""
    if total is None or not total.agreed:
        return []
    line = ReceiptLine
    month = rollup.month_of(line.accepted_at, session)
    rows = session.execute(
        select(month, func.sum(line.accepted_quantity))
        .join(Contract, Contract.id == line.contract_id)
        .where(
            *queries.filter_conditions(filters),
            line.accepted_at >= day_start(window.start),
            line.accepted_at < day_start(min(window.as_of, window.end) + timedelta(days=1)),
        )
        .group_by(month)
    )
    return curve_points({month: int(quantity or 0) for month, quantity in rows}, window, total)


__all__ = ["completion_curve", "dashboard_from_scratch"]
