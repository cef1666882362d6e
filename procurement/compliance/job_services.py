"""The compliance area's long work asked for as jobs: the year-end check (from its page) and
the compliance check (credit events, alerts, the dashboard rollup; from the CLI or cron)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.compliance.yearend.services import check_year_end
from procurement.jobs import defer
from procurement.jobs.models import Job


def ask_year_end(
    session: Session, *, tender_id: int, contract_year: int, now: datetime, actor: Actor
) -> Job:
    """Ask for the year-end check as a job (refused now if it cannot run); its progress is
    hospitals checked of hospitals."""
    check_year_end(session, tender_id=tender_id, contract_year=contract_year, now=now, actor=actor)
    job = defer(
        session,
        "compliance.year_end",
        actor=actor,
        subject=("tender", tender_id),
        tender_id=tender_id,
        contract_year=contract_year,
    )
    session.commit()
    return job


def ask_compliance_check(session: Session, *, actor: Actor | None = None) -> Job:
    """Ask for the compliance check as a job (the system's, when ``actor`` is None)."""
    job = defer(session, "compliance.check", actor=actor)
    session.commit()
    return job
