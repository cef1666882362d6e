"""Pages in Simplified Chinese or English by the browser's language (or ?lang=), money as yuan
with separators and dates as each locale writes them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask import render_template_string

from procurement.award import services as award
from procurement.contracts import services as contracts

MONEY = re.compile(r"¥\d{1,3}(,\d{3})*\.\d{2}$")


@pytest.fixture
def published(award_setup, db_session, clock):
    """An awarded tender whose results are public."""
    setup = award_setup()
    run = award.start_award_run(
        db_session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )
    contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=setup.actor)
    return setup.tender


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.5", ["公示结果", "节约金额", "带量采购平台"], "Savings against"),
        ("en-US,en;q=0.9", ["Published results", "Savings against", "VBP platform"], "节约金额"),
    ],
)
def test_the_public_results_page_speaks_the_browsers_language(
    client, published, language, expected, absent
):
    response = client.get(f"/public/results/{published.id}", headers={"Accept-Language": language})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in expected:
        assert text in body
    assert absent not in body


def test_the_language_switch_overrides_the_browser_and_is_remembered(client, published):
    chinese_browser = {"Accept-Language": "zh-CN"}
    body = client.get("/?lang=en", headers=chinese_browser).get_data(as_text=True)
    assert "VBP platform" in body
    again = client.get("/", headers=chinese_browser).get_data(as_text=True)
    assert "VBP platform" in again  # the cookie set by ?lang=en wins over Accept-Language
    assert 'data-testid="lang-switch"' in again


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_savings_on_the_results_page_are_yuan_with_separators(client, published, language):
    body = client.get(
        f"/public/results/{published.id}", headers={"Accept-Language": language}
    ).get_data(as_text=True)
    shown = re.search(r'data-testid="total-savings">([^<]+)<', body).group(1)
    assert MONEY.match(shown), shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_money_is_shown_as_yuan_with_thousands_separators(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        assert render_template_string("{{ v|yuan }}", v=Decimal("1234.5")) == "¥1,234.50"
        assert render_template_string("{{ v|yuan(4) }}", v=Decimal("0.1235")) == "¥0.1235"
        assert render_template_string("{{ v|yuan }}", v=Decimal("1234567.891")) == "¥1,234,567.89"
        assert render_template_string("{{ v|yuan(4) }}", v=Decimal("-0.0076")) == "-¥0.0076"
        assert render_template_string("{{ v|yuan }}", v=Decimal("-0.004")) == "¥0.00"


@pytest.mark.parametrize(("lang", "shown"), [("zh", "2026年1月5日"), ("en", "Jan 5, 2026")])
def test_dates_are_written_the_locales_way(app, lang, shown):
    with app.test_request_context(f"/?lang={lang}"):
        assert render_template_string("{{ d|date }}", d=date(2026, 1, 5)) == shown


@pytest.mark.parametrize(
    ("language", "shown", "code"),
    [("zh-CN,zh;q=0.9", "已中选", ">awarded<"), ("en-US,en;q=0.9", "Awarded", ">awarded<")],
)
def test_statuses_read_as_words_in_the_page_language_never_as_codes(
    client, published, language, shown, code
):
    page = client.get("/public/results", headers={"Accept-Language": language})
    html = page.get_data(as_text=True)
    assert f"<td>{shown}</td>" in html
    assert code not in html
