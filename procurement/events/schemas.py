"""Wire formats of webhook subscriptions, deliveries and their attempts."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.events import rules
from procurement.events.types import EventType
from procurement.web.api import Schema

EVENT_TYPES = [t.value for t in EventType]


def _event_types(**kwargs):
    return fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"description": "Event types to receive: " + ", ".join(EVENT_TYPES)},
        **kwargs,
    )


class SubscriptionCreateSchema(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=rules.URL_MAX_LENGTH),
        metadata={"description": "The endpoint's https:// address"},
    )
    event_types = _event_types(required=True)
    description = fields.String(
        load_default="", validate=validate.Length(max=rules.DESCRIPTION_MAX_LENGTH)
    )


class SubscriptionUpdateSchema(Schema):
    url = fields.String(validate=validate.Length(min=1, max=rules.URL_MAX_LENGTH))
    event_types = _event_types()
    description = fields.String(validate=validate.Length(max=rules.DESCRIPTION_MAX_LENGTH))
    active = fields.Boolean(
        metadata={"description": "false disables; true enables again (failures count afresh)"}
    )


class SubscriptionSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String()
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)))
    active = fields.Boolean()
    disabled_for_failures = fields.Boolean()
    consecutive_failures = fields.Integer()
    disabled_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    secret_rotated_at = fields.DateTime(allow_none=True)


class IssuedSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(
        metadata={"description": "The signing secret (whsec_...); shown only in this answer"}
    )


class AttemptSchema(Schema):
    number = fields.Integer()
    attempted_at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    response_ms = fields.Integer()
    succeeded = fields.Boolean()
    error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)


class DeliverySchema(Schema):
    id = fields.Integer()
    subscription_id = fields.Integer()
    event_id = fields.Integer()
    event_type = fields.Function(
        lambda d: d.event.type.value, metadata={"enum": EVENT_TYPES, "type": "string"}
    )
    status = fields.Function(
        lambda d: d.status.value,
        metadata={"enum": ["pending", "delivered", "failed"], "type": "string"},
    )
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    log = fields.List(fields.Nested(AttemptSchema))
