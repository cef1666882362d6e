"""Standard Webhooks signatures (https://www.standardwebhooks.com): the headers
``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``; one per live secret, space-separated),
computed by the ``standardwebhooks`` library."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from math import floor

from standardwebhooks.webhooks import Webhook


def signed_headers(
    message_id: str, when: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    """The headers of one attempt, signed with every secret in ``secrets`` (the current one
    first; the previous one too while a rotation overlaps)."""
    signatures = " ".join(Webhook(secret).sign(message_id, when, body) for secret in secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(when.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }
