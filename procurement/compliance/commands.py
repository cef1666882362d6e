"""``procurement compliance check``: import credit events, evaluate alerts as of now and fold
the dashboard rollup (:mod:`procurement.compliance.dashboard.rollup_services`);
``procurement compliance year-end TENDER YEAR``: the year-end check as the regulator."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from procurement.web.session import get_session, now


@click.group()
def compliance() -> None:
    """Compliance monitoring: alerts, credit, year-end."""


@compliance.command("check")
@with_appcontext
def check() -> None:
    """Import credit events from orders, raise and resolve alerts as of now, and fold the
    dashboard's rollup of the tender in force for today (if it has none valid)."""
    from procurement.compliance.dashboard.services import fold_dashboard
    from procurement.compliance.services import evaluate_alerts, import_credit_events

    session = get_session()
    events = import_credit_events(session, now=now())
    result = evaluate_alerts(session, now=now())
    folded = fold_dashboard(session, now=now())
    click.echo(
        f"credit events {events}; alerts raised {result.raised}, updated {result.updated}, "
        f"resolved {result.resolved}, open {result.open}; dashboard rollup "
        + (f"of tender {folded[0]} year {folded[1]} current" if folded else "not needed")
    )
