"""Large compliance exports made by jobs (more than INLINE_EXPORT_LINES rows): the progress
report grouped by hospital or manufacturer, and the alerts list, reach tens of thousands of rows
on a provincial scale. The job computes the file as the page would (same filters, same rights)
and keeps it for download from its page."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.compliance import export
from procurement.compliance.alerts.models import Alert
from procurement.compliance.alerts.queries import visible_alerts
from procurement.compliance.progress.queries import Filters
from procurement.compliance.progress.services import progress_report
from procurement.jobs import JobContext, defer
from procurement.jobs.models import Job


def ask_progress_export(
    session: Session, *, filters: Filters, group_by: str, fmt: str, actor: Actor
) -> Job:
    """Ask for the progress report's file (``csv`` or ``xlsx``) as a job."""
    job = defer(
        session,
        "compliance.progress_export",
        actor=actor,
        filters=asdict(filters),
        group_by=group_by,
        fmt=fmt,
    )
    session.commit()
    return job


def export_progress(ctx: JobContext, *, filters: dict, group_by: str, fmt: str) -> int:
    """The job's work: the report's file, kept on the job; the number of rows."""
    report = progress_report(
        ctx.session, filters=Filters(**filters), group_by=group_by, now=ctx.now, actor=ctx.actor
    )
    rows = export.progress_rows(report.rows)
    name, content, _mimetype = export.table_file(
        f"progress-{group_by}", export.PROGRESS_HEADER, rows, fmt
    )
    ctx.save_output(name, content)
    ctx.progress(len(rows), len(rows))
    return len(rows)


ALERT_CHUNK = 1_000  # alert ids read per query by the export job


def ask_alerts_export(session: Session, *, ids: list[int], fmt: str, actor: Actor) -> Job:
    """Ask for the alerts list's file (``csv`` or ``xlsx``) as a job: the ids the page's
    filters chose, in the list's order (raised, newest first)."""
    job = defer(session, "compliance.alerts_export", actor=actor, ids=ids, fmt=fmt)
    session.commit()
    return job


def export_alerts(ctx: JobContext, *, ids: list[int], fmt: str) -> int:
    """The job's work: the alerts' file (only those the asker may still see), kept on the job;
    the number of rows."""
    visible = visible_alerts(ctx.actor)
    by_id: dict[int, Alert] = {}
    for start in range(0, len(ids), ALERT_CHUNK):
        chunk = ids[start : start + ALERT_CHUNK]
        by_id.update((a.id, a) for a in ctx.session.scalars(visible.where(Alert.id.in_(chunk))))
        ctx.progress(min(start + ALERT_CHUNK, len(ids)), len(ids))
    rows = export.alert_rows(by_id[i] for i in ids if i in by_id)
    name, content, _mimetype = export.table_file("alerts", export.ALERTS_HEADER, rows, fmt)
    ctx.save_output(name, content)
    return len(rows)
