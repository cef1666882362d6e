"""`procurement demo` at a tiny scale on a temporary SQLite file: the figures of its summary
agree with the API's, and the same seed gives the same figures."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from procurement import create_app
from procurement.auth import services as auth
from procurement.auth.models import User
from procurement.cli import cli
from procurement.core.clock import FrozenClock
from procurement.db import make_engine, make_session_factory
from procurement.demo.runner import prepare_database, run_demo
from procurement.demo.world import DEMO_PASSWORD

SCALE, SEED, TODAY = "0.1", 11, date(2026, 12, 1)
PINNED = ["--today", TODAY.isoformat()]
KEY = ["q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The demo run once through the CLI; (database url, CLI output)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    result = CliRunner().invoke(
        cli,
        ["demo", "--seed", str(SEED), "--scale", SCALE, "--database-url", url, *PINNED],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return url, result.output


@pytest.fixture(scope="module")
def demo_api(demo_run):
    """A test client on the demo database, with the clock where the demo left it, and the
    demo regulator's bearer token."""
    url, _ = demo_run
    engine = make_engine(url)
    factory = make_session_factory(engine)
    tokens = {}
    with factory() as session:
        clock = FrozenClock(_last_event(session))
        for username in ("regulator", "fund"):
            user = session.scalar(select(User).where(User.username == username))
            issued = auth.create_token(
                session, actor=auth.actor_of(user), name="test", now=clock.now()
            )
            tokens[username] = {"Authorization": f"Bearer {issued.secret}"}
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": url, "AUTO_MIGRATE": False, "BID_SEAL_KEYS": KEY},
        clock=clock,
        session_factory=factory,
    )
    yield app.test_client(), tokens["regulator"], tokens["fund"]
    engine.dispose()


def _last_event(session):
    from procurement.audit.models import AuditEvent
    from procurement.core.clock import as_utc

    return as_utc(session.scalar(select(AuditEvent.occurred_at).order_by(AuditEvent.id.desc())))


def block(output: str, tender_id: int) -> list[str]:
    """The summary lines of one tender (tender 1 is last year's, 2 this year's)."""
    lines = output.splitlines()
    code = f"YP{tender_id:02d} ("
    start = next(i for i, x in enumerate(lines) if x.startswith("Tender ") and code in x)
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    return [x.strip() for x in lines[start:end]]


def figure(lines: list[str], label: str) -> str:
    """The first yuan amount or percentage on the line that starts with ``label``."""
    line = next(x for x in lines if x.startswith(label))
    return line.split(":", 1)[1].split()[0]


def yuan(text: str) -> Decimal:
    return Decimal(text.lstrip("¥").replace(",", ""))


def test_the_demo_prints_stages_a_summary_logins_and_the_address(demo_run):
    _, output = demo_run
    for stage in (
        "organizations, logins",
        "JS-2025-YP01 tender, demand",
        "JS-2025-YP01 bids",
        "JS-2025-YP01 award",
        "JS-2025-YP01 month 12",
        "JS-2025-YP01 year-end, credit",
        "JS-2026-YP02 month  7",
        "JS-2026-YP03 bids",
        "JS-2026-YP02 yesterday",
    ):
        assert stage in output
    assert "JS-2026-YP02 month  8" not in output  # December 2026 has not begun its orders
    assert "Open for bids: tender JS-2026-YP03, 2 lots, bids close 2026-12-15 17:00 CST" in output
    assert "infeasible on L" in output
    assert "with reserves on L" in output
    assert f"regulator  {DEMO_PASSWORD}" in output.replace("  regulator ", "regulator ")
    assert "http://127.0.0.1:5000" in output


@pytest.mark.parametrize("tender_id", [1, 2])
def test_the_summary_savings_equal_the_published_results(demo_run, demo_api, tender_id):
    client = demo_api[0]
    body = client.get(f"/api/v1/tenders/{tender_id}/results").get_json()
    assert yuan(figure(block(demo_run[1], tender_id), "Savings")) == Decimal(body["savings"])
    assert Decimal(body["savings"]) > 0


