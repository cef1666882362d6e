"""``procurement compliance check``: import credit events, evaluate alerts as of now and fold
the dashboard rollup (:mod:`procurement.compliance.dashboard.rollup_services`);
``procurement compliance year-end TENDER YEAR``: the year-end check as the regulator."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from procurement.web.session import get_session


@click.group()
def compliance() -> None:
    """Compliance monitoring: alerts, credit, year-end."""


@compliance.command("check")
@with_appcontext
def check() -> None:
    """Import credit events from orders, raise and resolve alerts as of now, and fold the
    dashboard's rollup of the tender in force for today (if it has none valid)."""
    from procurement.compliance.job_services import ask_compliance_check

    session = get_session()
    job = ask_compliance_check(session)
    session.refresh(job)
    if job.status.finished:  # no queue: it ran inline
        click.echo(job.result or job.error)
        if job.error:
            raise SystemExit(1)
    else:
        click.echo(f"compliance check queued as job {job.id} for the workers")
