"""``procurement webhooks deliver-due``: attempt every webhook delivery whose retry is due."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from procurement.web.session import get_session, now


@click.group()
def webhooks() -> None:
    """Webhook deliveries."""


@webhooks.command("deliver-due")
@with_appcontext
def deliver_due() -> None:
    """Attempt the deliveries whose next attempt is due (retries without a job queue: run it
    every minute from cron; with a queue the workers retry, and this only catches up)."""
    from procurement.events.services.delivering import deliver_due as queue_due

    count = queue_due(get_session(), now=now())
    click.echo(f"{count} due deliveries sent to be attempted")
