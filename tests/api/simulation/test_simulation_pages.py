"""The regulator's simulation pages: linked from the tender page, the form keeps its input with
the error beside the field, a run shows the table and the chart, the export downloads."""

from __future__ import annotations

from sqlalchemy import func, select

from procurement.simulation.models import Simulation
from tests.service.simulation.test_simulation import PRICES


def test_the_tender_page_links_the_simulation_and_a_run_shows_table_and_chart(
    client, award_setup, login
):
    setup = award_setup(prices=PRICES)
    login(setup.regulator)
    page = client.get(f"/regulator/tenders/{setup.tender.id}", headers={"Accept-Language": "zh"})
    assert f"/regulator/tenders/{setup.tender.id}/simulations" in page.get_data(as_text=True)
    response = client.post(
        f"/regulator/tenders/{setup.tender.id}/simulations",
        data={"variants.0.preset": "national-2025", "variants.1.preset": "national-2021"},
    )
    assert response.status_code == 302
    shown = client.get(response.headers["Location"], headers={"Accept-Language": "zh"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert 'data-testid="simulation-chart"' in html
    assert 'data-value="243.00"' in html
    assert "¥243.00" in html
    assert "现行规则" in html
    csv = client.get(response.headers["Location"] + "/export.csv")
    assert csv.status_code == 200
    assert "243.00" in csv.get_data(as_text=True)


def test_the_form_keeps_its_input_and_shows_the_error_beside_the_field(
    client, award_setup, login, db_session
):
    setup = award_setup(prices=PRICES)
    login(setup.regulator)
    response = client.post(
        f"/regulator/tenders/{setup.tender.id}/simulations",
        data={
            "variants.0.preset": "national-2025",
            "variants.0.name": "批次11",
            "variants.2.preset": "national-2024",
            "variants.2.overrides": "allocation.max_share = 1.5",
        },
        headers={"Accept-Language": "zh"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="批次11"' in html
    assert "allocation.max_share = 1.5</textarea>" in html
    assert 'id="in-variants-2-overrides-error"' in html
    assert db_session.scalar(select(func.count()).select_from(Simulation)) == 0


def test_a_line_without_equals_sign_is_an_error_beside_the_overrides(client, award_setup, login):
    setup = award_setup(prices=PRICES)
    login(setup.regulator)
    response = client.post(
        f"/regulator/tenders/{setup.tender.id}/simulations",
        data={"variants.1.preset": "national-2025", "variants.1.overrides": "win_multiple 2"},
        headers={"Accept-Language": "zh"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="in-variants-1-overrides-error"' in html
    assert "请写成" in html


def test_a_kept_simulation_runs_again_as_a_new_one_from_its_page(client, award_setup, login):
    setup = award_setup(prices=PRICES)
    login(setup.regulator)
    first = client.post(
        f"/regulator/tenders/{setup.tender.id}/simulations",
        data={"variants.0.preset": "national-2025"},
    ).headers["Location"]
    again = client.post(first + "/rerun")
    assert again.status_code == 302
    assert again.headers["Location"] != first
    html = client.get(again.headers["Location"], headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )
    assert "输入未变化" in html


def test_the_upload_page_runs_a_file_and_shows_a_bad_file_beside_the_form(
    client, award_setup, login
):
    from io import BytesIO

    from tests.api.simulation.test_simulation_api import UPLOAD

    setup = award_setup(prices=PRICES)
    login(setup.regulator)
    good = client.post(
        "/regulator/simulations",
        data={"variants.0.preset": "national-2025", "file": (BytesIO(UPLOAD.encode()), "b.csv")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    html = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "¥180.00" in html
    bad = client.post(
        "/regulator/simulations",
        data={"variants.0.preset": "national-2025", "file": (BytesIO(b"x\n1\n"), "b.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "zh"},
    )
    assert bad.status_code == 422
    assert 'data-testid="form-errors"' in bad.get_data(as_text=True)
    kept = bad.get_data(as_text=True).replace('"national-2025" ', "")
    assert "selected>国家集采规则 2025 版（第十一批）" in kept  # the preset kept, by its label
