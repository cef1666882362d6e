"""Standard Webhooks signatures: HMAC-SHA256 over "id.timestamp.body" with the secret's bytes,
checked against the standard library's HMAC."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from procurement.events.signing import signed_headers

# The Standard Webhooks specification's example secret.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 1767603600


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body():
    body = '{"type":"order.placed"}'
    headers = signed_headers("evt_7", WHEN, body, [SECRET])
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, b'evt_7.1767603600.{"type":"order.placed"}', hashlib.sha256).digest()
    assert headers["webhook-id"] == "evt_7"
    assert headers["webhook-timestamp"] == "1767603600"
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()


def test_two_live_secrets_give_two_space_separated_signatures():
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    both = signed_headers("evt_7", WHEN, "{}", [SECRET, other])["webhook-signature"].split(" ")
    assert both == [
        signed_headers("evt_7", WHEN, "{}", [SECRET])["webhook-signature"],
        signed_headers("evt_7", WHEN, "{}", [other])["webhook-signature"],
    ]
