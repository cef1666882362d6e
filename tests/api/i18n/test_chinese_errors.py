"""Refusals in the page's language: field errors in Chinese beside their fields and named as the
form names them, the 403/404/405/413/429/500 pages in Chinese, and regions by their GB/T 2260
names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procurement import create_app
from procurement.auth.regions import region_name
from procurement.auth.services.ratelimit import RateLimited
from procurement.core.rates import Rate

ZH = {"Accept-Language": "zh-CN,zh;q=0.9", "Accept": "text/html"}
ROOT = Path(__file__).resolve().parents[3]


def test_a_chinese_page_shows_a_chinese_field_error_next_to_its_field(client, login, make_user):
    login(make_user(kind="manufacturer"))
    form = {
        "approval_number": "国药准字H20200001",
        "generic_name": "氨氯地平",
        "dosage_form": "片剂",
        "dosage_class": "oral_solid",
        "strength": "abc",
        "strength_unit": "mg",
        "smallest_unit": "tablet",
        "pack_size": "28",
        "approval_date": "2020-05-01",
    }
    page = client.post("/manufacturer/products", data=form, headers=ZH).get_data(as_text=True)
    strength = re.search(r'<label>规格\s*<input name="strength"[^>]*>\s*(.*?)</label>', page, re.S)
    assert strength is not None, page
    assert '<span class="field-error">小数，例如 0.1234</span>' in strength.group(1)
    assert 'value="abc"' in page  # what was typed stays
    assert "Some product fields are not valid." not in page


def test_a_service_field_error_reaches_the_page_in_chinese(client, login, make_user):
    login(make_user(kind="manufacturer"))
    form = {
        "approval_number": "国药准字H20200002",
        "generic_name": "氨氯地平",
        "dosage_form": "片剂",
        "dosage_class": "oral_solid",
        "strength": "5",
        "strength_unit": "mg",
        "smallest_unit": "tablet",
        "pack_size": "28",
        "approval_date": "2999-01-01",
    }
    page = client.post("/manufacturer/products", data=form, headers=ZH).get_data(as_text=True)
    assert "无法按所填内容登记产品。" in page
    date_field = re.search(r'<input name="approval_date"[^>]*>\s*(.*?)</label>', page, re.S)
    assert date_field is not None
    assert '<span class="field-error">须填写不晚于今天的日期</span>' in date_field.group(1)


def test_an_error_page_names_the_fields_as_the_form_does(raising_app):
    page = raising_app.test_client().get("/_raise/lines", headers=ZH).get_data(as_text=True)
    assert "<b>第 1 行 · 协议</b>: 今天不在执行期内" in page  # "Contract" is 协议 on every page
    assert "<b>第 2 行 · 数量</b>: 不是有效的整数。" in page
    assert "lines.0.contract_id" not in page


@pytest.fixture
def raising_app(session_factory, clock):
    """An app of its own whose page routes raise: a field error, a rate limit, a crash."""
    from procurement.orders.errors import OrderNotValid

    app = create_app(
        {"ENV": "testing", "DATABASE_URL": "sqlite://", "PROPAGATE_EXCEPTIONS": False},
        clock=clock,
        session_factory=session_factory,
    )
    errors = {
        "lines.0.contract_id": ["not active today"],
        "lines.1.quantity": ["Not a valid integer."],
    }
    raise_ = {
        "lines": OrderNotValid(errors=errors),
        "busy": RateLimited(rate=Rate.parse("10 per minute"), retry_after=42),
        "crash": RuntimeError("a bug"),
    }

    def raiser(name):
        raise raise_[name]

    app.add_url_rule("/_raise/<name>", "page_raise", raiser)
    return app


@pytest.mark.parametrize(
    ("method", "path", "status", "title", "detail"),
    [
        ("get", "/no-such-page", 404, "页面不存在", "该地址没有内容；请检查网址和编号。"),
        ("post", "/problems", 405, "不允许的请求方法", "该地址不接受此请求方法"),
    ],
)
def test_the_http_error_pages_are_chinese(client, method, path, status, title, detail):
    response = getattr(client, method)(path, headers=ZH)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    assert detail in page


def test_the_403_page_is_chinese(client, login, make_user):
    login(make_user(kind="hospital"))
    response = client.get("/manufacturer/products", headers=ZH)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "<h1>不允许</h1>" in page
    assert "该门户属于另一类机构。" in page


def test_the_413_page_is_chinese(client, app):
    body = b"x" * (app.config["MAX_JSON_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data=body, headers={**ZH, "Content-Type": "text/plain"})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>请求体过大</h1>" in page
    assert "请求体大于" in page
    assert "MAX_JSON_CONTENT_LENGTH" in page


def test_the_429_and_500_pages_are_chinese(raising_app):
    client = raising_app.test_client()
    busy = client.get("/_raise/busy", headers=ZH)
    assert (busy.status_code, busy.headers["Retry-After"]) == (429, "42")
    assert "<h1>请求过多</h1>" in busy.get_data(as_text=True)
    assert "请在 42 秒后重试" in busy.get_data(as_text=True)
    crash = client.get("/_raise/crash", headers=ZH)
    assert crash.status_code == 500
    page = crash.get_data(as_text=True)
    assert "<h1>内部错误</h1>" in page
    assert "该请求未做任何修改" in page
    assert "a bug" not in page


def demo_and_fixture_region_codes() -> set[str]:
    """Every region code of the demo world and of the test fixtures."""
    from procurement.demo import data

    codes = {data.REGULATOR[2], data.FUND[2], *data.CENTRAL_DISTRICT.values()}
    for city_code, _city, parts in data.CITIES:
        codes.add(city_code)
        codes.update(code for code, _name in parts)
    quoted = re.compile(r"[\"']([1-8]\d{5})[\"']")
    for folder in (ROOT / "procurement" / "demo", ROOT / "tests" / "fixtures"):
        for path in folder.glob("*.py"):
            codes.update(quoted.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_region_of_the_demo_and_the_fixtures_has_its_gb2260_name():
    codes = demo_and_fixture_region_codes()
    assert len(codes) > 50
    missing = sorted(code for code in codes if region_name(code) is None)
    assert missing == []


def test_the_demo_names_its_districts_as_gb2260_does():
    from procurement.demo import data

    for _code, city, parts in data.CITIES:
        for code, name in parts:
            assert region_name(code) == f"{city}市{name}", code


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("320000", "江苏省"),
        ("320100", "南京市"),
        ("320102", "南京市玄武区"),
        ("310000", "上海市"),
        ("310101", "上海市黄浦区"),
        ("110100", "北京市"),
        ("500000", "重庆市"),
        ("320583", "苏州市昆山市"),
        ("999999", None),
    ],
)
def test_a_region_code_reads_as_its_gb2260_name(code, name):
    assert region_name(code) == name


def test_pages_show_the_region_name_in_chinese_and_with_its_code_in_english(
    client, login, make_user
):
    login(make_user(region_code="320102"))
    chinese = client.get("/account", headers=ZH).get_data(as_text=True)
    english = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "南京市玄武区" in chinese
    assert "320102" not in chinese
    assert "南京市玄武区 (320102)" in english
