"""Issue 18's journey in Chinese, in a real browser: a distributor uploads a shipment's code file;
the hospital, on a phone (390 px), is sent from the old receiving form to the scan page, types
the codes (one twice: refused beside the field) and accepts 3 of the 4 boxes (the fourth
rejected with a reason); it dispenses one box; a second hospital "receives" that code (refused,
and the regulator's alerts page names both hospitals); January's reconciliation is issued, the
distributor records its invoice, hospital and manufacturer confirm it; the fund's run pays the
manufacturer exactly the coded, confirmed boxes.

Figures by hand: 0.2000 yuan a unit, 28 units a box, so a box is 5.60 yuan; 3 boxes accepted by
scan: 84 units, 3 x 5.60 = 16.80 yuan paid."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from procurement.auth.models import Organization, User
from procurement.auth.services import actor_of
from procurement.orders import services as orders
from procurement.settlement.services import monthly_reconciliation as recon
from procurement.trace import services as trace
from tests.fixtures.orders import build_contract
from tests.fixtures.reconciliation import RECONCILED

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PREFIX, OTHER_PREFIX = "8765411", "8765412"  # the live database is shared: prefixes of its own
SHOTS = Path("/tmp/trace-journey")
FEBRUARY_1 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def _order(session, now, contract, hospital, shipper, packs, batch) -> int:
    request = orders.OrderRequest(lines=[orders.LineRequest(packs=packs, contract_id=contract)])
    oid = orders.place_order(session, request=request, now=now, actor=hospital).order_id
    orders.confirm_order(session, order_id=oid, now=now, actor=shipper)
    line = orders.get_order(session, order_id=oid, now=now, actor=shipper).lines[0]
    made = now.date() - timedelta(days=20)
    ship = orders.ShipLine(line.id, line.quantity, batch, made, made + timedelta(days=600))
    return orders.create_shipment(session, order_id=oid, lines=[ship], now=now, actor=shipper).id


def seed(live_db, live_clock, users) -> tuple[int, int]:
    """Hospital H's contract (reconciliation on) supplied through the appointed distributor: 4
    boxes shipped; hospital O's contract with the same manufacturer: 1 box shipped. Returns
    the two shipments' ids."""
    now = live_clock.now()
    with live_db() as session:
        org = {
            key: session.query(Organization).filter_by(code=u.org_code).one()
            for key, u in users.items()
        }
        actor = {key: actor_of(session.get(User, u.user_id)) for key, u in users.items()}
        contracts = [
            build_contract(
                session,
                now,
                hospital_org=org[hospital],
                manufacturer_org=org["maker"],
                regulator_org=org["regulator"],
                agreed=2800,
                rules_snapshot=RECONCILED,
                generic=generic,
            )
            for hospital, generic in (("hospital", "阿托伐他汀钙"), ("other", "瑞舒伐他汀钙"))
        ]
        session.commit()
        for contract, prefix in zip(contracts, (PREFIX, OTHER_PREFIX), strict=True):
            trace.register_formats(
                session,
                product_id=contract.product_id,
                prefix=prefix,
                gtin=None,
                pattern=None,
                now=now,
                actor=actor["maker"],
            )
        orders.appoint_distributor(
            session,
            request=orders.AppointmentRequest(
                distributor_code=users["distributor"].org_code,
                region_code="310000",
                contract_id=contracts[0].id,
            ),
            now=now,
            actor=actor["maker"],
        )
        mine = _order(
            session, now, contracts[0].id, actor["hospital"], actor["distributor"], 4, "TJ2601"
        )
        theirs = _order(session, now, contracts[1].id, actor["other"], actor["maker"], 1, "RS2601")
        return mine, theirs


def _type(page, code: str) -> None:
    field = page.locator("#code")
    field.fill(code)
    field.press("Enter")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width} px wide on a 390 px screen"


