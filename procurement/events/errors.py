"""The problems the events area refuses requests with (see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed


class SubscriptionNotFound(NotFound):
    code = "webhook-subscription-not-found"
    title = N_("Webhook subscription not found")
    when = N_("A webhook subscription that does not exist, or is another organization's.")
    template = N_("There is no webhook subscription {subscription_id} of your organization.")


class DeliveryNotFound(NotFound):
    code = "webhook-delivery-not-found"
    title = N_("Webhook delivery not found")
    when = N_("A webhook delivery that does not exist, or is another organization's.")
    template = N_("There is no webhook delivery {delivery_id} of your organization.")


class WebhooksAdminOnly(Forbidden):
    code = "webhooks-admin-only"
    title = N_("Only an admin manages webhooks")
    when = N_("A user who is not an admin of the organization manages its webhooks.")
    template = N_("Only an admin of your organization may {action}.")


class BadSubscription(ValidationFailed):
    code = "bad-webhook-subscription"
    title = N_("The webhook subscription is not valid")
    when = N_("A subscription's endpoint address or event types are not valid.")
    template = N_("Correct the endpoint address or the event types.")


class SubscriptionDisabled(Conflict):
    code = "webhook-subscription-disabled"
    title = N_("The webhook subscription is disabled")
    when = N_("Replaying a delivery of a disabled subscription.")
    template = N_("Enable webhook subscription {subscription_id} before replaying its deliveries.")


class DeliveryPending(Conflict):
    code = "webhook-delivery-pending"
    title = N_("The delivery is still being attempted")
    when = N_("Replaying a delivery that is already waiting for an attempt.")
    template = N_("Delivery {delivery_id} is already waiting for its next attempt.")


class DeliveryAttemptFailed(Conflict):
    code = "webhook-attempt-failed"
    title = N_("The webhook endpoint did not accept the delivery")
    when = N_("An endpoint answered a delivery attempt with an error or did not answer.")
    template = N_("Attempt {number} of delivery {delivery_id} failed: {error}")
