"""A client generated from the OpenAPI document by a standard generator (openapi-python-client)
works against a real server on loopback: the hospital places an order, the manufacturer confirms
and ships it, the hospital accepts the delivery, the fund office accrues the payable and the
manufacturer reads its settlement statement, all through the generated code.

The client is generated once per run from the document the app serves (its CLI, as a user
would run it); the server is the test's app (werkzeug, one request at a time) on the test's
database connection, so the world seeded with the factories is what the client sees.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from werkzeug.serving import make_server

PACKAGE = "procurement_api_client"


@pytest.fixture(scope="session")
def api_client(shared_app, tmp_path_factory):
    """The generated package, imported from a temporary directory."""
    root = tmp_path_factory.mktemp("generated")
    document = root / "openapi.json"
    with shared_app.test_client() as client:
        document.write_text(json.dumps(client.get("/api/v1/openapi.json").get_json()))
    config = root / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter needed to import the code
    command = [
        *("openapi-python-client", "generate", "--path", str(document)),
        *("--output-path", str(root / PACKAGE), "--meta", "none", "--config", str(config)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))


@pytest.fixture
def server_url(app):
    """The test's app served on 127.0.0.1 (one request at a time: one test connection)."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _client(api_client, server_url, auth_headers, user):
    token = auth_headers(user)["Authorization"].removeprefix("Bearer ")
    return api_client.AuthenticatedClient(
        base_url=server_url, token=token, raise_on_unexpected_status=True
    )


def _call(module_name: str, **kwargs):
    """Call a generated operation (``api.<tag>.<operation>.sync_detailed``) and return its
    parsed response, asserting a 2xx status."""
    module = importlib.import_module(f"{PACKAGE}.api.{module_name}")
    response = module.sync_detailed(**kwargs)
    assert 200 <= response.status_code < 300, response.content
    return response


def test_a_generated_client_orders_receives_and_reads_a_statement(
    api_client, server_url, make_contract, fund, auth_headers, clock
):
    models = importlib.import_module(f"{PACKAGE}.models")
    world = make_contract(agreed=2800, unit_price="0.2000", pack_size=28)
    hospital = _client(api_client, server_url, auth_headers, world.hospital)
    maker = _client(api_client, server_url, auth_headers, world.manufacturer)
    fund_office = _client(api_client, server_url, auth_headers, fund)

    order_in = models.OrderIn(lines=[models.LineIn(contract_id=world.contract.id, packs=10)])
    placed = _call(
        "orders.post_api_v1_orders", client=hospital, body=order_in, idempotency_key="erp-1"
    )
    assert placed.status_code == 201
    order = placed.parsed
    assert isinstance(order, models.PlacedOrder)
    assert order.total_amount == "56.00"  # 10 packs x 28 tablets x 0.2000
    assert [(line.packs, line.quantity) for line in order.lines] == [(10, 280)]
    again = _call(
        "orders.post_api_v1_orders", client=hospital, body=order_in, idempotency_key="erp-1"
    )
    assert (again.status_code, again.parsed.id) == (200, order.id)  # a retry places nothing

    confirmed = _call(
        "orders.post_api_v1_orders_order_id_confirm", client=maker, order_id=order.id
    ).parsed
    assert confirmed.status == models.OrderStatus.CONFIRMED
    today = clock.now().date()
    ship_in = models.ShipmentIn(
        lines=[
            models.ShipLineIn(
                order_line_id=confirmed.lines[0].id,
                quantity=280,
                batch_no="B2026-7",
                production_date=today - timedelta(days=30),
                expiry_date=today + timedelta(days=700),
            )
        ]
    )
    shipment = _call(
        "orders.post_api_v1_orders_order_id_shipments",
        client=maker,
        order_id=order.id,
        body=ship_in,
    ).parsed
    assert [(line.quantity, line.batch_no) for line in shipment.lines] == [(280, "B2026-7")]

    receipt_in = models.ReceiptIn(
        lines=[models.ReceiveLineIn(shipment_line_id=shipment.lines[0].id, accepted_quantity=280)]
    )
    receipt = _call(
        "orders.post_api_v1_shipments_shipment_id_receipt",
        client=hospital,
        shipment_id=shipment.id,
        body=receipt_in,
        idempotency_key="dock-1",
    ).parsed
    assert [(line.accepted_quantity, Decimal(line.unit_price)) for line in receipt.lines] == [
        (280, Decimal("0.2"))
    ]

    _call("settlement.post_api_v1_settlement_payables_accrue", client=fund_office)
    statement = _call(
        "settlement.get_api_v1_settlement_statements",
        client=maker,
        party_id=world.manufacturer.organization.id,
        from_=date(2026, 1, 1),
        to=today,
    ).parsed
    assert isinstance(statement, models.Statement)
    assert statement.party_kind == "manufacturer"
    summary = statement.summary.to_dict()
    assert (summary["receivables_accrued"], summary["payables_accrued"]) == ("56.00", 1)
    assert (summary["payments"], summary["outstanding_at_end"]) == ("0.00", "56.00")
