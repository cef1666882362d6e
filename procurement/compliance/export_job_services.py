"""Large compliance exports made by jobs (more than INLINE_EXPORT_LINES rows): the progress
report grouped by hospital or manufacturer reaches tens of thousands of rows on a provincial
scale. The job computes the report as the page would (same filters, same rights) and keeps
the file for download from its page."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.compliance import export
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
