"""Shortage monitoring through the API and the pages: the report form keeps input and shows
errors beside the fields in Chinese; every endpoint against every role and another
organization's objects (problem+json on refusal, nothing changed); the regulator's page lists
shortages by level and activates the backup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from procurement.auth.models import Organization
from procurement.compliance.alerts.models import Alert, AlertKind
from procurement.compliance.services import evaluate_alerts
from procurement.compliance.shortage.models import BackupActivation, ShortageReport
from procurement.contracts.models import Contract, ContractStatus

FEB_11 = datetime(2026, 2, 11, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def world(shortage_world, clock, db_session):
    """A in Hangzhou 330102 (its January report missing from 02-11); C in 330104 reported
    stock 10 for 10 a day (cover 1 day: a county shortage); backup B named for Zhejiang,
    supplying 330106 (reported, plenty)."""
    w = shortage_world(
        supplies={"330102": {"A": 3650}, "330104": {"C": 3650}, "330106": {"B": 3650}},
        makers=["A", "B", "C"],
        backups={"330000": "B"},
    )
    clock.set(FEB_11)
    db_session.add_all(
        ShortageReport(
            manufacturer_id=w.maker_id(maker),
            product_id=w.bids[maker].product_id,
            period="2026-01",
            production=0,
            stock=stock,
            capacity=0,
            reported_at=FEB_11,
            updated_at=FEB_11,
        )
        for maker, stock in (("B", 10**6), ("C", 10))
    )
    db_session.commit()
    evaluate_alerts(db_session, now=clock.now())
    alerts = {a.kind: a for a in db_session.scalars(select(Alert).order_by(Alert.id))}
    w.extra.update(
        missing=alerts[AlertKind.SHORTAGE_REPORT_MISSING], short=alerts[AlertKind.SHORTAGE]
    )
    return w


def _report(world, maker="A", **changes):
    return {
        "product_id": world.bids[maker].product_id,
        "period": "2026-01",
        "production": 1000,
        "stock": 5000,
        "capacity": 2000,
    } | changes


def test_a_manufacturer_reports_and_the_missing_alert_closes(
    client, world, auth_headers, db_session, clock
):
    headers = auth_headers(world.makers["A"])
    duties = client.get("/api/v1/compliance/shortage-duties", headers=headers).get_json()
    assert [(d["period"], d["missing"], d["days_overdue"]) for d in duties["rows"]] == [
        ("2026-01", True, 1)
    ]
    reply = client.post("/api/v1/compliance/shortage-reports", json=_report(world), headers=headers)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    assert (reply.get_json()["stock"], reply.get_json()["period"]) == (5000, "2026-01")
    evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(world.extra["missing"])
    assert world.extra["missing"].status.value == "resolved"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"period": "2026-02"}, "period"), ({"stock": -1}, "stock"), ({"period": "26-1"}, "period")],
)
def test_a_bad_report_is_a_problem_and_stores_nothing(
    client, world, auth_headers, db_session, changes, field
):
    reply = client.post(
        "/api/v1/compliance/shortage-reports",
        json=_report(world, **changes),
        headers=auth_headers(world.makers["A"]),
    )
    assert (reply.status_code, reply.mimetype) == (422, "application/problem+json")
    assert field in reply.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(ShortageReport)) == 2


def test_another_makers_product_is_refused(client, world, auth_headers):
    reply = client.post(
        "/api/v1/compliance/shortage-reports",
        json=_report(world, maker="B"),
        headers=auth_headers(world.makers["A"]),
    )
    assert reply.status_code == 422
    assert "product_id" in reply.get_json()["errors"]


def _reads(world):
    return [
        "/api/v1/compliance/shortage-reports",
        "/api/v1/compliance/shortage-duties",
        "/api/v1/compliance/shortages",
        f"/api/v1/compliance/shortages/{world.extra['short'].id}",
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # reports, duties, shortages, one shortage (subject A: others get 404)
        ("regulator", (200, 403, 200, 200)),
        ("fund", (200, 403, 200, 200)),
        ("hospital", (403, 403, 403, 403)),
        ("manufacturer", (200, 200, 200, 404)),  # another manufacturer
        ("distributor", (403, 403, 403, 403)),
    ],
)
def test_who_may_read_what(client, world, make_user, auth_headers, kind, expected):
    user = make_user(kind=kind, region_code="330102")
    headers = auth_headers(user)
    for url, status in zip(_reads(world), expected, strict=True):
        reply = client.get(url, headers=headers)
        assert reply.status_code == status, url
        if status >= 400:
            assert reply.mimetype == "application/problem+json"
    if kind == "manufacturer":  # sees none of A's shortages or reports
        assert client.get(_reads(world)[0], headers=headers).get_json() == []
        assert client.get(_reads(world)[2], headers=headers).get_json() == []


def test_without_login_everything_is_401(client, world):
    for url in _reads(world):
        assert client.get(url).status_code == 401
    assert (
        client.post("/api/v1/compliance/shortage-reports", json=_report(world)).status_code == 401
    )
    url = f"/api/v1/compliance/shortages/{world.extra['short'].id}/backup"
    assert client.post(url).status_code == 401


@pytest.mark.parametrize(
    "kind", ["fund", "hospital", "manufacturer", "distributor", "regulator-readonly"]
)
def test_only_a_regulator_who_may_write_activates_a_backup(
    client, world, make_user, auth_headers, db_session, kind
):
    if kind == "regulator-readonly":
        user = make_user(kind="regulator", role="viewer", region_code="330000")
    else:
        user = make_user(kind=kind, region_code="330102")
    url = f"/api/v1/compliance/shortages/{world.extra['short'].id}/backup"
    reply = client.post(url, headers=auth_headers(user))
    assert reply.status_code in (403, 404)
    assert reply.mimetype == "application/problem+json"
    assert db_session.scalar(select(func.count()).select_from(BackupActivation)) == 0
    for maker in ("C", "B"):  # the subject and the backup themselves
        reply = client.post(url, headers=auth_headers(world.makers[maker]))
        assert reply.status_code == 403


def test_the_regulator_activates_the_backup_once(
    client, world, regulator, auth_headers, db_session
):
    url = f"/api/v1/compliance/shortages/{world.extra['short'].id}/backup"
    headers = auth_headers(regulator)
    reply = client.post(url, headers=headers)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    (contract_id,) = reply.get_json()["contract_ids"]
    contract = db_session.get(Contract, contract_id)
    assert (contract.manufacturer_id, contract.agreed_volume) == (world.maker_id("B"), 0)
    again = client.post(url, headers=headers)
    assert (again.status_code, again.get_json()["type"].rsplit("/", 1)[1]) == (
        409,
        "backup-already-active",
    )
    missing = f"/api/v1/compliance/shortages/{world.extra['missing'].id}/backup"
    assert client.post(missing, headers=headers).status_code == 409  # not a county shortage
    assert (
        client.post("/api/v1/compliance/shortages/999999/backup", headers=headers).status_code
        == 404
    )


def test_the_regulator_ends_the_backup_supply_with_a_reason(
    client, world, regulator, make_user, auth_headers, db_session, clock
):
    """The backup's contract takes orders while active; ending it needs a reason (a refusal
    changes nothing), ends the contract today, and a second end is a conflict."""
    headers = auth_headers(regulator)
    backup = f"/api/v1/compliance/shortages/{world.extra['short'].id}/backup"
    (contract_id,) = client.post(backup, headers=headers).get_json()["contract_ids"]
    contract = db_session.get(Contract, contract_id)
    buyer = make_user(db_session.get(Organization, contract.hospital_id))
    order = {"lines": [{"contract_id": contract_id, "packs": 1}], "delivery_address": "药库"}
    placed = client.post("/api/v1/orders", json=order, headers=auth_headers(buyer))
    assert placed.status_code == 201, placed.get_json()

    blank = client.post(f"{backup}/end", json={"reason": "  "}, headers=headers)
    assert (blank.status_code, blank.get_json()["type"].rsplit("/", 1)[1]) == (
        422,
        "backup-end-reason",
    )
    assert "reason" in blank.get_json()["errors"]
    db_session.expire_all()
    assert db_session.get(Contract, contract_id).status == ContractStatus.ACTIVE
    assert db_session.scalar(select(BackupActivation.ended_at)) is None

    ended = client.post(f"{backup}/end", json={"reason": "C 已恢复供应"}, headers=headers)
    assert ended.status_code == 200, ended.get_json()
    assert (ended.get_json()["end_reason"], ended.get_json()["contract_ids"]) == (
        "C 已恢复供应",
        [contract_id],
    )
    assert ended.get_json()["ended_at"] is not None
    db_session.expire_all()
    assert db_session.get(Contract, contract_id).status == ContractStatus.ENDED
    refused = client.post("/api/v1/orders", json=order, headers=auth_headers(buyer))
    assert (refused.status_code, refused.mimetype) == (422, "application/problem+json")
    # the order placed before goes on: still listed on the shortage
    case = client.get(backup.removesuffix("/backup"), headers=headers).get_json()
    assert [o["id"] for o in case["orders"]] == [placed.get_json()["id"]]
    again = client.post(f"{backup}/end", json={"reason": "again"}, headers=headers)
    assert (again.status_code, again.get_json()["type"].rsplit("/", 1)[1]) == (
        409,
        "backup-not-active",
    )


@pytest.mark.parametrize("kind", ["fund", "hospital", "manufacturer", "regulator-readonly"])
def test_only_a_regulator_who_may_write_ends_a_backup(
    client, world, regulator, make_user, auth_headers, db_session, kind
):
    backup = f"/api/v1/compliance/shortages/{world.extra['short'].id}/backup"
    assert client.post(backup, headers=auth_headers(regulator)).status_code == 201
    if kind == "regulator-readonly":
        user = make_user(kind="regulator", role="viewer", region_code="330000")
    else:
        user = make_user(kind=kind, region_code="330102")
    for who in (user, world.makers["B"]):  # and the backup supplier itself
        reply = client.post(f"{backup}/end", json={"reason": "x"}, headers=auth_headers(who))
        assert reply.status_code in (403, 404)
        assert reply.mimetype == "application/problem+json"
    assert client.post(f"{backup}/end", json={"reason": "x"}).status_code == 401
    db_session.expire_all()
    assert db_session.scalar(select(BackupActivation.ended_at)) is None


def test_the_end_form_keeps_the_reason_and_shows_the_error_beside_it_in_chinese(
    client, world, regulator, login
):
    login(regulator)
    client.set_cookie("lang", "zh")
    detail = f"/compliance/shortages/{world.extra['short'].id}"
    client.post(f"{detail}/backup")
    assert 'data-testid="end-backup"' in client.get(detail).get_data(as_text=True)
    long = "原因" * 251  # 502 characters
    refused = client.post(f"{detail}/backup/end", data={"reason": long})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'data-testid="end-reason-error"' in html
    assert "1 至 500 个字符" in html
    assert long in html
    done = client.post(f"{detail}/backup/end", data={"reason": "已恢复供应"})
    assert done.status_code == 302
    page = client.get(detail).get_data(as_text=True)
    assert 'data-testid="backup-ended"' in page
    assert "结束原因：已恢复供应" in page
    assert 'data-testid="end-backup"' not in page


def test_shortages_filter_by_level(client, world, regulator, auth_headers):
    headers = auth_headers(regulator)
    rows = client.get("/api/v1/compliance/shortages?level=county", headers=headers).get_json()
    assert {r["id"] for r in rows} == {world.extra["missing"].id, world.extra["short"].id}
    assert client.get("/api/v1/compliance/shortages?level=city", headers=headers).get_json() == []
    bad = client.get("/api/v1/compliance/shortages?level=galaxy", headers=headers)
    assert (bad.status_code, bad.mimetype) == (422, "application/problem+json")


def test_the_report_form_keeps_input_and_shows_errors_beside_fields_in_chinese(
    client, world, login
):
    login(world.makers["A"])
    client.set_cookie("lang", "zh")
    page = client.get("/compliance/shortage-reports")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "短缺" in html
    assert 'data-missing="yes"' in html
    sent = client.post(
        "/compliance/shortage-reports",
        data=_report(world, period="2026-02", stock="-5", production="777"),
    )
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert 'value="777"' in html
    assert 'value="2026-02"' in html
    assert 'id="in-period-error"' in html
    assert 'id="in-stock-error"' in html
    ok = client.post("/compliance/shortage-reports", data=_report(world))
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("kind", "status"),
    [("regulator", 200), ("fund", 200), ("hospital", 403), ("manufacturer", 200)],
)
def test_the_shortage_pages_by_role(client, world, make_user, login, kind, status):
    login(make_user(kind=kind, region_code="330102"))
    assert client.get("/compliance/shortages").status_code == status
    detail = client.get(f"/compliance/shortages/{world.extra['short'].id}").status_code
    assert detail == (404 if kind == "manufacturer" else status)
    assert client.get("/compliance/shortage-reports").status_code == (
        200 if kind == "manufacturer" else 403
    )


def test_the_regulator_page_lists_by_level_and_activates_the_backup(
    client, world, regulator, login
):
    login(regulator)
    client.set_cookie("lang", "zh")
    html = client.get("/compliance/shortages").get_data(as_text=True)
    assert "县级" in html
    assert 'data-level="county"' in html
    detail = f"/compliance/shortages/{world.extra['short'].id}"
    page = client.get(detail).get_data(as_text=True)
    assert 'data-testid="level-history"' in page
    assert 'data-testid="activate-backup"' in page
    done = client.post(f"{detail}/backup")
    assert done.status_code == 302
    assert 'data-testid="backup-active"' in client.get(detail).get_data(as_text=True)


def test_a_listed_product_owes_reports_without_an_award(
    client, shortage_world, regulator, make_user, auth_headers, clock, db_session
):
    """D won nothing; the regulator lists its product on 2026-01-05, so D owes January's
    report (due 02-10) and is missing it on 02-11. Only a regulator may list; all may read."""
    from procurement.catalog.models import Product
    from tests.fixtures.catalog import product_data

    d = make_user(kind="manufacturer", region_code="440103")
    product = Product(
        manufacturer_id=d.organization.id, created_at=clock.now(), **product_data(pack_size=10)
    )
    db_session.add(product)
    db_session.commit()
    body = {"product_id": product.id}
    for kind in ("hospital", "manufacturer", "fund", "distributor"):
        other = make_user(kind=kind, region_code="440103")
        reply = client.post(
            "/api/v1/compliance/shortage-list", json=body, headers=auth_headers(other)
        )
        assert (reply.status_code, reply.mimetype) == (403, "application/problem+json")
    assert client.post("/api/v1/compliance/shortage-list", json=body).status_code == 401
    headers = auth_headers(regulator)
    bad = client.post(
        "/api/v1/compliance/shortage-list", json={"product_id": 999999}, headers=headers
    )
    assert (bad.status_code, bad.mimetype) == (422, "application/problem+json")
    reply = client.post("/api/v1/compliance/shortage-list", json=body, headers=headers)
    assert reply.status_code == 201
    listed = client.get("/api/v1/compliance/shortage-list", headers=auth_headers(d)).get_json()
    assert [e["product_id"] for e in listed] == [product.id]
    clock.set(FEB_11)
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = db_session.scalars(
        select(Alert).where(
            Alert.kind == AlertKind.SHORTAGE_REPORT_MISSING,
            Alert.subject_org_id == d.organization.id,
        )
    )
    assert (alert.facts["period"], alert.lot_id, alert.region_code) == ("2026-01", None, "440103")
