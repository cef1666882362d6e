"""The alert case page (regulator, fund and the subject), the alert list's filters and pages,
and the regulator's to-do on its home."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from procurement.compliance.alerts.models import (
    Alert,
    AlertKind,
    AlertStatus,
    EscalationStep,
    Severity,
)
from procurement.compliance.credit.models import CreditEvent, CreditEventKind
from procurement.compliance.services import evaluate_alerts
from procurement.web.listing import PAGE_SIZE


@pytest.fixture
def case(db_session, clock, comp_world, deliver):
    """A hospital behind on its lot, its alert raised by the check."""
    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 50)
    clock.advance(days=60)
    evaluate_alerts(db_session, now=clock.now())
    alert = db_session.scalar(
        select(Alert).where(
            Alert.kind == AlertKind.HOSPITAL_BEHIND,
            Alert.subject_org_id == world.hospitals[0].organization.id,
        )
    )
    return world, alert


def _history(html: str) -> list[str]:
    return re.findall(r'<li class="list-group-item" data-kind="(\w+)"', html)


def test_the_regulator_reads_a_case_escalates_it_and_closes_it_with_a_note(
    client, login, db_session, case
):
    world, alert = case
    login(world.regulator)
    url = f"/regulator/compliance/alerts/{alert.id}"
    html = client.get(url).get_data(as_text=True)
    assert world.hospitals[0].organization.name in html
    assert world.lots[0].code in html  # what it concerns: the lot
    assert f"/contracts/{world.contract(0).id}" in html  # and the contract, linked
    assert 'data-fact="accepted">50<' in html  # the figures
    assert _history(html) == ["raised"]
    assert 'data-testid="escalate-form"' in html
    assert "data-confirm=" in html
    sent = client.post(f"{url}/escalate", data={"note": "请十日内说明"})
    assert sent.status_code == 302
    assert sent.location.endswith(url)
    html = client.get(url).get_data(as_text=True)
    assert _history(html) == ["raised", "escalated"]
    assert "请十日内说明" in html
    assert 'data-step="reminder"' in html
    refused = client.post(f"{url}/resolve", data={"note": ""})
    assert refused.status_code == 422
    assert 'id="resolve-note-error"' in refused.get_data(as_text=True)
    db_session.refresh(alert)
    assert alert.status == AlertStatus.OPEN
    closed = client.post(f"{url}/resolve", data={"note": "已约谈整改"})
    assert closed.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert _history(html) == ["raised", "escalated", "resolved"]
    assert 'data-testid="case-closed"' in html
    assert "已约谈整改" in html
    assert 'data-testid="escalate-form"' not in html


def test_the_hospital_replies_on_its_own_case_and_cannot_open_anothers(
    client, login, db_session, case
):
    world, alert = case
    other = db_session.scalar(
        select(Alert).where(Alert.subject_org_id == world.hospitals[1].organization.id)
    )
    login(world.hospitals[0])
    url = f"/hospital/compliance/alerts/{alert.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="respond-form"' in html
    assert 'data-testid="escalate-form"' not in html
    assert client.get(f"/hospital/compliance/alerts/{other.id}").status_code == 404
    empty = client.post(f"/compliance/alerts/{alert.id}/respond", data={"note": ""})
    assert empty.status_code == 422
    sent = client.post(f"/compliance/alerts/{alert.id}/respond", data={"note": "本月补采"})
    assert sent.location.endswith(url)
    html = client.get(url).get_data(as_text=True)
    assert _history(html) == ["raised", "replied"]
    assert world.hospitals[0].organization.name in html
    assert "本月补采" in html
    own = client.get("/hospital/compliance").get_data(as_text=True)
    assert f'href="{url}"' in own  # the own page links its cases


def test_the_fund_reads_a_case_without_acting_on_it(client, login, make_user, case):
    _world, alert = case
    login(make_user(kind="fund", region_code="310000"))
    html = client.get(f"/regulator/compliance/alerts/{alert.id}").get_data(as_text=True)
    assert 'data-testid="case-history"' in html
    assert "escalate-form" not in html
    assert "resolve-form" not in html


def _many(session, clock, world, count: int) -> list[Alert]:
    """``count`` hand-built late-delivery cases of the supplier, every third one closed and
    every fifth escalated to a reminder; one a minute apart."""
    made = []
    for i in range(count):
        at = clock.now() - timedelta(minutes=count - i)
        key = f"late_delivery:hand{i}"
        closed = i % 3 == 0
        made.append(
            Alert(
                kind=AlertKind.LATE_DELIVERY,
                severity=Severity.WARNING,
                dedup_key=key,
                open_key=None if closed else key,
                subject_org_id=world.manufacturer.organization.id,
                region_code="320000",
                detail="hand-built",
                facts={},
                raised_at=at,
                updated_at=at,
                resolved_at=None,
                status=AlertStatus.RESOLVED if closed else AlertStatus.OPEN,
                step=EscalationStep.REMINDER if i % 5 == 0 else EscalationStep.NONE,
            )
        )
    session.add_all(made)
    session.commit()
    return made


def _shown(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-alert="(\d+)"', html)]


def test_the_alert_list_pages_by_fifty_with_a_total(client, login, db_session, clock, comp_world):
    world = comp_world(hospitals=1)
    made = _many(db_session, clock, world, 61)
    login(world.regulator)
    first = client.get("/regulator/compliance/alerts").get_data(as_text=True)
    assert 'data-total="61"' in first
    assert _shown(first) == [a.id for a in reversed(made)][:PAGE_SIZE]  # newest first
    second = client.get("/regulator/compliance/alerts?page=2").get_data(as_text=True)
    assert _shown(second) == [a.id for a in reversed(made)][PAGE_SIZE:]
    assert f'href="/regulator/compliance/alerts/{made[-1].id}"' in first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=resolved", lambda i: i % 3 == 0),
        ("status=open", lambda i: i % 3 != 0),
        ("status=open&step=reminder", lambda i: i % 3 != 0 and i % 5 == 0),
        ("region=320000", lambda i: True),  # the supplier's province and its orders'
        ("region=310000", lambda i: False),
        ("kind=zero_purchase", lambda i: False),
    ],
)
def test_the_alert_list_filters(client, login, db_session, clock, comp_world, query, expected):
    world = comp_world(hospitals=1)
    made = _many(db_session, clock, world, 20)
    login(world.regulator)
    html = client.get(f"/regulator/compliance/alerts?{query}").get_data(as_text=True)
    wanted = [a.id for i, a in reversed(list(enumerate(made))) if expected(i)]
    assert _shown(html) == wanted
    assert f'data-total="{len(wanted)}"' in html


def test_the_alert_list_filters_by_lot_and_hospital(client, login, db_session, case):
    world, alert = case
    login(world.regulator)
    by_lot = client.get(f"/regulator/compliance/alerts?lot={world.lots[0].id}")
    assert alert.id in _shown(by_lot.get_data(as_text=True))
    name = world.hospitals[0].organization.name
    by_name = client.get("/regulator/compliance/alerts", query_string={"subject": name})
    shown = _shown(by_name.get_data(as_text=True))
    subjects = {db_session.get(Alert, alert_id).subject_org_id for alert_id in shown}
    assert alert.id in shown
    assert subjects == {world.hospitals[0].organization.id}


def test_the_regulators_home_lists_what_waits_for_it(
    client, login, db_session, clock, comp_world, make_tender, regulator
):
    world = comp_world(hospitals=3, agreed=1000)
    clock.advance(days=60)
    evaluate_alerts(db_session, now=clock.now())
    opened = make_tender(status="opened")  # bids opened: waits for the award
    demand = make_tender(status="demand_open", region_scope=["310000"])
    login(world.regulator)
    html = client.get("/regulator/compliance").get_data(as_text=True)
    todo = html[html.index('data-testid="todo"') :]
    open_none = db_session.scalar(
        select(func.count()).where(Alert.status == AlertStatus.OPEN, Alert.step == "none")
    )
    assert open_none > 0
    assert (
        f'href="/regulator/compliance/alerts?status=open&amp;step=none" data-step="none" '
        f'data-value="{open_none}"'
    ) in todo
    assert f'data-tender="{opened.id}" data-action="award"' in todo
    missing = re.search(rf'data-tender="{demand.id}" data-value="(\d+)"', todo)
    assert missing is not None
    # the three hospitals of the world are in Shanghai (310000) and have reported nothing
    assert int(missing.group(1)) >= 3
    listed = client.get(f"/regulator/compliance/missing-demand/{demand.id}")
    names = listed.get_data(as_text=True)
    assert all(h.organization.name in names for h in world.hospitals)
    assert f'data-total="{missing.group(1)}"' in names


def test_credit_events_page_by_fifty_and_filter_by_kind(
    client, login, db_session, clock, comp_world
):
    world = comp_world(hospitals=1)
    maker = world.manufacturer.organization.id
    kinds = (CreditEventKind.LATE_DELIVERY, CreditEventKind.GAVE_UP_WIN)
    db_session.add_all(
        CreditEvent(
            manufacturer_id=maker,
            kind=kinds[i % 2],
            points=1,
            source_key=f"hand:{i}",
            occurred_at=clock.now() - timedelta(hours=i),
            recorded_at=clock.now(),
            detail="",
        )
        for i in range(55)
    )
    db_session.commit()
    login(world.regulator)
    first = client.get("/regulator/compliance/credit/events").get_data(as_text=True)
    assert 'data-total="55"' in first
    assert len(re.findall(r'<tr data-event="\d+"', first)) == PAGE_SIZE
    second = client.get("/regulator/compliance/credit/events?page=2").get_data(as_text=True)
    assert len(re.findall(r'<tr data-event="\d+"', second)) == 5
    gave_up = client.get("/regulator/compliance/credit/events?kind=gave_up_win")
    assert 'data-total="27"' in gave_up.get_data(as_text=True)  # i = 1, 3, ..., 53
