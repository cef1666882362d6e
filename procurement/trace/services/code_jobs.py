"""A large code file (over INLINE_UPLOAD_BYTES: a shipment line of tens of thousands of boxes)
attached by a job: checked now, in the request (the shipper's own line, not coded yet); read,
checked and stored all or nothing by a worker (or inline after the request's commit). Not
retried: the same file is refused the same way again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.services.common import table_failure
from procurement.catalog.tabular import TableError
from procurement.jobs import JobContext, defer
from procurement.jobs.models import Job
from procurement.trace.files import read_codes
from procurement.trace.services.ingest import CodesAttached, _load_line, attach_codes


def ask_codes_import(
    session: Session, *, shipment_line_id: int, filename: str, content: bytes, actor: Actor
) -> Job:
    """Ask for a line's code file to be attached as a job; refused now when the line is not
    the actor's to code or already coded."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, action="send traceability codes")
    line = _load_line(session, shipment_line_id, actor)
    job = defer(
        session,
        "trace.codes_import",
        actor=actor,
        subject=("shipment", line.shipment_id),
        input_file=(filename, content),
        shipment_line_id=shipment_line_id,
    )
    session.commit()
    return job


def import_codes(ctx: JobContext, *, shipment_line_id: int) -> CodesAttached:
    """The job's work: read the file and attach its codes (all or nothing)."""
    filename, content = ctx.input_file()
    try:
        rows = read_codes(filename, content)
    except TableError as error:
        raise table_failure(error.errors, "code") from None
    done = attach_codes(
        ctx.session, shipment_line_id=shipment_line_id, rows=rows, now=ctx.now, actor=ctx.actor
    )
    ctx.progress(len(rows), len(rows))
    return done
