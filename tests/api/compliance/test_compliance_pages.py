"""Compliance pages: the regulator's home is the dashboard; charts carry their numbers;
drill-down tables export; hospitals and manufacturers see and answer their own."""

from __future__ import annotations

import re

from procurement.compliance.services import evaluate_alerts, record_credit_event


def test_regulator_home_is_the_dashboard_with_chart_values(client, login, comp_world, deliver):
    world = comp_world(hospitals=2, lots=2, agreed=1000)
    deliver(world, world.contract(0, 0), 300)
    login(world.regulator)
    assert client.get("/").headers["Location"].endswith("/regulator/compliance")
    html = client.get("/regulator/compliance").get_data(as_text=True)
    assert 'data-testid="chart-lot"' in html
    values = re.findall(
        r'class="bar" data-key="(\d+)" data-label="[^"]*" data-value="([^"]*)"', html
    )
    by_lot = dict(values)
    assert by_lot[str(world.lots[0].id)] == "0.1500"  # 300 / (1000 + 1000)
    assert 'data-testid="fig-completion" data-value="0.0750"' in html  # 300 / 4000
    assert 'data-testid="fig-savings" data-value="210.00"' in html  # 300 x (0.90 - 0.20)


def test_progress_page_drills_down_and_exports(client, login, comp_world):
    world = comp_world(hospitals=2)
    login(world.regulator)
    page = client.get(f"/regulator/compliance/progress?tender={world.tender.id}&group_by=hospital")
    assert page.status_code == 200
    assert world.hospitals[0].organization.name in page.get_data(as_text=True)
    csv_reply = client.get(
        f"/regulator/compliance/progress?tender={world.tender.id}&group_by=hospital&format=csv"
    )
    assert csv_reply.mimetype == "text/csv"
    assert len(csv_reply.get_data(as_text=True).strip().splitlines()) == 3


def test_hospital_answers_its_alert_from_its_page(client, login, db_session, clock, comp_world):
    world = comp_world(hospitals=1)
    clock.advance(days=100)
    evaluate_alerts(db_session, now=clock.now())
    login(world.hospitals[0])
    page = client.get("/hospital/compliance").get_data(as_text=True)
    alert_id = re.search(r'data-alert="(\d+)"', page).group(1)
    reply = client.post(f"/compliance/alerts/{alert_id}/respond", data={"note": "buying now"})
    assert reply.status_code == 302
    assert "buying now" in client.get("/hospital/compliance").get_data(as_text=True)


def test_manufacturer_appeals_a_credit_event_from_its_page(
    client, login, db_session, clock, comp_world
):
    world = comp_world(hospitals=1)
    event = record_credit_event(
        db_session,
        manufacturer_id=world.manufacturer.organization.id,
        kind="gave_up_win",
        occurred_at=clock.now(),
        detail="gave up",
        now=clock.now(),
        actor=world.reg,
    )
    login(world.manufacturer)
    assert "Gave up a win" in client.get("/manufacturer/compliance").get_data(as_text=True)
    client.post(f"/manufacturer/compliance/events/{event.id}/appeal", data={"reason": "error"})
    db_session.refresh(event)
    assert event.status.value == "appealed"


def test_regulator_pages_render(client, login, db_session, clock, comp_world):
    world = comp_world(hospitals=1)
    login(world.regulator)
    for path in (
        "/regulator/compliance/alerts",
        "/regulator/compliance/credit",
        f"/regulator/compliance/year-end?tender={world.tender.id}&year=1",
        "/regulator/compliance/alerts?format=xlsx",
    ):
        assert client.get(path).status_code == 200, path
    assert client.post("/regulator/compliance/check").status_code == 302
