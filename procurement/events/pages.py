"""Pages: an organization's webhooks under its account (its admin): subscribe an endpoint (the
secret shown once), see each subscription's deliveries and attempts, replay one, rotate the
secret, disable or enable; a notice when a subscription was disabled for failing."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from procurement.core.errors import DomainError
from procurement.events import runtime
from procurement.events.schemas import SubscriptionCreateSchema
from procurement.events.services import delivering, subscriptions
from procurement.events.types import EventType
from procurement.web.auth import page_actor
from procurement.web.forms import PageForm
from procurement.web.session import get_session, now

bp = Blueprint("events_pages", __name__, template_folder="templates")


@bp.record_once
def _install(state) -> None:
    """The app's delivery settings reach the deliveries (they run outside requests too)."""
    config = state.app.config
    runtime.install(
        allow_loopback_http=bool(config.get("WEBHOOKS_ALLOW_LOOPBACK_HTTP")),
        timeout_seconds=float(config.get("WEBHOOKS_TIMEOUT_SECONDS") or 10),
    )


@bp.app_context_processor
def _webhook_notice():
    """``webhooks_disabled()``: how many of the admin's organization's subscriptions were
    disabled for failing (the notice on its pages)."""

    def webhooks_disabled() -> int:
        if not current_user.is_authenticated or current_user.actor.role.value != "admin":
            return 0
        try:
            return subscriptions.disabled_count(get_session(), org_id=current_user.actor.org_id)
        except SQLAlchemyError:  # an error page after a failed transaction: no notice then
            return 0

    return {"webhooks_disabled": webhooks_disabled}


def _no_store(page, status: int = 200):
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/account/webhooks", methods=["GET", "POST"])
@login_required
def webhooks():
    """Your organization's subscriptions, and a form to subscribe an endpoint."""
    actor = page_actor()
    form = PageForm(SubscriptionCreateSchema())
    secret = None
    if form.submitted and form.validate():
        try:
            issued = subscriptions.create_subscription(
                get_session(),
                allow_loopback_http=bool(current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK_HTTP")),
                now=now(),
                actor=actor,
                **form.data,
            )
            secret, form = issued.secret, PageForm(SubscriptionCreateSchema(), {})
        except DomainError as error:
            form.refuse(error)
    listed = subscriptions.list_subscriptions(get_session(), actor=actor)
    status = 201 if secret else form.status
    page = render_template(
        "events/webhooks.html",
        subscriptions=listed,
        form=form,
        types=list(EventType),
        secret=secret,
    )
    return _no_store(page, status)


@bp.get("/account/webhooks/<int(max=9223372036854775807):subscription_id>")
@login_required
def subscription(subscription_id: int, secret: str | None = None, status: int = 200):
    """One subscription: its settings and its latest deliveries with every attempt."""
    session, actor = get_session(), page_actor()
    found = subscriptions.get_subscription(session, subscription_id=subscription_id, actor=actor)
    deliveries = subscriptions.list_deliveries(
        session, subscription_id=subscription_id, actor=actor
    )
    page = render_template(
        "events/subscription.html",
        subscription=found,
        deliveries=deliveries,
        secret=secret,
        event_type=EventType,
    )
    return _no_store(page, status)


@bp.post("/account/webhooks/<int(max=9223372036854775807):subscription_id>/secret")
@login_required
def rotate(subscription_id: int):
    """Rotate the secret and show the new one once."""
    issued = subscriptions.rotate_secret(
        get_session(), subscription_id=subscription_id, now=now(), actor=page_actor()
    )
    return subscription(subscription_id, secret=issued.secret)


@bp.post("/account/webhooks/<int(max=9223372036854775807):subscription_id>/active")
@login_required
def toggle(subscription_id: int):
    """Disable an active subscription, or enable a disabled one."""
    session, actor = get_session(), page_actor()
    found = subscriptions.get_subscription(session, subscription_id=subscription_id, actor=actor)
    subscriptions.update_subscription(
        session,
        subscription_id=subscription_id,
        changes={"active": not found.active},
        allow_loopback_http=True,  # the address is unchanged: it was checked when it was set
        now=now(),
        actor=actor,
    )
    flash(_("Subscription enabled.") if found.active else _("Subscription disabled."), "success")
    return redirect(url_for(".subscription", subscription_id=subscription_id), code=303)


@bp.post("/account/webhooks/deliveries/<int(max=9223372036854775807):delivery_id>/replay")
@login_required
def replay(delivery_id: int):
    """Send one delivery again; back to its subscription's page."""
    session, actor = get_session(), page_actor()
    delivery = subscriptions.load_delivery(session, delivery_id, actor)
    back = url_for(".subscription", subscription_id=delivery.subscription_id)
    try:
        delivering.replay_delivery(session, delivery_id=delivery_id, now=now(), actor=actor)
    except DomainError as error:
        session.rollback()
        flash(error.detail, "error")
        return redirect(back, code=303)
    flash(_("Delivery sent again; its attempt is in the log below."), "success")
    return redirect(back, code=303)
