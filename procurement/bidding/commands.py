"""``procurement bids ...``: seal key rotation."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from procurement.web.session import get_session


@click.group()
def bids() -> None:
    """Sealed bids."""


@bids.command("rotate-seal-key")
@with_appcontext
def rotate_seal_key() -> None:
    """Re-encrypt every sealed bid with the newest key of BID_SEAL_KEYS.

    First put a new key (Fernet.generate_key()) at the front of PROCUREMENT_BID_SEAL_KEYS,
    keeping the old ones after it; run this; then drop the old keys."""
    from procurement.bidding.seal import sealer_from_settings
    from procurement.bidding.services import rotate_seal_key as rotate

    count = rotate(get_session(), sealer=sealer_from_settings(current_app.config))
    click.echo(f"re-sealed {count} bid records with the newest key")
