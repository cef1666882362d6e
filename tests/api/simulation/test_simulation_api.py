"""Simulation API: the run on a tender and on an uploaded file (hand-computed, see
tests/service/simulation/test_simulation.py for the tender's numbers), problem+json refusals,
and the authorization matrix of every endpoint."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from procurement.simulation.models import Simulation
from tests.service.simulation.test_simulation import PRICES

PROBLEM = "application/problem+json"
VARIANTS = {"variants": [{"preset": "national-2025"}, {"preset": "national-2021"}]}


@pytest.fixture
def world(award_setup, make_user, auth_headers, make_tender):
    setup = award_setup(prices=PRICES)
    users = {
        "owner": setup.regulator,
        "other_regulator": make_user(kind="regulator", role="admin", region_code="320000"),
        "fund": make_user(kind="fund", role="admin", region_code="310000"),
        "hospital": setup.hospitals["H5"],
        "manufacturer": setup.bidders["B"],
    }
    headers = {name: auth_headers(user) for name, user in users.items()}
    headers["anonymous"] = {}
    setup.extra["sealed"] = make_tender("bidding_open", lots=1)
    return setup, headers


def _run(client, setup, headers, body=VARIANTS):
    response = client.post(
        f"/api/v1/tenders/{setup.tender.id}/simulations", json=body, headers=headers["owner"]
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_api_returns_the_hand_computed_comparison_as_decimal_strings(client, world):
    setup, headers = world
    body = _run(client, setup, headers)
    base, batch11, _ = body["variants"]
    assert base["baseline"] is True
    assert base["totals"]["spend"] == "150.00"
    assert base["totals"]["price_change"] == "0.0000"  # against itself
    l01 = next(lot for lot in batch11["lots"] if lot["lot_code"] == "L01")
    assert [(w["price"], w["quantity"], w["amount"]) for w in l01["winners"]] == [
        ("0.0500", 2700, "135.00"),
        ("0.1200", 900, "108.00"),
    ]
    assert (l01["agreed"], l01["spend"], l01["savings"]) == (3600, "243.00", "2997.00")
    assert (batch11["totals"]["price_change"], batch11["totals"]["price_change_ratio"]) == (
        "0.0175",
        "0.3500",
    )
    assert body["inputs_changed"] is False
    again = client.get(f"/api/v1/simulations/{body['id']}", headers=headers["owner"]).get_json()
    assert again["variants"] == body["variants"]


def test_the_export_has_a_row_per_lot_and_variant_and_the_totals(client, world):
    setup, headers = world
    body = _run(client, setup, headers)
    response = client.get(
        f"/api/v1/simulations/{body['id']}/export?format=csv", headers=headers["owner"]
    )
    assert response.status_code == 200
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("lot_code,lot_name,variant,preset,status,winners")
    assert len(lines) == 1 + 2 * 3 + 3  # header, 2 lots x 3 variants, 3 totals rows
    assert lines[-2].startswith(
        "total,,national-2025,national-2025,,,,,3600,243.00,3240.00,2997.00"
    )
    xlsx = client.get(
        f"/api/v1/simulations/{body['id']}/export?format=xlsx", headers=headers["owner"]
    )
    assert xlsx.data[:2] == b"PK"


UPLOAD = (
    "lot_code,generic_name,manufacturer_name,unit_price,comparable_price,ceiling_unit_price,"
    "capacity,revival_opt_in,reported_demand,reference_unit_price,dosage_class\n"
    "X1,氨氯地平,甲药业,0.0500,,0.3000,,no,6000,0.9000,oral_solid\n"
    "X1,氨氯地平,乙药业,0.1200,,0.3000,,no,6000,0.9000,oral_solid\n"
    "X1,氨氯地平,丙药业,,0.2900,0.3000,,no,6000,0.9000,oral_solid\n"
    "X1,氨氯地平,丁药业,0.3000,,0.3000,,no,6000,0.9000,oral_solid\n"
)


def test_an_uploaded_file_of_bids_simulates_with_a_pooled_allocation(client, world):
    """The same four quotes as the tender, pooled demand 6000: baseline (national-2024) one
    winner, 50% = 3000 x 0.05 = 150.00; national-2025 two winners, 60% = 3600, no capacity
    given (each holds the lot), so the cheaper winner takes it all: 3600 x 0.05 = 180.00."""
    _setup, headers = world
    response = client.post(
        "/api/v1/simulations",
        data={
            "file": (io.BytesIO(UPLOAD.encode()), "bids.csv"),
            "variants": '[{"preset": "national-2025"}]',
        },
        headers=headers["owner"],
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    base, batch11 = response.get_json()["variants"]
    assert (base["totals"]["agreed"], base["totals"]["spend"]) == (3000, "150.00")
    lot = batch11["lots"][0]
    assert [(w["bidder"], w["quantity"]) for w in lot["winners"]] == [
        ("甲药业", 3600),
        ("乙药业", 0),
    ]
    assert (lot["spend"], lot["reference_spend"]) == ("180.00", "3240.00")


def test_a_malformed_upload_is_a_problem_naming_the_cells_and_keeps_nothing(
    client, world, db_session
):
    _setup, headers = world
    bad = "lot_code,manufacturer_name,unit_price,ceiling_unit_price\nX1,甲,abc,0.3\n"
    response = client.post(
        "/api/v1/simulations",
        data={
            "file": (io.BytesIO(bad.encode()), "bids.csv"),
            "variants": '[{"preset": "national-2025"}]',
        },
        headers=headers["owner"],
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert "row 2: unit_price" in response.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(Simulation)) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"variants": [{"preset": "national-1999"}]}, "variants.0.preset"),
        (
            {"variants": [{"preset": "national-2024", "overrides": {"nope": 1}}]},
            "variants.0.overrides.nope",
        ),
        ({"variants": [{"preset": "national-2024"}] * 7}, "variants"),
    ],
)
def test_bad_variants_are_problems_beside_the_field(client, world, body, field, db_session):
    setup, headers = world
    response = client.post(
        f"/api/v1/tenders/{setup.tender.id}/simulations", json=body, headers=headers["owner"]
    )
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert field in response.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(Simulation)) == 0


def test_a_tender_not_opened_or_missing_is_404(client, world):
    setup, headers = world
    sealed = setup.extra["sealed"]
    for tender_id in (sealed.id, 999_999):
        response = client.post(
            f"/api/v1/tenders/{tender_id}/simulations", json=VARIANTS, headers=headers["owner"]
        )
        assert response.status_code == 404
        assert response.content_type == PROBLEM


DENIED = {
    "other_regulator": 403,
    "fund": 403,
    "hospital": 403,
    "manufacturer": 403,
    "anonymous": 401,
}


def test_every_endpoint_refuses_every_other_role_and_organization(client, world):
    setup, headers = world
    sim = _run(client, setup, headers)["id"]
    endpoints = [
        ("post", f"/api/v1/tenders/{setup.tender.id}/simulations", {"json": VARIANTS}),
        ("get", f"/api/v1/tenders/{setup.tender.id}/simulations", {}),
        ("get", f"/api/v1/simulations/{sim}", {}),
        ("post", f"/api/v1/simulations/{sim}/rerun", {}),
        ("get", f"/api/v1/simulations/{sim}/export", {}),
        ("get", "/api/v1/simulations", {}),
    ]
    for method, url, kwargs in endpoints:
        for name, h in headers.items():
            response = getattr(client, method)(url, headers=h, **kwargs)
            if name == "owner":
                assert response.status_code in (200, 201), (url, response.get_json())
                continue
            expected = DENIED[name]
            if name == "other_regulator" and "/simulations/" in url and "tenders" not in url:
                expected = 404  # another organization's simulation is not found
            if name == "other_regulator" and url == "/api/v1/simulations":
                expected = 200  # its own (empty) list
            assert response.status_code == expected, (method, url, name, response.get_json())
            if expected >= 400:
                assert response.content_type == PROBLEM
