"""Sealing bid content at rest (Fernet) and the commitment digest of the bidder's receipt.

Keys: ``BID_SEAL_KEYS`` is a list of Fernet keys, newest first. Sealing always uses the newest;
unsealing tries each (``MultiFernet``), so a new key can be put in front and old blobs are
re-encrypted later with ``procurement bids rotate-seal-key``. Outside production a missing list
is filled from a key generated once into the instance folder (``settings.fill_instance_keys``),
never derived from ``SECRET_KEY``: a copied database does not open elsewhere. Production refuses
to start without explicit keys (settings.validate).

Commitment: ``digest = sha256(nonce + ":" + canonical_json(content))`` where content is
``{"capacity", "note", "price_per_pack", "regions"}`` (sorted keys, compact separators,
regions sorted, price a plain decimal string) and ``nonce`` 32 random bytes as hex. The nonce
is sealed as well: with the digest and a plaintext nonce a database reader could try prices.
Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from procurement.core.money import UNIT_PRICE_DECIMALS, fixed


class SealError(Exception):
    """A sealed blob cannot be opened with the configured keys."""


@dataclass(frozen=True)
class BidContent:
    """What the seal hides until opening."""

    price_per_pack: Decimal
    capacity: int
    regions: tuple[str, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "price_per_pack": fixed(self.price_per_pack, UNIT_PRICE_DECIMALS),
            "capacity": self.capacity,
            "regions": sorted(self.regions),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BidContent:
        return cls(
            price_per_pack=Decimal(str(data["price_per_pack"])),
            capacity=int(data["capacity"]),
            regions=tuple(sorted(data["regions"])),
            note=str(data.get("note") or ""),
        )


def canonical_json(content: BidContent) -> str:
    return json.dumps(content.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def new_nonce() -> str:
    return secrets.token_hex(32)


def commitment(content: BidContent, nonce: str) -> str:
    """The receipt digest: SHA-256 hex over the nonce and the canonical content JSON."""
    return hashlib.sha256(f"{nonce}:{canonical_json(content)}".encode()).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.strip().lower().encode(), b.strip().lower().encode())


class Sealer:
    """Encrypts with the newest key, decrypts with any configured key."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise ValueError("at least one seal key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def unseal(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise SealError(
                "a sealed bid cannot be decrypted with the configured BID_SEAL_KEYS; "
                "put the key it was sealed with back in the list"
            ) from None

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt ``token`` with the newest key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise SealError("a sealed bid was sealed with a key no longer configured") from None

    def seal_content(self, content: BidContent) -> bytes:
        return self.seal(canonical_json(content).encode())

    def unseal_content(self, token: bytes) -> BidContent:
        return BidContent.from_dict(json.loads(self.unseal(token)))

    def seal_nonce(self, nonce: str) -> bytes:
        return self.seal(nonce.encode())

    def unseal_nonce(self, token: bytes) -> str:
        return self.unseal(token).decode()


def sealer_from_settings(settings: Mapping[str, Any]) -> Sealer:
    """The Sealer of an app's settings: BID_SEAL_KEYS (outside production ``create_app`` fills
    them from the instance folder's generated key)."""
    keys = list(settings.get("BID_SEAL_KEYS") or [])
    if not keys:
        raise SealError("no BID_SEAL_KEYS: set them (a JSON list of Fernet keys, newest first)")
    return Sealer(keys)
