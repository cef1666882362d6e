"""The job queue on PostgreSQL with real ``procurement worker`` processes: a job asked for on a
page runs and its result shows; a worker killed mid-job (SIGKILL) hands the job to another and
the settlement pays nothing twice; retries with backoff for idempotent tasks, none for the
others; a rolled-back request leaves no job in the queue."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from procurement import migrate
from procurement.auth.models import User
from procurement.auth.services import actor_of
from procurement.catalog.models import Lot
from procurement.db import make_engine
from procurement.jobs import defer
from procurement.jobs.models import Job, JobStatus
from procurement.settlement.models import Payable, Payment, RunStatus, SettlementRun
from tests.service.jobs import worker_tasks  # noqa: F401  (registers the test tasks here too)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL.startswith("postgresql"),
        reason="the job queue needs PostgreSQL: set TEST_DATABASE_URL (CI's PostgreSQL stage)",
    ),
]
ROOT = Path(__file__).resolve().parents[3]
# A worker that misses heartbeats for this long has its running jobs handed to another.
HEARTBEAT, STALLED_AFTER = 0.5, 2.0
WAIT_SECONDS = 90


@pytest.fixture(scope="module")
def queue_url():
    """A database of its own, built by the migrations (with procrastinate's schema): the
    workers are other processes, so the test's data is really committed there."""
    name = f"{make_url(POSTGRES_URL).database}_jobs_{uuid.uuid4().hex[:6]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def queue_engine(queue_url):
    engine = make_engine(queue_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(queue_engine):
    """Replaces the rolled-back test connection: factories and pages commit for real."""
    return sessionmaker(bind=queue_engine, expire_on_commit=False)


@pytest.fixture
def app(shared_app, session_factory, clock):
    extension = shared_app.extensions["procurement"]
    runtime = shared_app.extensions["procurement.jobs"]
    extension.update(session_factory=session_factory, clock=clock)
    runtime.queue = "procrastinate"
    yield shared_app
    runtime.queue = ""
    extension.update(session_factory=lambda: None)


@pytest.fixture
def workers(queue_url):
    """``start()`` -> a ``procurement worker`` process on the queue database; all are stopped
    (killed) at the end."""
    started: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "PROCUREMENT_ENV": "testing",
        "DATABASE_URL": queue_url,
        "PROCUREMENT_JOB_QUEUE": "procrastinate",
    }
    env.pop("TEST_DATABASE_URL", None)

    def start() -> subprocess.Popen:
        command = [sys.executable, "-c", "from procurement.cli import main; main()", "worker"]
        options = ["--heartbeat", str(HEARTBEAT), "--stalled-after", str(STALLED_AFTER)]
        process = subprocess.Popen(
            [*command, *options, "--import", "tests.service.jobs.worker_tasks"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def wait_for(check, what: str, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queued(app):
    """Defer onto the queue (the app's runtime) outside a request."""
    with app.app_context():
        yield


def job_row(engine, job_id: int) -> Job:
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        return session.get(Job, job_id)


def finished(engine, job_id: int):
    def check():
        job = job_row(engine, job_id)
        return job if job.status.finished else None

    return check


def test_a_job_asked_for_on_a_page_runs_on_a_worker_and_its_result_shows(
    client, login, award_setup, db_session, workers, queue_engine
):
    setup = award_setup()
    db_session.commit()
    login(setup.regulator)
    asked = client.post(
        f"/regulator/award/tenders/{setup.tender.id}/runs",
        data={"granularity": "region", "fallback": "none"},
    )
    job_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    queued = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in queued
    assert ">Queued<" in queued
    workers()
    job = wait_for(finished(queue_engine, job_id), "the award job")
    assert job.status == JobStatus.SUCCEEDED
    assert (job.attempts, job.done, job.total) == (1, 2, 2)  # two lots solved of two
    assert job.outcome_type == "award_run"
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Award run 1 finished: 1 of 2 lots allocated." in page
    assert 'http-equiv="refresh"' not in page
    award_page = client.get(f"/regulator/award/tenders/{setup.tender.id}").get_data(as_text=True)
    assert 'data-testid="lot-status-L02"' in award_page


def test_an_award_run_posted_to_the_api_is_a_job_a_worker_runs_and_the_job_links_the_run(
    client, auth_headers, award_setup, db_session, workers, queue_engine
):
    setup = award_setup()
    headers = auth_headers(setup.regulator)
    db_session.commit()
    asked = client.post(
        f"/api/v1/tenders/{setup.tender.id}/award-runs",
        json={"granularity": "region", "fallback": "none"},
        headers=headers,
    )
    assert asked.status_code == 202
    job_id = asked.get_json()["id"]
    assert asked.headers["Location"] == f"/api/v1/jobs/{job_id}"
    assert (asked.get_json()["status"], asked.get_json()["kind"]) == ("queued", "award.run")
    assert job_row(queue_engine, job_id).queue_job_id is not None  # procrastinate has it
    workers()
    wait_for(finished(queue_engine, job_id), "the award job")
    job = client.get(asked.headers["Location"], headers=headers).get_json()
    assert (job["status"], job["done"], job["total"], job["attempts"]) == ("succeeded", 2, 2, 1)
    assert job["result"] == "Award run 1 finished: 1 of 2 lots allocated."
    run = client.get(job["links"]["outcome"], headers=headers)
    assert run.status_code == 200
    assert (run.get_json()["number"], run.get_json()["tender_id"]) == (1, setup.tender.id)
    assert job["links"]["outcome"] == f"/api/v1/award-runs/{run.get_json()['id']}"


LOTS_CSV = (
    "code,generic_name,dosage_form,dosage_class,reference_strength,strength_unit,"
    "smallest_unit,ceiling_unit_price,reference_unit_price\n"
    "L01,阿莫西林,胶囊,oral_solid,250,mg,capsule,0.1500,0.4000\n"
    "L02,头孢呋辛,片,oral_solid,250,mg,tablet,0.9000,1.2000\n"
)


def test_a_lot_file_over_the_limit_posted_to_the_api_is_imported_by_a_worker(
    client, auth_headers, make_tender, regulator, db_session, workers, queue_engine, monkeypatch
):
    monkeypatch.setattr("procurement.catalog.api.INLINE_UPLOAD_BYTES", 10)
    tender = make_tender("draft", lots=0)
    headers = auth_headers(regulator)
    db_session.commit()
    asked = client.post(
        f"/api/v1/tenders/{tender.id}/lots/import",
        data={"file": (io.BytesIO(LOTS_CSV.encode()), "lots.csv")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert asked.status_code == 202
    assert asked.get_json()["kind"] == "catalog.lot_import"
    workers()
    wait_for(finished(queue_engine, asked.get_json()["id"]), "the lot import job")
    job = client.get(asked.headers["Location"], headers=headers).get_json()
    assert (job["status"], job["done"], job["total"]) == ("succeeded", 2, 2)
    assert job["result"] == "2 lots imported."
    with sessionmaker(bind=queue_engine)() as session:
        codes = session.scalars(select(Lot.code).where(Lot.tender_id == tender.id)).all()
    assert sorted(codes) == ["L01", "L02"]


def settlement_world(make_contract, accept, make_user):
    """Four manufacturers, one contract each (0.2000 a unit, 28 a pack), receipts of 1, 2, 3
    and 4 packs accepted: 5.60, 11.20, 16.80 and 22.40 yuan due, 56.00 in all."""
    fund = make_user(kind="fund", region_code="310000")
    worlds = [make_contract(agreed=2800) for _ in range(4)]
    for packs, world in enumerate(worlds, start=1):
        accept(world, packs=packs)
    return actor_of(fund), worlds


def test_a_worker_killed_mid_job_hands_it_to_another_and_nothing_is_paid_twice(
    queued, db_session, clock, make_contract, accept, make_user, workers, queue_engine
):
    fund, worlds = settlement_world(make_contract, accept, make_user)
    day = clock.now().date()
    job = defer(
        db_session,
        "tests.slow_settlement_run",
        actor=fund,
        pause=1.5,
        cut_off=day.isoformat(),
        idempotency_key="kill-me",
        batch_size=1,
    )
    db_session.commit()
    first = workers()
    wait_for(lambda: job_row(queue_engine, job.id).done >= 1, "a first committed batch")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    assert job_row(queue_engine, job.id).status == JobStatus.RUNNING
    workers()
    done = wait_for(finished(queue_engine, job.id), "the job to be taken over")
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.attempts == 2
    with sessionmaker(bind=queue_engine)() as session:
        run = session.scalars(
            select(SettlementRun).where(SettlementRun.idempotency_key == "kill-me")
        ).one()
        assert run.status == RunStatus.COMPLETED
        payments = session.execute(
            select(Payment.manufacturer_id, Payment.amount, Payment.payables_count).where(
                Payment.run_id == run.id
            )
        ).all()
        expected = {
            w.manufacturer.organization_id: Decimal("5.60") * n
            for n, w in enumerate(worlds, start=1)
        }
        assert {m: a for m, a, _ in payments} == expected  # one payment each, not two
        assert sum(a for _, a, _ in payments) == Decimal("56.00")
        assert all(count == 1 for _, _, count in payments)
        paid = session.scalar(select(func.count()).where(Payable.run_id == run.id))
        assert paid == 4


def test_a_settlement_run_and_the_compliance_check_posted_to_the_api_are_jobs_a_worker_runs(
    client,
    auth_headers,
    db_session,
    make_contract,
    accept,
    make_user,
    regulator,
    workers,
    queue_engine,
    clock,
):
    fund, _worlds = settlement_world(make_contract, accept, make_user)
    fund_headers = auth_headers(db_session.get(User, fund.user_id))
    regulator_headers = auth_headers(regulator)
    db_session.commit()
    run_asked = client.post(
        "/api/v1/settlement/runs",
        json={"cut_off": clock.now().date().isoformat(), "batch_size": 2},
        headers={**fund_headers, "Idempotency-Key": "api-run"},
    )
    check_asked = client.post("/api/v1/compliance/alerts/check", headers=regulator_headers)
    assert (run_asked.status_code, check_asked.status_code) == (202, 202)
    assert run_asked.headers["Location"] == f"/api/v1/jobs/{run_asked.get_json()['id']}"
    assert check_asked.get_json()["kind"] == "compliance.check"
    workers()
    for asked in (run_asked, check_asked):
        wait_for(finished(queue_engine, asked.get_json()["id"]), "the API's jobs")
    run_job = client.get(run_asked.headers["Location"], headers=fund_headers).get_json()
    assert (run_job["status"], run_job["done"], run_job["total"]) == ("succeeded", 2, 2)
    run = client.get(run_job["links"]["outcome"], headers=fund_headers).get_json()
    assert (run["status"], run["payables_count"], run["total_amount"]) == ("completed", 4, "56.00")
    check = client.get(check_asked.headers["Location"], headers=regulator_headers).get_json()
    assert (check["status"], check["done"], check["total"]) == ("succeeded", 3, 3)
    # each organization sees only its own job
    other = client.get(check_asked.headers["Location"], headers=fund_headers)
    assert other.status_code == 404


def test_a_large_progress_export_asked_through_the_api_is_a_job_with_its_file(
    client,
    auth_headers,
    db_session,
    make_contract,
    accept,
    make_user,
    regulator,
    workers,
    queue_engine,
    monkeypatch,
):
    """The progress report by hospital as CSV, over INLINE_EXPORT_LINES rows (the limit set to
    0 here, so the one hospital's row is "large"): 202 with the job; a worker writes the file;
    the job links it and it holds the hospital's row (agreed 2,800, accepted 2 packs = 56)."""
    from procurement.core import limits

    monkeypatch.setattr(limits, "INLINE_EXPORT_LINES", 0)
    world = make_contract(agreed=2800)
    accept(world, packs=2)
    headers = auth_headers(regulator)
    db_session.commit()
    url = f"/api/v1/compliance/progress?tender={world.contract.tender_id}&group_by=hospital"
    asked = client.get(url + "&format=csv", headers=headers)
    assert asked.status_code == 202, asked.get_data(as_text=True)
    assert asked.get_json()["kind"] == "compliance.progress_export"
    workers()
    wait_for(finished(queue_engine, asked.get_json()["id"]), "the export job")
    job = client.get(asked.headers["Location"], headers=headers).get_json()
    assert (job["status"], job["done"], job["total"]) == ("succeeded", 1, 1)
    csv_file = client.get(job["links"]["file"], headers=headers)
    assert csv_file.status_code == 200
    lines = csv_file.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2  # the heading and the hospital's row
    assert world.hospital.organization.name in lines[1]
    assert client.get(url + "&format=json", headers=headers).status_code == 200  # JSON: as before


def test_an_idempotent_job_is_retried_with_backoff_and_another_fails_once_with_its_reason(
    queued, db_session, workers, queue_engine
):
    flaky = defer(db_session, "tests.flaky", succeed_on=3)
    broken = defer(db_session, "tests.broken")
    db_session.commit()
    workers()
    flaky_done = wait_for(finished(queue_engine, flaky.id), "the flaky job")
    broken_done = wait_for(finished(queue_engine, broken.id), "the broken job")
    assert flaky_done.status == JobStatus.SUCCEEDED
    assert flaky_done.attempts == 3
    assert flaky_done.result == "succeeded on attempt 3"
    assert broken_done.status == JobStatus.FAILED
    assert broken_done.attempts == 1
    assert broken_done.error == "Not today."


def queue_rows(session, job_id: int) -> int:
    return session.scalar(
        text("SELECT count(*) FROM procrastinate_jobs WHERE (args->>'job_id')::int = :id"),
        {"id": job_id},
    )


def test_a_rolled_back_request_leaves_no_job_and_a_committed_one_always_has_its_queue_row(
    queued, db_session
):
    dropped = defer(db_session, "jobs.ping", note="dropped")
    assert queue_rows(db_session, dropped.id) == 1  # written in the same transaction
    db_session.rollback()
    assert db_session.get(Job, dropped.id) is None
    assert queue_rows(db_session, dropped.id) == 0
    kept = defer(db_session, "jobs.ping", note="kept")
    db_session.commit()
    assert kept.queue_job_id is not None
    assert queue_rows(db_session, kept.id) == 1
    assert db_session.get(Job, kept.id).status == JobStatus.QUEUED


# Last in the module: its world leaves payables due, which a settlement run above would pay.
def test_the_year_end_posted_to_the_api_is_checked_in_the_request_then_queued(
    client, auth_headers, comp_world, deliver, db_session, clock, queue_engine
):
    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 1000)
    headers = auth_headers(world.regulator)
    db_session.commit()
    body = {"tender_id": world.tender.id, "contract_year": 1}
    early = client.post("/api/v1/compliance/year-end", json=body, headers=headers)
    assert (early.status_code, early.mimetype) == (409, "application/problem+json")
    with sessionmaker(bind=queue_engine)() as session:
        mine = select(func.count(Job.id)).where(Job.subject_id == world.tender.id)
        assert session.scalar(mine) == 0  # a refusal queues nothing
    clock.advance(days=365)
    asked = client.post("/api/v1/compliance/year-end", json=body, headers=headers)
    assert asked.status_code == 202
    job = job_row(queue_engine, asked.get_json()["id"])
    assert (job.kind, job.status, job.args) == ("compliance.year_end", "queued", body)
    assert asked.headers["Location"] == f"/api/v1/jobs/{job.id}"
    with sessionmaker(bind=queue_engine)() as session:
        queue_row = {"id": job.queue_job_id}
        found = session.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE id = :id"), queue_row
        )
        assert found.scalar_one() == 1
        # no worker runs it here (its clock is not this test's): leave the queue empty
        session.execute(text("DELETE FROM procrastinate_jobs WHERE id = :id"), queue_row)
        session.execute(delete(Job).where(Job.id == job.id))
        session.commit()
