"""The jobs API on the inline default (SQLite): an organization's jobs (paged, newest first) and
one job with its progress, result and links; another organization's job is a 404 problem for
every kind and role; with no queue the endpoints that start long work answer as before."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from procurement.auth.roles import OrgKind, Role
from procurement.jobs.models import Job, JobStatus


@pytest.fixture
def add_job(db_session, clock):
    def add(user, **fields):
        now = clock.now()
        values = {
            "kind": "award.run",
            "args": {},
            "status": JobStatus.RUNNING,
            "done": 3,
            "total": 10,
            "attempts": 1,
            "org_id": user.organization_id,
            "created_at": now,
            "updated_at": now,
            **fields,
        }
        job = Job(**values)
        db_session.add(job)
        db_session.commit()
        return job

    return add


def test_a_job_reads_with_its_progress_result_and_links(client, make_user, auth_headers, add_job):
    user = make_user(kind="regulator")
    job = add_job(
        user,
        status=JobStatus.SUCCEEDED,
        done=2,
        total=2,
        result="Award run 1 finished: 1 of 2 lots allocated.",
        outcome_type="award_run",
        outcome_id=41,
        output_name="statement.csv",
        output_file=b"a,b\n",
    )
    got = client.get(f"/api/v1/jobs/{job.id}", headers=auth_headers(user))
    assert got.status_code == 200
    body = got.get_json()
    assert (body["status"], body["done"], body["total"], body["attempts"]) == (
        "succeeded",
        2,
        2,
        1,
    )
    assert body["title"] == "Award run"
    assert body["result"] == "Award run 1 finished: 1 of 2 lots allocated."
    assert body["error"] is None
    assert body["links"] == {
        "self": f"/api/v1/jobs/{job.id}",
        "outcome": "/api/v1/award-runs/41",
        "file": f"/api/v1/jobs/{job.id}/file",
    }
    download = client.get(body["links"]["file"], headers=auth_headers(user))
    assert (download.status_code, download.mimetype, download.data) == (200, "text/csv", b"a,b\n")


def test_a_job_without_a_file_has_no_file_link_and_its_file_is_a_404_problem(
    client, make_user, auth_headers, add_job
):
    user = make_user(kind="fund")
    job = add_job(user, kind="settlement.run", status=JobStatus.QUEUED, done=0, total=None)
    headers = auth_headers(user)
    body = client.get(f"/api/v1/jobs/{job.id}", headers=headers).get_json()
    assert body["links"] == {"self": f"/api/v1/jobs/{job.id}", "outcome": None, "file": None}
    assert (body["status"], body["total"]) == ("queued", None)
    missing = client.get(f"/api/v1/jobs/{job.id}/file", headers=headers)
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert missing.get_json()["type"].endswith("job-file-not-ready")


def test_the_list_is_the_organizations_own_jobs_newest_first_and_paged(
    client, make_user, auth_headers, add_job
):
    user, stranger = make_user(kind="hospital"), make_user(kind="hospital")
    mine = [add_job(user, kind="catalog.demand_import") for _ in range(3)]
    add_job(stranger)
    headers = auth_headers(user)
    first = client.get("/api/v1/jobs?page_size=2", headers=headers)
    assert first.status_code == 200
    assert [j["id"] for j in first.get_json()] == [mine[2].id, mine[1].id]
    paging = json.loads(first.headers["X-Pagination"])
    assert (paging["total"], paging["total_pages"], paging["page"]) == (3, 2, 1)
    second = client.get("/api/v1/jobs?page_size=2&page=2", headers=headers).get_json()
    assert [j["id"] for j in second] == [mine[0].id]
    # A page past the end is empty, even one whose offset no database integer holds.
    far = client.get("/api/v1/jobs?page=922337203685477582", headers=headers)
    assert (far.status_code, far.get_json()) == (200, [])


@pytest.mark.parametrize("kind", list(OrgKind))
@pytest.mark.parametrize("role", list(Role))
def test_another_organizations_job_is_a_404_problem_for_every_kind_and_role(
    client, make_user, auth_headers, add_job, kind, role
):
    owner = make_user(kind=kind)
    job = add_job(owner, output_name="x.csv", output_file=b"x\n")
    headers = auth_headers(make_user(kind=kind, role=role))
    for path in (f"/api/v1/jobs/{job.id}", f"/api/v1/jobs/{job.id}/file"):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 404, path
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["type"].endswith("job-not-found")
    assert client.get("/api/v1/jobs", headers=headers).get_json() == []
    own = auth_headers(make_user(org=owner.organization, role=role))
    assert client.get(f"/api/v1/jobs/{job.id}", headers=own).status_code == 200


def test_without_a_token_the_jobs_are_a_401_problem(client, make_user, add_job):
    job = add_job(make_user(kind="regulator"))
    for path in ("/api/v1/jobs", f"/api/v1/jobs/{job.id}"):
        refused = client.get(path)
        assert (refused.status_code, refused.mimetype) == (401, "application/problem+json")


def test_with_no_queue_an_award_run_is_started_in_the_request_as_before(
    client, award_setup, auth_headers, db_session
):
    setup = award_setup()
    db_session.commit()
    started = client.post(
        f"/api/v1/tenders/{setup.tender.id}/award-runs",
        json={"granularity": "region", "fallback": "none"},
        headers=auth_headers(setup.regulator),
    )
    assert started.status_code == 201
    assert started.get_json()["number"] == 1
    job = db_session.scalars(select(Job)).first()
    assert job is None  # the inline default keeps no job for the API's run
