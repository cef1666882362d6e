"""Errors are types: every refusal the code raises is a class with a stable code, documented on
``/problems`` and ``/problems/<code>``, and the API answers in English unless the client asks
for Chinese (Accept-Language: zh)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from procurement.core.errors import BASES, DomainError, ValidationFailed
from procurement.web.problem_docs import documented_classes
from procurement.web.problems import status_for

PACKAGE = Path(__file__).resolve().parents[2] / "procurement"
BASE = "https://procurement.example.org/problems/"

# The problem codes of the API before the errors became types: clients rely on them, so each
# must still exist (its type URI is BASE + code).
CODES_CLIENTS_RELY_ON = [
    "alert-at-last-step",
    "alert-not-found",
    "alert-resolved",
    "already-reversed",
    "appeal-decided",
    "appeal-not-found",
    "appointment-not-found",
    "appointment-revoked",
    "award-inputs-changed",
    "award-run-already-confirmed",
    "award-run-not-confirmable",
    "award-run-not-found",
    "ban-not-found",
    "batch-not-found",
    "bid-deadline-passed",
    "bid-exists",
    "bid-not-found",
    "bid-withdrawn",
    "bidder-barred",
    "bidding-not-open",
    "bids-sealed",
    "body-too-large",
    "contract-not-active",
    "contract-not-found",
    "contract-year-not-found",
    "contract-year-running",
    "credit-event-not-appealable",
    "credit-event-not-found",
    "csrf-failed",
    "deadline-passed",
    "demand-closed",
    "demand-not-confirmable",
    "demand-not-confirmed",
    "demand-report-not-found",
    "demo-exists",
    "distributor-already-appointed",
    "distributor-outside-region",
    "duplicate-approval-number",
    "duplicate-lot-code",
    "duplicate-organization",
    "duplicate-tender-code",
    "duplicate-user",
    "forbidden",
    "idempotency-key-required",
    "idempotency-key-reused",
    "illegal-transition",
    "import-failed",
    "invalid-token",
    "limit-exceeded",
    "login-throttled",
    "lot-not-found",
    "manufacturer-not-found",
    "no-contracted-generic",
    "not-found",
    "not-product-owner",
    "not-tender-owner",
    "not-the-supplier",
    "not-your-contract",
    "not-your-order",
    "not-your-statement",
    "nothing-due",
    "nothing-to-repair",
    "order-not-found",
    "order-state",
    "outside-region-scope",
    "product-is-contracted",
    "product-not-found",
    "rate-limited",
    "read-only-role",
    "receipt-not-found",
    "results-not-published",
    "reversal-of-reversal",
    "run-not-completed",
    "runs-of-different-tenders",
    "seal-key-missing",
    "shipment-already-received",
    "shipment-not-found",
    "stale-version",
    "tender-not-draft",
    "tender-not-found",
    "tender-not-opened",
    "tender-without-lots",
    "too-early",
    "token-already-revoked",
    "transition-not-manual",
    "unauthenticated",
    "unbalanced-transaction",
    "validation-failed",
    "wrong-organization-kind",
    "year-end-not-found",
]


def raised_class_names() -> dict[str, str]:
    """Every name called in a ``raise X(...)`` or returned as ``return X(...)`` by the code (a
    helper that builds the error), with where it first happens."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = getattr(node, "exc", None) if isinstance(node, ast.Raise) else None
            if isinstance(node, ast.Return):
                value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                found.setdefault(value.func.id, where)
    return found


@pytest.fixture(scope="module")
def classes() -> dict[str, type[DomainError]]:
    return {cls.__name__: cls for cls in documented_classes()}


def test_every_raised_problem_is_a_documented_class_of_its_own(classes):
    problems = {cls.__name__: cls for cls in _all_problem_classes()}
    raised = {name: where for name, where in raised_class_names().items() if name in problems}
    generic = {name: where for name, where in raised.items() if problems[name] in BASES}
    generic |= {n: w for n, w in raised.items() if problems[n] is ValidationFailed}
    assert not generic, f"raise a class per problem, not a generic one: {generic}"
    undocumented = {name: where for name, where in raised.items() if name not in classes}
    assert not undocumented, f"problem classes without 'when' (not documented): {undocumented}"
    assert len(raised) > 150


