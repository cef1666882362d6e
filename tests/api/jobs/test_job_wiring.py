"""More large work handed to jobs by the named limits (core/limits.py), inline on SQLite: a lot
file over INLINE_UPLOAD_BYTES is imported by a job (the page answers with the result, as
before; a refused file leaves no lot and shows its reason on the job's page)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from procurement.catalog.models import Lot
from procurement.jobs.models import Job, JobStatus
from procurement.trace.models import TracePackage

LOTS_CSV = (
    "code,generic_name,dosage_form,dosage_class,reference_strength,strength_unit,"
    "smallest_unit,ceiling_unit_price,reference_unit_price\n"
    "L01,阿莫西林,胶囊,oral_solid,250,mg,capsule,0.1500,0.4000\n"
    "L02,头孢呋辛,片,oral_solid,250,mg,tablet,0.9000,1.2000\n"
)
EN = {"Accept-Language": "en"}


def post_lots(client, tender, body: str):
    data = {"file": (io.BytesIO(body.encode()), "lots.csv")}
    return client.post(
        f"/regulator/tenders/{tender.id}/lots/import",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
        headers=EN,
    )


def test_a_lot_file_over_the_inline_limit_is_imported_by_a_job(
    client, db_session, login, regulator, make_tender, monkeypatch
):
    monkeypatch.setattr("procurement.catalog.pages.INLINE_UPLOAD_BYTES", 10)
    tender = make_tender("draft", lots=0)
    login(regulator)
    page = post_lots(client, tender, LOTS_CSV).get_data(as_text=True)
    assert "2 lots imported." in page
    codes = db_session.scalars(select(Lot.code).where(Lot.tender_id == tender.id)).all()
    assert sorted(codes) == ["L01", "L02"]
    job = db_session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.input_name) == ("catalog.lot_import", "succeeded", "lots.csv")
    assert (job.done, job.total, job.subject_id) == (2, 2, tender.id)


def test_a_refused_lot_file_job_imports_nothing_and_its_page_says_why(
    client, db_session, login, regulator, make_tender, monkeypatch
):
    monkeypatch.setattr("procurement.catalog.pages.INLINE_UPLOAD_BYTES", 10)
    tender = make_tender("draft", lots=0)
    login(regulator)
    post_lots(client, tender, LOTS_CSV.replace("0.1500", "lots"))
    job = db_session.scalars(select(Job)).one()
    assert job.status == JobStatus.FAILED
    assert db_session.scalar(select(func.count(Lot.id)).where(Lot.tender_id == tender.id)) == 0
    page = client.get(f"/jobs/{job.id}", headers=EN).get_data(as_text=True)
    assert 'data-testid="job-error"' in page
    assert "ceiling_unit_price" in page


def test_a_lot_file_under_the_limit_is_imported_in_the_request_without_a_job(
    client, db_session, login, regulator, make_tender
):
    tender = make_tender("draft", lots=0)
    login(regulator)
    assert "2 lots imported." in post_lots(client, tender, LOTS_CSV).get_data(as_text=True)
    assert db_session.scalar(select(func.count(Job.id))) == 0


def test_a_progress_export_over_the_inline_limit_is_made_by_a_job_and_downloads(
    client, db_session, login, comp_world, deliver, monkeypatch
):
    monkeypatch.setattr("procurement.compliance.progress.pages.INLINE_EXPORT_LINES", 1)
    world = comp_world(hospitals=2, lots=2, agreed=1000)
    deliver(world, world.contract(0, 0), 300)
    login(world.regulator)
    asked = client.get(
        f"/regulator/compliance/progress?tender={world.tender.id}&group_by=hospital&format=csv",
        headers=EN,
    )
    assert asked.status_code == 302
    job = db_session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.done, job.total) == (
        "compliance.progress_export",
        "succeeded",
        2,
        2,
    )
    assert job.result == "2 rows exported."
    download = client.get(f"/jobs/{job.id}/file")
    assert download.mimetype == "text/csv"
    lines = download.data.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3  # the heading and one row per hospital, as the inline file
    inline = client.get(
        f"/regulator/compliance/progress?tender={world.tender.id}&group_by=hospital&format=csv"
    )
    assert inline.status_code == 302  # still over the limit: another job, same file
    monkeypatch.setattr("procurement.compliance.progress.pages.INLINE_EXPORT_LINES", 5_000)
    inline = client.get(
        f"/regulator/compliance/progress?tender={world.tender.id}&group_by=hospital&format=csv"
    )
    assert inline.data.decode("utf-8-sig").strip().splitlines() == lines


def upload_codes(client, shipped, data: bytes):
    return client.post(
        f"/trace/shipment-lines/{shipped.line.id}/codes?lang=en",
        data={"file": (io.BytesIO(data), "codes.txt")},
        content_type="multipart/form-data",
    )


def test_a_code_file_over_the_inline_limit_is_attached_by_a_job(
    make_shipped, as_user, db_session, monkeypatch
):
    monkeypatch.setattr("procurement.trace.pages.INLINE_UPLOAD_BYTES", 10)
    shipped = make_shipped(packs=2)
    client = as_user(shipped.world.manufacturer)
    sent = upload_codes(client, shipped, f"{shipped.mashang(1)}\n{shipped.mashang(2)}".encode())
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/trace/shipments/{shipped.shipment.id}/codes")
    job = db_session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.done, job.total) == ("trace.codes_import", "succeeded", 2, 2)
    assert job.result == "2 codes stored."
    codes = db_session.scalars(select(TracePackage.code)).all()
    assert sorted(codes) == sorted([shipped.mashang(1), shipped.mashang(2)])


def test_a_refused_code_file_job_stores_nothing_and_its_page_names_the_row(
    make_shipped, as_user, db_session, monkeypatch
):
    monkeypatch.setattr("procurement.trace.pages.INLINE_UPLOAD_BYTES", 10)
    shipped = make_shipped(packs=2)
    client = as_user(shipped.world.manufacturer)
    upload_codes(client, shipped, f"{shipped.mashang(1)}\n9123456000000000000X".encode())
    job = db_session.scalars(select(Job)).one()
    assert job.status == JobStatus.FAILED
    assert "9123456000000000000X" in job.error
    assert db_session.scalar(select(func.count()).select_from(TracePackage)) == 0
    page = client.get(f"/jobs/{job.id}?lang=en").get_data(as_text=True)
    assert 'data-testid="job-error"' in page


def test_another_shippers_line_is_refused_in_the_request_and_no_job_is_asked_for(
    make_shipped, as_user, make_user, db_session, monkeypatch
):
    monkeypatch.setattr("procurement.trace.pages.INLINE_UPLOAD_BYTES", 10)
    shipped = make_shipped(packs=1)
    client = as_user(make_user(kind="manufacturer"))
    refused = upload_codes(client, shipped, f"{shipped.mashang(1)}\n".encode())
    assert refused.status_code == 404  # as in the request: the shipment is not its to see
    assert db_session.scalar(select(func.count(Job.id))) == 0


def test_an_alerts_export_over_the_inline_limit_is_made_by_a_job_with_the_lists_filters(
    client, db_session, login, comp_world, deliver, clock, monkeypatch
):
    """Two hospitals, one with 50 of 1,000 accepted after 60 days: the check raises alerts.
    Over the limit (set to 1) the CSV is made by a job: the same rows, in the list's order, as
    the inline file once the limit is back; a filter of the list narrows the job's file too."""
    from procurement.compliance.alerts.models import Alert
    from procurement.compliance.services import evaluate_alerts

    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 50)
    clock.advance(days=60)
    evaluate_alerts(db_session, now=clock.now())
    alerts = db_session.scalars(select(Alert)).all()
    assert len(alerts) >= 2
    monkeypatch.setattr("procurement.compliance.alerts.pages.INLINE_EXPORT_LINES", 1)
    login(world.regulator)
    asked = client.get("/regulator/compliance/alerts?format=csv", headers=EN)
    assert asked.status_code == 302
    job = db_session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.done, job.total) == (
        "compliance.alerts_export",
        "succeeded",
        len(alerts),
        len(alerts),
    )
    assert job.result == f"{len(alerts)} rows exported."
    lines = client.get(f"/jobs/{job.id}/file").data.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == len(alerts) + 1
    monkeypatch.setattr("procurement.compliance.alerts.pages.INLINE_EXPORT_LINES", 5_000)
    inline = client.get("/regulator/compliance/alerts?format=csv")
    assert inline.data.decode("utf-8-sig").strip().splitlines() == lines
    kind = alerts[0].kind.value
    monkeypatch.setattr("procurement.compliance.alerts.pages.INLINE_EXPORT_LINES", 0)
    client.get(f"/regulator/compliance/alerts?format=csv&kind={kind}", headers=EN)
    narrowed = db_session.scalars(select(Job).order_by(Job.id.desc())).first()
    expected = sum(1 for a in alerts if a.kind.value == kind)
    assert (narrowed.total, narrowed.result) == (expected, f"{expected} rows exported.")
