"""An alert is a case, in a real browser and in Chinese: the regulator opens a hospital's case
from the alert list, escalates it (confirming the dialog), the hospital replies on its own case
page, and the regulator closes the case with a note; every step stays on the case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from procurement.auth.models import User
from procurement.compliance.alerts.models import Alert, AlertKind
from procurement.compliance.services import evaluate_alerts
from tests.e2e.conftest import PASSWORD, LiveUser
from tests.fixtures.compliance import build_world, deliver_units, user_factory

pytestmark = pytest.mark.e2e


def _confirming(page, answers: list[str]) -> None:
    """Accept every confirmation dialog, noting its question."""

    def accept(dialog) -> None:
        answers.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)


def test_regulator_escalates_a_case_the_hospital_replies_and_the_regulator_closes_it(
    browser, page, live_server, live_db, live_clock, live_user, log_in, screenshot
):
    regulator = live_user("regulator", role="admin")
    with live_db() as session:
        make_user = user_factory(session, live_clock, prefix="CASE", password=PASSWORD)
        world = build_world(
            session,
            live_clock.now(),
            make_user,
            session.get(User, regulator.user_id),
            hospitals=1,
            agreed=1000,
        )
        deliver_units(session, live_clock, world, world.contract(0), 50)
        live_clock.advance(days=60)  # 50 of 1,000 against 61/365 of the year: behind
        evaluate_alerts(session, now=live_clock.now())
        user = world.hospitals[0]
        alert_id = session.scalar(  # this world's case (other journeys share the live database)
            select(Alert.id).where(
                Alert.kind == AlertKind.HOSPITAL_BEHIND,
                Alert.subject_org_id == user.organization.id,
            )
        )
        hospital = LiveUser(user.id, user.username, PASSWORD, user.display_name, "", "")
        hospital_name = user.organization.name
    questions: list[str] = []
    _confirming(page, questions)

    log_in(page, regulator)
    page.goto("/regulator/compliance/alerts?status=open&kind=hospital_behind")
    with page.expect_navigation():
        page.locator(f"tr[data-alert='{alert_id}'] [data-testid=alert-link]").click()
    assert page.get_by_test_id("case-subject").inner_text() == hospital_name
    page.locator("#escalate-note").fill("请十日内书面说明进度滞后原因")
    with page.expect_navigation():
        page.get_by_test_id("escalate").click()
    assert "提醒" in questions[-1]  # the dialog named the step before anything was done
    assert page.get_by_test_id("case-step").get_attribute("data-step") == "reminder"
    history = page.get_by_test_id("case-history")
    assert history.locator("li[data-kind=escalated]").inner_text().count("请十日内书面说明") == 1
    screenshot(page, "alert-case-escalated")

    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        hospital_page = other.new_page()
        log_in(hospital_page, hospital)
        hospital_page.goto("/hospital/compliance")
        with hospital_page.expect_navigation():
            hospital_page.locator(f"tr[data-alert='{alert_id}'] [data-testid=alert-link]").click()
        hospital_page.locator("#respond-note").fill("已召开药事会，本月起按月补足采购量")
        with hospital_page.expect_navigation():
            hospital_page.get_by_test_id("respond").click()
        replied = hospital_page.get_by_test_id("case-history").locator("li[data-kind=replied]")
        assert "本月起按月补足采购量" in replied.inner_text()
        screenshot(hospital_page, "alert-case-hospital-reply")
    finally:
        other.close()

    page.reload()
    history = page.get_by_test_id("case-history")
    assert "本月起按月补足采购量" in history.locator("li[data-kind=replied]").inner_text()
    page.locator("#resolve-note").fill("约谈后已整改，进度恢复")
    with page.expect_navigation():
        page.get_by_test_id("resolve").click()
    assert "办结" in questions[-1]
    assert page.get_by_test_id("case-closed").is_visible()
    kinds = (
        page.get_by_test_id("case-history")
        .locator("li")
        .evaluate_all("items => items.map(item => item.dataset.kind)")
    )
    assert kinds == ["raised", "escalated", "replied", "resolved"]
    assert "约谈后已整改" in page.locator("li[data-kind=resolved]").inner_text()
    screenshot(page, "alert-case-closed")
    page.goto("/regulator/compliance/alerts?status=resolved&kind=hospital_behind")
    assert page.locator(f"tr[data-alert='{alert_id}']").count() == 1  # closed, still listed
