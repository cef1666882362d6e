"""A large lot file (over INLINE_UPLOAD_BYTES) imported by a job: checked now, in the request
(the regulator's own draft tender), imported all or nothing by a worker (or inline after the
request's commit). Not retried: the same file fails the same way again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.catalog.services.common import require_draft, require_owner, visible_tender
from procurement.jobs import defer
from procurement.jobs.models import Job


def ask_lot_import(
    session: Session,
    *,
    tender_id: int,
    filename: str,
    content: bytes,
    replace: bool,
    actor: Actor,
) -> Job:
    """Ask for a lot file to be imported as a job; refused now if the tender's lots may not
    be imported (not its regulator, not a draft)."""
    tender = visible_tender(session, tender_id, actor)
    require_owner(tender, actor, "import this tender's lots")
    require_draft(tender, "import lots")
    job = defer(
        session,
        "catalog.lot_import",
        actor=actor,
        subject=("tender", tender_id),
        input_file=(filename, content),
        tender_id=tender_id,
        replace=replace,
    )
    session.commit()
    return job
