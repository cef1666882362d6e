"""``procurement orders sla-check``: record service-level breaches as of now."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from procurement.web.session import get_session, now


@click.group()
def orders() -> None:
    """Purchase orders and delivery service levels."""


@orders.command("sla-check")
@with_appcontext
def sla_check() -> None:
    """Record confirm/deliver breaches and shortage-risk alerts as of now."""
    from procurement.orders.services import detect_sla_breaches

    report = detect_sla_breaches(get_session(), now=now())
    click.echo(
        f"new breaches {report.new_breaches}, updated {report.updated_breaches}, "
        f"alerts {report.alerts}"
    )
