"""API: an organization's webhook subscriptions (its admin), their deliveries and replays."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from procurement.events import schemas as s
from procurement.events.services import delivering, subscriptions
from procurement.web.api import Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("events", __name__, description="Webhooks: subscriptions, deliveries, replays")


def _loopback() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK_HTTP"))


def _issued(issued: subscriptions.Issued):
    shown = s.SubscriptionSchema().fields
    return {**{name: getattr(issued.subscription, name) for name in shown}, "secret": issued.secret}


@blp.route("/webhooks/subscriptions")
class Subscriptions(MethodView):
    @blp.response(200, s.SubscriptionSchema(many=True))
    def get(self):
        """Your organization's webhook subscriptions (its admin)."""
        return subscriptions.list_subscriptions(get_session(), actor=api_actor())

    @blp.arguments(s.SubscriptionCreateSchema)
    @blp.response(201, s.IssuedSubscriptionSchema)
    def post(self, data):
        """Subscribe an https endpoint to event types; the answer shows its secret once."""
        issued = subscriptions.create_subscription(
            get_session(), allow_loopback_http=_loopback(), now=now(), actor=api_actor(), **data
        )
        return _issued(issued)


@blp.route("/webhooks/subscriptions/<int(max=9223372036854775807):subscription_id>")
class SubscriptionById(MethodView):
    @blp.response(200, s.SubscriptionSchema)
    def get(self, subscription_id):
        """One of your organization's webhook subscriptions."""
        return subscriptions.get_subscription(
            get_session(), subscription_id=subscription_id, actor=api_actor()
        )

    @blp.arguments(s.SubscriptionUpdateSchema)
    @blp.response(200, s.SubscriptionSchema)
    def patch(self, data, subscription_id):
        """Change a subscription's address, types or description; disable or enable it."""
        return subscriptions.update_subscription(
            get_session(),
            subscription_id=subscription_id,
            changes=data,
            allow_loopback_http=_loopback(),
            now=now(),
            actor=api_actor(),
        )


@blp.route("/webhooks/subscriptions/<int(max=9223372036854775807):subscription_id>/secret")
class SubscriptionSecret(MethodView):
    @blp.response(200, s.IssuedSubscriptionSchema)
    def post(self, subscription_id):
        """Rotate the signing secret (shown once); the old one signs too for 24 hours."""
        issued = subscriptions.rotate_secret(
            get_session(), subscription_id=subscription_id, now=now(), actor=api_actor()
        )
        return _issued(issued)


@blp.route("/webhooks/subscriptions/<int(max=9223372036854775807):subscription_id>/deliveries")
class SubscriptionDeliveries(MethodView):
    @blp.response(200, s.DeliverySchema(many=True))
    def get(self, subscription_id):
        """A subscription's latest deliveries with their attempts, newest first."""
        return subscriptions.list_deliveries(
            get_session(), subscription_id=subscription_id, actor=api_actor()
        )


@blp.route("/webhooks/deliveries/<int(max=9223372036854775807):delivery_id>")
class DeliveryById(MethodView):
    @blp.response(200, s.DeliverySchema)
    def get(self, delivery_id):
        """One delivery and its attempts (status code, response time, error, next attempt)."""
        return subscriptions.load_delivery(get_session(), delivery_id, api_actor())


@blp.route("/webhooks/deliveries/<int(max=9223372036854775807):delivery_id>/replay")
class DeliveryReplay(MethodView):
    @blp.response(200, s.DeliverySchema)
    def post(self, delivery_id):
        """Send a delivered or failed delivery again (attempted at once)."""
        return delivering.replay_delivery(
            get_session(), delivery_id=delivery_id, now=now(), actor=api_actor()
        )
