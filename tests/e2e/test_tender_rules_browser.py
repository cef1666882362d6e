"""The regulator sets a draft tender's rules in Chinese (issue 16 item 7): a refused value is
shown beside its field with everything typed kept, the corrected form saves, and the page fits
a phone and a laptop."""

import pytest

pytestmark = pytest.mark.e2e

F = "rules_overrides."


def _new_draft(page, code):
    page.goto("/regulator/tenders/new")
    form = page.locator("main form.stack")
    for name, value in {
        "code": code,
        "name": "规则覆盖",
        "region_scope": "310000",
        "demand_deadline": "2026-01-20T17:00",
        "bid_deadline": "2026-02-01T17:00",
        "opening_at": "2026-02-01T18:00",
        "contract_start": "2026-03-01",
        "contract_years": "2",
    }.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_rules_form_refuses_beside_the_field_keeps_input_and_saves(
    page, live_user, log_in, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_user("regulator", display_name="王芳（集采办）"))
    _new_draft(page, f"RULES-{width}")
    page.get_by_test_id("rules-link").click()
    form = page.get_by_test_id("rules-form")
    assert "预设：0.8" in form.get_by_test_id("rules-compliance").inner_text()
    form.locator(f"[name='{F}compliance.on_track_factor']").fill("1.5")
    form.locator(f"[name='{F}compliance.grades']").fill("A 70 0.5; B 80 0.4")
    form.locator(f"[name='{F}settlement.payment_deadline_days']").fill("15")
    form.locator(f"[name='{F}compliance.retention_scheme']").select_option("tiers")
    with page.expect_navigation():
        page.get_by_test_id("save-rules").click()
    error = page.locator("#in-rules_overrides-compliance-on_track_factor-error")
    assert error.inner_text() == "0 到 1 之间的比例"
    assert (
        "最低分须严格递减"
        in page.locator("#in-rules_overrides-compliance-grades-error").inner_text()
    )
    assert page.locator(f"[name='{F}settlement.payment_deadline_days']").input_value() == "15"
    assert page.locator(f"[name='{F}compliance.retention_scheme']").input_value() == "tiers"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"tender-rules-refused-{width}")

    page.locator(f"[name='{F}compliance.on_track_factor']").fill("0.9")
    page.locator(f"[name='{F}compliance.grades']").fill("A 85 0.6; B 70 0.4")
    with page.expect_navigation():
        page.get_by_test_id("save-rules").click()
    assert "项目规则已保存" in page.locator(".flash").first.inner_text()
    assert page.locator(f"[name='{F}compliance.on_track_factor']").input_value() == "0.9"
    assert page.locator(f"[name='{F}compliance.grades']").input_value() == "A 85 0.6; B 70 0.4"
    screenshot(page, f"tender-rules-saved-{width}")
