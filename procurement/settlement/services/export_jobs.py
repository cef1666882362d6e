"""A large statement export made by a job (more than INLINE_EXPORT_LINES lines): the job
computes the statement as the page would and keeps the file for download from its page. Its
column headings are the column names (as the English pages give them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.jobs import JobContext, defer
from procurement.jobs.models import Job
from procurement.settlement import export
from procurement.settlement.services.statements import statement


def ask_statement_export(
    session: Session,
    *,
    party_id: int,
    period_from: date,
    period_to: date,
    fmt: str,
    actor: Actor,
) -> Job:
    """Ask for the statement file (``csv`` or ``xlsx``) as a job."""
    job = defer(
        session,
        "settlement.statement_export",
        actor=actor,
        party_id=party_id,
        period_from=period_from.isoformat(),
        period_to=period_to.isoformat(),
        fmt=fmt,
    )
    session.commit()
    return job


def statement_file_name(result, fmt: str) -> str:
    return f"statement-{result.party_code}-{result.period_from}-{result.period_to}.{fmt}"


def export_statement(
    ctx: JobContext, *, party_id: int, period_from: str, period_to: str, fmt: str
) -> int:
    """The job's work: the statement's file, kept on the job; the number of lines."""
    result = statement(
        ctx.session,
        party_id=party_id,
        period_from=date.fromisoformat(period_from),
        period_to=date.fromisoformat(period_to),
        now=ctx.now,
        actor=ctx.actor,
    )
    content = export.statement_csv(result) if fmt == "csv" else export.statement_xlsx(result)
    ctx.save_output(statement_file_name(result, fmt), content)
    ctx.progress(len(result.lines), len(result.lines))
    return len(result.lines)
