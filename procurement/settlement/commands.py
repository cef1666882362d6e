"""``procurement settlement run --cut-off YYYY-MM-DD`` and ``procurement settlement advances``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from procurement.settlement.errors import NothingDue
from procurement.settlement.rules import DEFAULT_RUN_BATCH_SIZE
from procurement.web.session import get_session, now


def _fund_actor(session, code: str):
    from sqlalchemy import select

    from procurement.auth.actor import Actor
    from procurement.auth.models import Organization, OrgKind, Role

    org = session.scalar(select(Organization).where(Organization.code == code))
    if org is None or org.kind != OrgKind.FUND:
        raise click.UsageError(f"No fund office with code {code!r}.")
    return Actor(
        user_id=None,
        org_id=org.id,
        org_kind=OrgKind.FUND,
        role=Role.STAFF,
        region_code=org.region_code,
        username="cli",
    )


@click.group()
def settlement() -> None:
    """Advances, payables and settlement runs of the fund office."""


@settlement.command("run")
@click.option("--cut-off", "cut_off", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--fund", "fund_code", required=True, help="the fund office's code")
@click.option("--key", default=None, help="Idempotency-Key (default: cli-<cut-off>)")
@click.option("--batch-size", default=DEFAULT_RUN_BATCH_SIZE, show_default=True)
@with_appcontext
def run(cut_off, fund_code, key, batch_size) -> None:
    """Pay every unpaid payable accepted up to the cut-off date; rerun to resume (a run stopped
    after any committed batch goes on from the next one). Prints a line per committed batch."""
    from procurement.core.errors import DomainError
    from procurement.settlement.services import start_run

    def progress(batch_no: int) -> None:
        click.echo(f"batch {batch_no} done")

    session = get_session()
    day = cut_off.date()
    try:
        result = start_run(
            session,
            cut_off=day,
            idempotency_key=key or f"cli-{day}",
            now=now(),
            actor=_fund_actor(session, fund_code),
            batch_size=batch_size,
            after_batch=progress,
        )
    except NothingDue as quiet:  # a scheduled run on a quiet day: not a failure
        click.echo(quiet.detail)
        return
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(
        f"run {result.reference} {result.status}: {result.payables_count} payables, "
        f"{result.total_amount} {result.currency}, {len(result.payments)} payments"
    )


@settlement.command("advances")
@click.option("--tender", "tender_id", type=int, required=True)
@click.option("--year", "contract_year", type=int, default=1, show_default=True)
@click.option("--fund", "fund_code", required=True, help="the fund office's code")
@with_appcontext
def advances(tender_id, contract_year, fund_code) -> None:
    """Pay the year's advances of a tender (hospitals already paid are skipped)."""
    from procurement.core.errors import DomainError
    from procurement.settlement.services import run_advances

    session = get_session()
    try:
        result = run_advances(
            session,
            tender_id=tender_id,
            contract_year=contract_year,
            now=now(),
            actor=_fund_actor(session, fund_code),
        )
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(
        f"advances paid: {len(result.created)} hospitals, {result.total}; "
        f"already paid: {result.already_paid}"
    )


@settlement.command("reconcile-month")
@click.option(
    "--month",
    "month",
    type=click.DateTime(["%Y-%m"]),
    default=None,
    help="YYYY-MM (default: the business month before today's)",
)
@with_appcontext
def reconcile_month(month) -> None:
    """Issue a finished month's reconciliations (对账; default: last month) and confirm, as of
    their deadline, those whose deadline passed in silence. Idempotent: run it daily."""
    from datetime import timedelta

    from procurement.core.clock import business_date
    from procurement.core.errors import DomainError
    from procurement.settlement.services import monthly_reconciliation as recon

    session = get_session()
    day = month.date() if month else business_date(now()).replace(day=1) - timedelta(days=1)
    try:
        issued = recon.issue_month(session, month=day, now=now())
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    confirmed = recon.close_due(session, now=now())
    click.echo(
        f"{day:%Y-%m}: {len(issued)} reconciliations issued; {confirmed} confirmed at their "
        "deadline"
    )