@pytest.mark.parametrize("tender_id", [1, 2])
def test_the_summary_completion_equals_the_compliance_progress(demo_run, demo_api, tender_id):
    client, headers, _ = demo_api
    response = client.get(
        f"/api/v1/compliance/progress?tender={tender_id}&year=1&group_by=total", headers=headers
    )
    assert response.status_code == 200, response.get_json()
    row = response.get_json()["rows"][0]
    lines = block(demo_run[1], tender_id)
    assert figure(lines, "Completion") == f"{Decimal(row['completion']) * 100:.1f}%"
    assert any(f"({row['accepted']:,} accepted)" in line for line in lines)


def test_this_years_contract_year_is_in_progress_and_last_years_is_over(demo_run):
    this, last = block(demo_run[1], 2), block(demo_run[1], 1)
    assert 0 < Decimal(figure(this, "Completion").rstrip("%")) < 80
    assert not any(line.startswith("Year-end") for line in this)
    assert any(line.startswith("Year-end") for line in last)


def test_the_summary_year_end_figures_equal_the_year_end_report(demo_run, demo_api):
    client, headers, _ = demo_api
    response = client.get(
        "/api/v1/compliance/year-end?tender_id=1&contract_year=1", headers=headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    line = next(x for x in block(demo_run[1], 1) if x.startswith("Year-end"))
    amounts = [yuan(word.rstrip(",")) for word in line.split() if word.startswith("¥")]
    assert amounts == [Decimal(body["total_deduction"]), Decimal(body["total_retained"])]


def test_the_summary_payments_equal_the_settlement_runs(demo_run, demo_api):
    client, _, fund = demo_api
    runs = client.get("/api/v1/settlement/runs", headers=fund).get_json()
    advances = [
        advance
        for tender_id in (1, 2)
        for advance in client.get(
            f"/api/v1/settlement/advances?tender_id={tender_id}", headers=fund
        ).get_json()
    ]
    line = next(x for x in demo_run[1].splitlines() if x.startswith("Fund:"))
    amounts = [yuan(word.rstrip(",")) for word in line.split() if word.startswith("¥")]
    paid = sum(Decimal(r["total_amount"]) for r in runs)
    assert amounts == [sum(Decimal(a["amount"]) for a in advances), paid]
    assert f"in {len(runs)} runs" in line
    assert paid > 0


def test_the_medical_community_orders_for_its_members_and_is_settled_with(demo_run, demo_api):
    """The community's summary line equals its statement (the fund's API) and the orders its
    members hold (the community's own API token)."""
    url, output = demo_run
    client, _, fund = demo_api
    line = next(x for x in output.splitlines() if x.startswith("Medical community (医共体)"))
    assert "4 members" in line
    amounts = [yuan(word.rstrip(",")) for word in line.split() if word.startswith("¥")]
    with make_session_factory(make_engine(url))() as session:
        community = session.scalar(select(User).where(User.username == "community"))
        org_id = community.organization_id
        issued = auth.create_token(
            session, actor=auth.actor_of(community), name="test", now=_last_event(session)
        )
    this_year = client.get(
        "/api/v1/settlement/statements",
        query_string={"party_id": org_id, "from": "2026-05-01", "to": "2026-12-01"},
        headers=fund,
    ).get_json()
    members = this_year["members"]
    assert len(members) == 4
    assert {m["institution_type"] for m in members} == {"township_hospital", "village_clinic"}
    summary = this_year["summary"]
    charged = Decimal(summary["charged_to_advance"]) + Decimal(summary["charged_to_allocation"])
    assert amounts == [Decimal(summary["accepted_value"]), charged]
    assert sum(Decimal(m["accepted_value"]) for m in members) == Decimal(summary["accepted_value"])
    mine = {"Authorization": f"Bearer {issued.secret}"}
    placed = client.get("/api/v1/orders", headers=mine).get_json()
    assert placed
    assert {o["placed_by_org_id"] for o in placed} == {org_id}
    assert all(o["hospital_id"] != org_id and o["delivery_address"] for o in placed)
    assert "community  demo-pass-2025" in output.replace("  community ", "community ")


def test_the_same_seed_gives_the_same_figures(demo_run, tmp_path):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    engine = prepare_database(url, fresh=True)
    try:
        from procurement.bidding.seal import Sealer

        result = run_demo(
            engine,
            seed=SEED,
            scale=float(SCALE),
            today=TODAY,
            sealer=Sealer(KEY),
            progress=lambda line: None,
        )
    finally:
        engine.dispose()
    from procurement.demo.summary import render

    assert "\n".join(render(result.summary)) in demo_run[1]


def test_a_kept_database_that_holds_the_demo_is_refused_with_a_hint(demo_run):
    url, _ = demo_run
    result = CliRunner().invoke(cli, ["demo", "--keep", "--database-url", url, "--scale", SCALE])
    assert result.exit_code == 1
    assert "already holds the demo" in result.output


def test_the_demo_lists_a_product_and_leaves_a_request_above_one_and_a_half_times_pending(
    demo_run,
):
    from procurement.listing.models import Listing, ListingRequest, RequestStatus

    url, output = demo_run
    assert "listing requests" in output
    with make_session_factory(make_engine(url))() as session:
        requests = session.scalars(select(ListingRequest).order_by(ListingRequest.id)).all()
        assert [r.status for r in requests] == [RequestStatus.APPROVED, RequestStatus.PENDING]
        checks = {c["code"]: c for c in requests[1].checks}
        failed = checks["unsupplied_region"]
        assert failed["status"] == "fail"
        winning, limit = Decimal(failed["params"]["winning"]), Decimal(failed["params"]["limit"])
        assert limit == (winning * Decimal("1.5")).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        assert requests[1].unit_price == (winning * Decimal("1.6")).quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )
        assert session.scalar(select(Listing.generic_name)) == "复方丹参滴丸"


