"""Use cases of the events area (see the modules: outbox, subscriptions, delivering)."""

from procurement.events.services.outbox import api_link, record_event

__all__ = ["api_link", "record_event"]
