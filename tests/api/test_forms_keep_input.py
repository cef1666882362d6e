"""Forms that respect the user (issue 15, item 7): the demand report, the add-lot form and the
bid form come back after an error with what was typed and each error beside its field, and
nothing is saved."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from procurement.bidding.models import Bid
from procurement.catalog.models import DemandReport, Lot


def _english(client):
    client.set_cookie("lang", "en")
    return client


def _input(page: str, name: str) -> str:
    return re.search(rf'<input id="in-{re.escape(name)}"[^>]*>', page).group(0)


def test_the_demand_form_keeps_every_box_and_marks_the_bad_one(
    client, login, make_user, make_tender, db_session
):
    tender = make_tender("demand_open")
    _english(login(make_user(kind="hospital")))
    codes = [lot.code for lot in tender.lots]
    form = {
        f"quantity_{codes[0]}": "1,200",
        f"usage_{codes[0]}": "900",
        f"quantity_{codes[1]}": "lots",
        f"usage_{codes[1]}": "50",
    }
    response = client.post(f"/hospital/demand/{tender.id}", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="1,200"' in _input(page, f"quantity_{codes[0]}")  # kept as typed
    bad = _input(page, f"quantity_{codes[1]}")
    assert 'value="lots"' in bad
    assert f'aria-describedby="in-quantity_{codes[1]}-error"' in bad
    assert "Enter a whole number, 0 or more." in page
    assert db_session.scalar(select(func.count()).select_from(DemandReport)) == 0
    saved = client.post(f"/hospital/demand/{tender.id}", data=form | {f"quantity_{codes[1]}": "70"})
    assert saved.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(DemandReport)) == 2


def test_the_add_lot_form_keeps_what_was_typed_with_errors_beside_fields(
    client, login, make_tender, regulator, db_session
):
    tender = make_tender("draft", lots=1)
    _english(login(regulator))
    form = {
        "code": "L09",
        "generic_name": "氨氯地平",
        "dosage_form": "片剂",
        "dosage_class": "oral_solid",
        "reference_strength": "5",
        "strength_unit": "mg",
        "smallest_unit": "tablet",
        "ceiling_unit_price": "abc",
        "reference_unit_price": "0.30",
        "quality_requirement": "consistency_evaluated",
    }
    response = client.post(f"/regulator/tenders/{tender.id}/lots", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="氨氯地平"' in _input(page, "generic_name")
    price = _input(page, "ceiling_unit_price")
    assert 'value="abc"' in price
    assert 'aria-describedby="in-ceiling_unit_price-error"' in price
    assert 'id="in-ceiling_unit_price-error"' in page
    assert db_session.scalar(select(func.count()).where(Lot.code == "L09")) == 0
    added = client.post(
        f"/regulator/tenders/{tender.id}/lots", data=form | {"ceiling_unit_price": "0.40"}
    )
    assert added.status_code == 302
    assert db_session.scalar(select(func.count()).where(Lot.code == "L09")) == 1


def test_the_bid_form_keeps_the_price_and_shows_the_error_beside_it(
    client, login, make_tender, bidder, db_session
):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    _english(login(user))
    lot = tender.lots[0]
    form = {
        "product_id": str(product.id),
        "price_per_pack": "5,60x",
        "capacity": "100000",
        "note": "our best",
        "cost_commitment": "on",
    }
    response = client.post(f"/manufacturer/bidding/lots/{lot.id}/bid", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="5,60x"' in page
    assert 'value="100000"' in page
    assert "our best</textarea>" in page
    assert re.search(r'name="price_per_pack"[^>]*aria-describedby="in-price_per_pack-error"', page)
    assert 'id="in-price_per_pack-error"' in page
    assert db_session.scalar(select(func.count()).select_from(Bid)) == 0
