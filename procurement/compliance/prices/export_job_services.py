"""The per-institution price table of a product as a job when it is large (more than
INLINE_EXPORT_LINES institutions: on a provincial scale a common product is bought by tens of
thousands of clinics and pharmacies). The job computes the file as the page would (same
filters, same rights) and keeps it for download from its page."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.compliance.export import table_file
from procurement.compliance.prices import export
from procurement.compliance.prices.services import Filters, product_prices
from procurement.jobs import JobContext, defer
from procurement.jobs.models import Job

KIND = "compliance.price_paid_export"


def ask_paid_export(
    session: Session, *, product_id: int, filters: Filters, fmt: str, actor: Actor
) -> Job:
    """Ask for the product's per-institution price file (``csv`` or ``xlsx``) as a job."""
    job = defer(session, KIND, actor=actor, product_id=product_id, filters=asdict(filters), fmt=fmt)
    session.commit()
    return job


def export_paid(ctx: JobContext, *, product_id: int, filters: dict, fmt: str) -> int:
    """The job's work: the file, kept on the job; the number of rows."""
    report = product_prices(
        ctx.session,
        product_id=product_id,
        filters=Filters(**filters),
        actor=ctx.actor,
        now=ctx.now,
    )
    rows = export.paid_rows(report)
    name, content, _mimetype = table_file("price-paid", export.PAID_HEADER, rows, fmt)
    ctx.save_output(name, content)
    ctx.progress(len(rows), len(rows))
    return len(rows)
