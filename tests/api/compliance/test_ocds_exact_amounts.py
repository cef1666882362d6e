"""The OCDS export writes every amount as its exact decimal text: a JSON number (the standard
asks for one) with the stored digits, never a float's nearest double."""

from __future__ import annotations

import json
from decimal import Decimal

from procurement.settlement.services import accrue_payables, start_run
from procurement.web.api import exact_json


def test_exact_json_writes_decimals_as_their_own_digits(app):
    big = Decimal("12345678901234567.89")  # as a float: 1.2345678901234568e+16
    with app.app_context():
        reply = exact_json(
            {"value": {"amount": big, "currency": "CNY"}, "price": Decimal("0.2000")}
        )
    assert reply.mimetype == "application/json"
    assert reply.get_data(as_text=True) == (
        '{"price":0.2000,"value":{"amount":12345678901234567.89,"currency":"CNY"}}\n'
    )


def test_the_ocds_package_carries_amounts_and_prices_as_exact_numbers(
    client, db_session, clock, comp_world, deliver, make_actor
):
    world = comp_world(hospitals=2, lots=2, agreed=1000)
    deliver(world, world.contract(0, 0), 200)
    fund = make_actor("fund", region_code="310000")
    accrue_payables(db_session, now=clock.now(), actor=fund)
    start_run(
        db_session, cut_off=clock.now().date(), idempotency_key="ocds", now=clock.now(), actor=fund
    )
    reply = client.get(f"/api/v1/tenders/{world.tender.id}/ocds")
    assert reply.status_code == 200
    text = reply.get_data(as_text=True)
    # 200 tablets x 0.2000 = 40.00 paid by the fund; the contract's unit price as stored
    assert '"value":{"amount":40.00,"currency":"CNY"}' in text
    assert '"value":{"amount":0.2000,"currency":"CNY"}' in text
    package = json.loads(text, parse_float=Decimal)
    release = next(
        r for r in package["releases"] if r["tender"]["items"][0]["id"] == world.lots[0].code
    )
    paid = [c for c in release["contracts"] if "implementation" in c]
    amounts = [t["value"]["amount"] for t in paid[0]["implementation"]["transactions"]]
    assert [str(a) for a in amounts] == ["40.00"]
