"""Primary care institutions are monitored like hospitals with their own progress and year-end
(RULES.md 12): the regulator's progress (service, API, page), year-end and dashboard pages show
each buyer's institution type and filter by it."""

from __future__ import annotations

import pytest

from procurement.compliance import services as compliance
from procurement.compliance.progress.queries import Filters


@pytest.fixture
def monitored(community_world, make_contract):
    w = community_world()
    hospital = make_contract(manufacturer=w.manufacturer)
    return w, hospital


def _keys(db_session, clock, actor, **filters):
    report = compliance.progress_report(
        db_session, filters=Filters(**filters), group_by="hospital", now=clock.now(), actor=actor
    )
    return sorted(int(r.key) for r in report.rows)


def test_progress_filters_by_institution_type(monitored, db_session, clock, make_actor):
    w, hospital = monitored
    regulator = make_actor("regulator", region_code="310000")
    clinic, township = w.clinic.organization_id, w.township.organization_id
    everyone = _keys(db_session, clock, regulator)
    assert everyone == sorted([clinic, township, hospital.hospital.organization_id])
    assert _keys(db_session, clock, regulator, institution_type="village_clinic") == [clinic]
    assert _keys(db_session, clock, regulator, institution_type="township_hospital") == [township]
    assert _keys(db_session, clock, regulator, institution_type="hospital") == [
        hospital.hospital.organization_id
    ]
    assert _keys(db_session, clock, regulator, institution_type="pharmacy_store") == []


def test_progress_api_takes_the_type_and_refuses_an_unknown_one(
    monitored, client, make_user, auth_headers
):
    w, _hospital = monitored
    headers = auth_headers(make_user(kind="regulator", region_code="310000"))
    url = "/api/v1/compliance/progress"
    rows = client.get(
        url,
        query_string={"group_by": "hospital", "institution_type": "village_clinic"},
        headers=headers,
    ).get_json()["rows"]
    assert [int(r["key"]) for r in rows] == [w.clinic.organization_id]
    bad = client.get(url, query_string={"institution_type": "spa"}, headers=headers)
    assert bad.status_code == 422
    assert "institution_type" in bad.get_json()["errors"]


def test_the_progress_page_shows_and_filters_the_type_in_chinese(
    monitored, client, make_user, login
):
    w, hospital = monitored
    login(make_user(kind="regulator", region_code="310000"))
    zh = {"Accept-Language": "zh-CN"}
    html = client.get(
        "/regulator/compliance/progress?all=1&group_by=hospital", headers=zh
    ).get_data(as_text=True)
    assert 'data-type="village_clinic">村卫生室<' in html
    assert 'data-type="township_hospital">乡镇卫生院<' in html
    only = client.get(
        "/regulator/compliance/progress?all=1&group_by=hospital&type=village_clinic", headers=zh
    ).get_data(as_text=True)
    assert f'data-key="{w.clinic.organization_id}"' in only
    assert f'data-key="{hospital.hospital.organization_id}"' not in only
    bad = client.get("/regulator/compliance/progress?all=1&type=spa", headers=zh)
    assert bad.status_code == 422


def test_the_dashboard_links_progress_by_type(monitored, client, make_user, login):
    login(make_user(kind="regulator", region_code="310000"))
    html = client.get("/regulator/compliance", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert 'data-testid="progress-by-type"' in html
    assert "type=village_clinic" in html
    assert "村卫生室" in html
