"""Progress reports (RULES.md 6): the queries, scoped to the actor, with the side figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.compliance import rules as r
from procurement.compliance.common_services import rules_for, scoped
from procurement.compliance.errors import UnknownGrouping
from procurement.compliance.progress import metrics_queries as metrics
from procurement.compliance.progress import queries
from procurement.core.messages import Message


@dataclass
class ProgressReport:
    filters: queries.Filters
    group_by: str
    window: queries.Window
    rows: list[queries.ProgressRow]
    rules: r.ComplianceRules


def progress_report(
    session: Session,
    *,
    filters: queries.Filters,
    group_by: str = "lot",
    now: datetime,
    actor: Actor,
) -> ProgressReport:
    """Agreed, accepted, completion, time progress, status and side figures per group."""
    if group_by not in queries.GROUPS:
        raise UnknownGrouping(
            errors={"group_by": [Message("'{group_by}' is not a grouping", group_by=group_by)]},
            groups=", ".join(queries.GROUPS),
        )
    filters = scoped(filters, actor)
    rules = rules_for(session, filters.tender_id)
    rows = queries.progress(session, filters=filters, groups=(group_by,), as_of=now, rules=rules)[
        group_by
    ]
    window = queries.contract_window(session, filters, now, rules)
    side = metrics.side_figures(session, filters=filters, window=window, group=group_by, as_of=now)
    for row in rows:
        if group_by in metrics.SIDE_GROUPS:
            row.extra = metrics.figures(row.accepted, side.get(str(row.key)))
    rows.sort(key=lambda row: (row.completion is None, row.completion or 0, str(row.key)))
    return ProgressReport(filters, group_by, window, rows, rules)