def test_the_demo_shows_one_missing_shortage_report(demo_run):
    """Every manufacturer files its monthly shortage reports before each check but one: the
    failing manufacturer's first product for the newest month due before today (2026-10 on
    2026-12-01, due 11-10), raised as one missing report alert."""
    from procurement.compliance.alerts.models import Alert, AlertKind, AlertStatus

    session = make_session_factory(make_engine(demo_run[0]))()
    try:
        missing = list(
            session.scalars(
                select(Alert).where(
                    Alert.kind == AlertKind.SHORTAGE_REPORT_MISSING,
                    Alert.status == AlertStatus.OPEN,
                )
            )
        )
    finally:
        session.close()
    assert [a.facts["period"] for a in missing] == ["2026-10"]
    # the last check ran on 11-30 (the price outlier's evening check): 20 days past 11-10, at
    # least 14: province level
    assert (missing[0].facts["days_overdue"], missing[0].level) == (20, "province")


def test_the_summary_counts_coded_packages_trace_alerts_and_disputed_lines(demo_run, demo_api):
    """Five coded deliveries of 6 to 10 boxes (6 + 7 + 8 + 9 + 10 = 40 boxes), one package
    received a second time (one alert), one disputed reconciliation line: as the API says."""
    client, regulator, fund = demo_api
    line = next(x for x in demo_run[1].splitlines() if x.startswith("Traceability"))
    assert line == (
        "Traceability (追溯码): 40 coded packages, 1 traceability alerts; "
        "reconciliation (对账): 1 disputed lines"
    )
    alerts = client.get("/api/v1/trace/alerts", headers=regulator).get_json()
    assert [a["kind"] for a in alerts] == ["second_receipt"]
    held = client.get("/api/v1/settlement/reconciliations/held", headers=fund).get_json()
    disputed = [x for x in held if x["held_reason"] == "disputed"]
    assert len(disputed) == 1
    assert disputed[0]["dispute_reason"]