def test_codes_from_shipment_to_patient_then_reconciled_and_paid(
    browser, live_server, live_db, live_clock, live_user, log_in, tmp_path
):
    users = {
        "hospital": live_user("hospital", region_code="310101"),
        "other": live_user("hospital", region_code="310101"),
        "maker": live_user("manufacturer", region_code="320000"),
        "distributor": live_user("distributor", region_code="310000"),
        "regulator": live_user("regulator"),
        "fund": live_user("fund"),
    }
    sid, other_sid = seed(live_db, live_clock, users)
    codes = [f"{PREFIX}{n:013d}" for n in (31, 32, 33, 34)]

    def open_as(key: str, viewport=DESKTOP):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            viewport=viewport,
            is_mobile=viewport is PHONE,
        )
        page = context.new_page()
        log_in(page, users[key])
        page.goto("/?lang=zh")
        return page

    # The distributor uploads the line's code file on the shipment's page.
    d = open_as("distributor")
    d.goto(f"/supplier/shipments/{sid}")
    with d.expect_navigation():
        d.get_by_test_id("trace-codes").click()
    upload = tmp_path / "codes.csv"
    upload.write_text("code\n" + "\n".join(codes) + "\n")
    form = d.locator("form[data-testid^=codes-form-]")
    form.locator("input[type=file]").set_input_files(str(upload))
    with d.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "4 盒，0 箱" in d.locator("[data-testid^=coded-]").inner_text()
    _shot(d, "1-distributor-codes-stored-1366")

    # The hospital opens the old receiving form: a coded delivery is received by scan.
    h = open_as("hospital", PHONE)
    h.goto(f"/hospital/shipments/{sid}/receive")
    assert h.url.endswith(f"/hospital/shipments/{sid}/scan")
    assert "此批配送带有追溯码：请扫码验收" in h.locator(".flash").inner_text()
    scanned = h.locator("[data-testid^=scanned-]")
    _type(h, codes[0])
    expect(scanned).to_contain_text("1 / 4")
    _type(h, codes[1])
    expect(scanned).to_contain_text("2 / 4")
    _type(h, codes[0])  # typed twice: refused beside the field, the count unchanged
    error = h.get_by_test_id("code-error")
    error.wait_for()
    assert codes[0] in error.inner_text()
    assert "已扫描" in error.inner_text()
    expect(scanned).to_contain_text("2 / 4")
    _fits(h)
    _shot(h, "2-hospital-code-twice-refused-390")
    _type(h, codes[2])
    expect(scanned).to_contain_text("3 / 4")
    h.locator("[data-testid^=reject-reason-]").fill("1 盒外包装破损")
    _shot(h, "3-hospital-three-scanned-390")
    with h.expect_navigation():
        h.get_by_test_id("accept").click()
    assert h.url.endswith(f"/hospital/shipments/{sid}")
    _fits(h)
    _shot(h, "4-hospital-received-390")

    h.goto("/trace/dispensing")
    h.locator("#codes").fill(codes[0])
    with h.expect_navigation():
        h.locator("[data-testid=dispense-form] button[type=submit]").click()
    assert "1" in h.get_by_test_id("dispense-result").inner_text()

    # A second hospital "receives" the same box: refused, and an alert for the regulator.
    o = open_as("other", PHONE)
    o.goto(f"/hospital/shipments/{other_sid}/scan")
    _type(o, codes[0])
    o.get_by_test_id("code-error").wait_for()
    assert "此前已收货" in o.get_by_test_id("code-error").inner_text()
    _shot(o, "5-second-hospital-refused-390")
    r = open_as("regulator")
    r.goto("/trace/alerts")
    row = r.get_by_test_id("alerts").locator("tr", has_text=codes[0])
    assert "重复收货" in row.inner_text()
    assert users["hospital"].org_name in row.inner_text()
    assert users["other"].org_name in row.inner_text()
    _shot(r, "6-regulator-alerts-1366")

    # January's reconciliation: issued, invoiced by the distributor, confirmed by both sides.
    live_clock.set(FEBRUARY_1)
    with live_db() as session:
        fund = actor_of(session.get(User, users["fund"].user_id))
        issued = recon.issue_month(
            session, month=date(2026, 1, 1), now=live_clock.now(), actor=fund
        )
        (rec,) = [x for x in issued if x.hospital.code == users["hospital"].org_code]
        rec_id, receipt_line = rec.id, rec.lines[0].receipt_line_id
        assert (rec.lines[0].quantity, str(rec.lines[0].amount)) == (84, "16.80")
    d.goto("/settlement/invoices")
    form = d.get_by_test_id("invoice-form")
    form.locator("[name=number]").fill("JS-TJ-0001")
    form.locator("[name=issued_on]").fill("2026-02-01")
    form.locator("[name=recipient_id]").select_option(label=users["hospital"].org_name)
    form.locator("[name='lines.0.receipt_line_id']").select_option(value=str(receipt_line))
    form.locator("[name='lines.0.quantity']").fill("84")
    form.locator("[name='lines.0.amount']").fill("16.80")
    form.locator("[name=amount]").fill("16.80")
    with d.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "JS-TJ-0001" in d.get_by_test_id("invoices").inner_text()
    for key, viewport in (("hospital", PHONE), ("maker", DESKTOP)):
        page = h if key == "hospital" else open_as(key, viewport)
        page.goto(f"/settlement/reconciliations/{rec_id}")
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            page.get_by_test_id("confirm").click()
    status = page.get_by_test_id("reconciliation-status")
    assert status.get_attribute("data-status") == "confirmed"
    line = page.locator("[data-testid=reconciliation-lines] tr[data-line]")
    assert line.get_attribute("data-held") == ""
    assert "¥16.80" in line.inner_text().replace("￥", "¥")
    _shot(page, "7-reconciliation-confirmed-1366")

    # The fund's run pays the manufacturer the 3 coded, confirmed boxes: 16.80.
    f = open_as("fund")
    f.goto("/fund/runs")
    start = f.get_by_test_id("start-run")
    start.locator("input[name=cut_off]").fill("2026-02-01")
    f.once("dialog", lambda dialog: dialog.accept())
    with f.expect_navigation():
        start.locator("button[type=submit]").click()
    assert f.get_by_test_id("status").inner_text() == "已完成"
    paid = f.get_by_test_id("payments").locator("tr", has_text=users["maker"].org_name)
    cells = [c.strip() for c in paid.locator("td").all_inner_texts()]
    assert cells[2:] == ["1", "¥16.80"], cells
    _shot(f, "8-fund-run-paid-1366")
