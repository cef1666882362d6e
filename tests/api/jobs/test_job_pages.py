"""Long work asked for on pages runs as jobs: inline on SQLite (as before, the page answers
with the result), a large upload or export handed to a job by its named limit, and the jobs
pages (an organization's own jobs only; a running job's page refreshes itself)."""

from __future__ import annotations

import io

from sqlalchemy import select

from procurement.catalog.models import DemandReport
from procurement.jobs.models import Job, JobStatus


def test_a_demand_upload_over_the_inline_limit_is_imported_by_a_job(
    client, db_session, login, make_user, make_tender, monkeypatch
):
    monkeypatch.setattr("procurement.catalog.pages.demand.INLINE_UPLOAD_BYTES", 10)
    tender = make_tender("demand_open")
    login(make_user(kind="hospital"))
    data = {"file": (io.BytesIO(b"lot_code,quantity,last_year_usage\nL02,70,60\n"), "d.csv")}
    page = client.post(
        f"/hospital/demand/{tender.id}/upload",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "1 demand rows imported." in page.get_data(as_text=True)
    assert db_session.scalar(select(DemandReport.quantity)) == 70
    job = db_session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.input_name) == ("catalog.demand_import", "succeeded", "d.csv")
    assert (job.subject_type, job.subject_id) == ("tender", tender.id)


def test_a_failed_import_job_shows_its_reason_and_imports_nothing(
    client, db_session, login, make_user, make_tender, monkeypatch
):
    monkeypatch.setattr("procurement.catalog.pages.demand.INLINE_UPLOAD_BYTES", 10)
    tender = make_tender("demand_open")
    login(make_user(kind="hospital"))
    data = {"file": (io.BytesIO(b"lot_code,quantity,last_year_usage\nL99,70,60\n"), "d.csv")}
    client.post(
        f"/hospital/demand/{tender.id}/upload", data=data, content_type="multipart/form-data"
    )
    job = db_session.scalars(select(Job)).one()
    assert job.status == JobStatus.FAILED
    assert "L99" in job.error
    assert db_session.scalar(select(DemandReport.id)) is None
    page = client.get(f"/jobs/{job.id}", headers={"Accept-Language": "en"})
    assert 'data-testid="job-error"' in page.get_data(as_text=True)


def test_a_statement_export_over_the_inline_limit_is_made_by_a_job_and_downloads(
    settled, login, db_session, monkeypatch
):
    monkeypatch.setattr("procurement.settlement.pages.INLINE_EXPORT_LINES", 0)
    client = login(settled["fund"])
    maker = settled["manufacturer"].organization
    asked = client.get(
        f"/settlement/statement.csv?party_id={maker.id}&from=2026-01-01&to=2026-02-14"
    )
    assert asked.status_code == 302
    job = db_session.scalars(select(Job)).one()
    assert job.status == JobStatus.SUCCEEDED
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'data-testid="job-file"' in page
    assert 'http-equiv="refresh"' not in page
    download = client.get(f"/jobs/{job.id}/file")
    assert download.mimetype == "text/csv"
    assert "receivables_accrued,84.00" in download.data.decode("utf-8-sig")


def test_an_organization_sees_only_its_own_jobs_and_a_running_one_refreshes(
    client, db_session, login, make_user, clock
):
    mine, other = make_user(kind="regulator"), make_user(kind="regulator")
    now = clock.now()
    job = Job(
        kind="award.run",
        args={},
        status=JobStatus.RUNNING,
        done=3,
        total=10,
        attempts=1,
        org_id=mine.organization_id,
        created_at=now,
        updated_at=now,
    )
    db_session.add(job)
    db_session.commit()
    login(mine)
    page = client.get(f"/jobs/{job.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "3 / 10" in page
    assert "Award run #" in page
    listing = client.get("/jobs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/jobs/{job.id}" in listing
    client.post("/logout")
    login(other)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert f'/jobs/{job.id}"' not in client.get("/jobs").get_data(as_text=True)
