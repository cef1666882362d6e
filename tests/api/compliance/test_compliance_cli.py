"""``procurement compliance check`` imports credit events and evaluates alerts."""

from __future__ import annotations

from sqlalchemy import select

from procurement.cli import cli
from procurement.compliance.alerts.models import Alert
from procurement.compliance.credit.models import CreditEvent
from procurement.orders import services as orders


def test_compliance_check_command_raises_alerts_and_credit_events(
    runner, db_session, clock, comp_world
):
    world = comp_world(hospitals=1)
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=5, contract_id=world.contract(0).id)]
        ),
        now=clock.now(),
        actor=world.h(0),
    )
    orders.reject_order(
        db_session, order_id=placed.order_id, reason="no stock", now=clock.now(), actor=world.m
    )
    result = runner.invoke(cli, args=["compliance", "check"])
    assert result.exit_code == 0, result.output
    assert "credit events 1" in result.output
    assert db_session.scalar(select(CreditEvent.kind)).value == "order_rejected_or_unconfirmed"
    kinds = {a.kind.value for a in db_session.scalars(select(Alert))}
    assert "rejected_orders" in kinds
