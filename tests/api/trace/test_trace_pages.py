"""Trace pages: the shipper uploads a line's code file (refusals beside the field, in Chinese),
the public lookup needs no login and shows no holder, the history page."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from procurement.trace.models import TracePackage


def _upload(client, shipped, data: bytes, lang="zh"):
    return client.post(
        f"/trace/shipment-lines/{shipped.line.id}/codes?lang={lang}",
        data={"file": (io.BytesIO(data), "codes.txt")},
        content_type="multipart/form-data",
    )


def test_the_shipper_uploads_codes_on_the_shipment_page(make_shipped, as_user, db_session):
    shipped = make_shipped(packs=2)
    client = as_user(shipped.world.manufacturer)
    page = client.get(f"/supplier/shipments/{shipped.shipment.id}")
    assert f"/trace/shipments/{shipped.shipment.id}/codes" in page.get_data(as_text=True)
    response = _upload(client, shipped, f"{shipped.mashang(1)}\n{shipped.mashang(2)}".encode())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert shipped.mashang(2) in page


def test_a_refused_file_is_explained_beside_the_field_in_chinese(make_shipped, as_user, db_session):
    shipped = make_shipped(packs=2)
    client = as_user(shipped.world.manufacturer)
    client.get("/?lang=zh")
    response = _upload(client, shipped, f"{shipped.mashang(1)}\n9123456000000000000X".encode())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'data-testid="codes-error-{shipped.line.id}"' in html
    assert "第 2 行 9123456000000000000X" in html
    assert "不是" in html  # the refusal in Chinese
    assert db_session.scalar(select(func.count()).select_from(TracePackage)) == 0


def test_the_public_lookup_page_needs_no_login_and_names_no_holder(
    make_shipped, client, db_session, clock
):
    from procurement.trace import services
    from procurement.trace.files import CodeRow

    shipped = make_shipped(packs=1)
    services.attach_codes(
        db_session,
        shipment_line_id=shipped.line.id,
        rows=[CodeRow(1, shipped.mashang(1))],
        now=clock.now(),
        actor=shipped.world.m,
    )
    html = client.get(f"/trace/lookup?lang=zh&code={shipped.mashang(1)}").get_data(as_text=True)
    assert shipped.world.manufacturer.organization.name in html
    assert shipped.line.batch_no in html
    assert "尚未发药" in html
    assert shipped.world.hospital.organization.name not in html
    unknown = client.get("/trace/lookup?lang=zh&code=81234560000000000404")
    assert 'data-testid="lookup-unknown"' in unknown.get_data(as_text=True)
    assert client.get("/trace/lookup?code=").status_code == 422


def test_the_history_page_lists_the_events_for_the_regulator(
    make_shipped, as_user, regulator, db_session, clock
):
    from procurement.trace import services
    from procurement.trace.files import CodeRow

    shipped = make_shipped(packs=1)
    services.attach_codes(
        db_session,
        shipment_line_id=shipped.line.id,
        rows=[CodeRow(1, shipped.mashang(1))],
        now=clock.now(),
        actor=shipped.world.m,
    )
    client = as_user(regulator)
    html = client.get(f"/trace/packages?code={shipped.mashang(1)}").get_data(as_text=True)
    assert 'data-testid="events"' in html
    assert shipped.world.manufacturer.organization.name in html
    hospital = as_user(shipped.world.hospital)
    assert hospital.get(f"/trace/packages?code={shipped.mashang(1)}").status_code == 404
