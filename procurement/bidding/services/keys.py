"""Seal key rotation: re-encrypt every sealed blob with the newest key."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from procurement.bidding.models import Bid, BidVersion
from procurement.bidding.seal import Sealer


def rotate_seal_key(session: Session, *, sealer: Sealer) -> int:
    """Re-encrypt every bid's and bid version's sealed content and nonce with the newest key
    (MultiFernet.rotate); returns the number of rows rewritten. Commits once.

    The content does not change, so digests and receipts stay valid, and Core updates leave the
    bids' edit versions (ETags) alone. Run it after putting the new key first in
    BID_SEAL_KEYS; afterwards the old key can be removed from the list."""
    count = 0
    for model in (Bid, BidVersion):
        table = model.__table__
        rows = session.execute(select(table.c.id, table.c.sealed, table.c.nonce)).all()
        for row_id, sealed, nonce in rows:
            session.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(sealed=sealer.rotate(sealed), nonce=sealer.rotate(nonce))
            )
            count += 1
    session.commit()
    session.expire_all()
    return count