def _all_problem_classes() -> list[type[DomainError]]:
    documented_classes()  # imports every errors module
    seen, stack = [], [DomainError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return [cls for cls in seen if cls.__module__.startswith("procurement.")]


def test_every_problem_class_has_a_code_a_title_and_a_detail_template(classes):
    for name, cls in classes.items():
        assert cls.code == cls.code.lower(), name
        assert cls.code != DomainError.code, name
        assert cls.title != DomainError.title, name
        assert cls.template != DomainError.template, name
        assert cls.when.endswith("."), name


def test_the_codes_clients_rely_on_all_still_exist(classes):
    codes = {cls.code for cls in classes.values()}
    assert set(CODES_CLIENTS_RELY_ON) - codes == set()


def test_a_parameter_cannot_take_the_place_of_a_fixed_member():
    from procurement.settlement.errors import NothingDue

    with pytest.raises(TypeError, match="status"):
        NothingDue(cut_off="2026-02-13", status="done")


def test_the_problems_page_lists_every_type_with_its_status_and_title(client, classes):
    page = client.get("/problems", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for cls in classes.values():
        assert f'<tr id="{cls.code}">' in page, cls.__name__
    row = page[page.index('<tr id="contract-not-active">') :].split("</tr>")[0]
    assert '<td class="num">422</td>' in row
    assert "Contract not active" in row
    assert "An order line names a contract that is not in force today." in row


@pytest.mark.parametrize(
    ("code", "status", "name"),
    [
        ("contract-not-active", 422, "ContractNotActive"),
        ("nothing-due", 409, "NothingDue"),
        ("tender-not-found", 404, "TenderNotFound"),
        ("not-your-contract", 403, "NotYourContract"),
        ("invalid-token", 401, "InvalidToken"),
        ("rate-limited", 429, "RateLimited"),
        ("body-too-large", 413, "BodyTooLarge"),
    ],
)
def test_a_problem_page_documents_its_status_and_every_situation(client, code, status, name):
    response = client.get(f"/problems/{code}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"<dd>{status}</dd>" in page
    assert f"<code>{BASE}{code}</code>" in page
    assert f'data-class="{name}"' in page


def test_every_code_has_its_page_naming_every_class_of_that_code(client, classes):
    for code in sorted({cls.code for cls in classes.values()}):
        page = client.get(f"/problems/{code}").get_data(as_text=True)
        for cls in (c for c in classes.values() if c.code == code):
            assert f'data-class="{cls.__name__}"' in page, (code, cls.__name__)
            assert str(status_for(cls)) in page


def test_a_problem_page_is_chinese_on_a_chinese_page(client):
    page = client.get("/problems/contract-not-active", headers={"Accept-Language": "zh"})
    text = page.get_data(as_text=True)
    assert "<h1>合同未生效</h1>" in text
    assert "订单行指定的合同今天不在执行期内。" in text


def test_an_unknown_problem_code_is_a_404(client):
    assert client.get("/problems/no-such-problem").status_code == 404


def test_a_typed_error_is_caught_by_its_type(db_session, clock, make_actor):
    from procurement.settlement import services as settlement
    from procurement.settlement.errors import NothingDue

    fund = make_actor("fund")
    with pytest.raises(NothingDue) as caught:
        settlement.start_run(
            db_session,
            cut_off=clock.now().date(),
            idempotency_key="quiet-day",
            now=clock.now(),
            actor=fund,
        )
    assert caught.value.code == "nothing-due"
    assert caught.value.params["cut_off"] == clock.now().date().isoformat()
    assert caught.value.detail.startswith(f"Nothing is due up to {clock.now().date()}:")


def test_the_api_answers_in_english_by_default_and_in_chinese_when_asked(
    client, make_user, auth_headers
):
    headers = auth_headers(make_user(kind="regulator", region_code="310000"))
    english = client.get("/api/v1/tenders/999999", headers=headers)
    chinese = client.get("/api/v1/tenders/999999", headers={**headers, "Accept-Language": "zh"})
    assert english.status_code == chinese.status_code == 404
    en, zh = english.get_json(), chinese.get_json()
    assert en["type"] == zh["type"] == BASE + "tender-not-found"
    assert (en["title"], en["detail"]) == ("Tender not found", "No tender with id 999999.")
    assert (zh["title"], zh["detail"]) == ("未找到招采项目", "没有编号为 999999 的招采项目。")
    assert en["tender_id"] == zh["tender_id"] == 999999


def test_marshmallows_own_field_errors_are_translated_for_a_chinese_client(
    client, make_user, auth_headers
):
    headers = auth_headers(make_user())
    english = client.post("/api/v1/tokens", json={"valid_days": "x"}, headers=headers)
    chinese = client.post(
        "/api/v1/tokens", json={"valid_days": "x"}, headers={**headers, "Accept-Language": "zh-CN"}
    )
    assert english.status_code == chinese.status_code == 422
    en, zh = english.get_json()["errors"], chinese.get_json()["errors"]
    assert en == {
        "name": ["Missing data for required field."],
        "valid_days": ["Not a valid integer."],
    }
    assert zh == {"name": ["缺少必填字段。"], "valid_days": ["不是有效的整数。"]}
    assert chinese.get_json()["type"] == BASE + "validation-failed"


def test_a_filled_in_validator_message_is_translated_with_its_values(
    client, make_user, auth_headers
):
    headers = {**auth_headers(make_user()), "Accept-Language": "zh"}
    body = client.post("/api/v1/tokens", json={"name": "t", "valid_days": 0}, headers=headers)
    assert body.status_code == 422
    assert body.get_json()["errors"]["valid_days"] == [
        f"须为 1 至 {_max_days()} 天（MAX_TOKEN_VALID_DAYS）。"
    ]


def _max_days() -> int:
    from procurement.auth.services import MAX_TOKEN_VALID_DAYS

    return MAX_TOKEN_VALID_DAYS


def test_every_raise_gives_the_values_its_detail_template_names(classes):
    """A raise that forgot a value would show ``{name}`` to the user: each call names them all."""
    short = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            cls = classes.get(node.func.id)
            if cls is None or any(k.arg is None for k in node.keywords):  # **params: unknown
                continue
            if "__init__" in cls.__dict__:  # it builds its parameters itself
                continue
            wanted = {name for _t, name, _s, _c in string.Formatter().parse(cls.template) if name}
            missing = wanted - {k.arg for k in node.keywords}
            if missing:
                short.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {cls.__name__} {missing}")
    assert short == []
