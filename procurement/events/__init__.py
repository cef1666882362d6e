"""Business events and webhooks: an outbox written in the same transaction as each business
change (``services.outbox.record_event``), organizations' subscriptions of HTTPS endpoints to
event types, and signed deliveries (Standard Webhooks) retried with exponential backoff."""
