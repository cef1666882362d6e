"""The keys of the audit chain: each event's hash is an HMAC-SHA256 under one of ``AUDIT_KEYS``.

``AUDIT_KEYS`` is a list of secrets, newest first (like ``BID_SEAL_KEYS``): new events are
signed with the newest; an event records the id of the key that signed it (a fingerprint, never
the key), so after a rotation the old events still verify as long as their key stays in the
list. Without the key, someone who can write to the database can no longer recompute the chain.

The process uses the keyring its app installed (``create_app`` calls :func:`install`); a
process that records events without an app (a script, a test) uses the keys the app would.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

MIN_KEY_LENGTH = 32  # characters of an AUDIT_KEYS entry: secrets.token_urlsafe(32) gives 43
KEY_ID_LENGTH = 16  # hex characters of the key id stored with each event
_KEY_ID_LABEL = b"procurement audit key id v1"


class AuditKeyError(RuntimeError):
    """The audit keys cannot be used; the message says what to set."""


def key_id(secret: str) -> str:
    """The public fingerprint of a key: the first hex digits of its HMAC over a fixed label."""
    return hmac.new(secret.encode(), _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:KEY_ID_LENGTH]


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes = b""

    def sign(self, text: str) -> str:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never print the secret
        return f"AuditKey({self.id})"


class Keyring:
    """The configured keys, newest first: sign with the newest, verify with the one named."""

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise AuditKeyError("at least one audit key is needed (AUDIT_KEYS)")
        short = [i for i, s in enumerate(secrets) if len(str(s)) < MIN_KEY_LENGTH]
        if short:
            raise AuditKeyError(
                f"AUDIT_KEYS entries must have at least {MIN_KEY_LENGTH} characters "
                f"(MIN_KEY_LENGTH); entry {short[0]} is shorter"
            )
        self.keys = tuple(AuditKey(key_id(str(s)), str(s).encode()) for s in secrets)
        self._by_id = {key.id: key for key in reversed(self.keys)}

    @property
    def newest(self) -> AuditKey:
        return self.keys[0]

    def find(self, id_: str) -> AuditKey | None:
        return self._by_id.get(id_)

    def __repr__(self) -> str:
        return f"Keyring({', '.join(key.id for key in self.keys)})"


_installed: Keyring | None = None


def install(keyring: Keyring) -> None:
    """Make ``keyring`` the process's audit keys (``create_app`` does, from ``AUDIT_KEYS``)."""
    global _installed
    _installed = keyring


def current() -> Keyring:
    """The installed keyring; without an app, the one the app would install (settings plus the
    instance folder's generated key outside production)."""
    if _installed is None:
        from procurement import settings

        install(Keyring(settings.audit_keys_outside_an_app()))
    assert _installed is not None
    return _installed
