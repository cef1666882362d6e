"""``procurement pharmacy refresh-finder``: rewrite the public finder nightly (contracts that began
or ended; stock changes reach it as they commit)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from procurement.web.session import get_session, now


@click.group()
def pharmacy() -> None:
    """Pharmacies in VBP and the public medicine finder."""


@pharmacy.command("refresh-finder")
@with_appcontext
def refresh_finder() -> None:
    """Rewrite every enrolled store's and every primary care clinic's finder entries from
    stock on hand, prices and VBP contracts."""
    from procurement.pharmacy.services import refresh_all

    click.echo(f"finder entries written: {refresh_all(get_session(), now=now())}")
