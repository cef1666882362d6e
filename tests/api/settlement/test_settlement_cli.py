"""``procurement settlement run`` and ``procurement settlement advances`` through the runner."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from procurement.cli import cli
from procurement.settlement.models import Payable, SettlementRun


def test_the_run_command_pays_the_open_payable_and_a_rerun_pays_nothing_more(
    runner, settled, db_session
):
    code = settled["fund"].organization.code
    args = ["settlement", "run", "--cut-off", "2026-02-13", "--fund", code, "--key", "cli-1"]
    first = runner.invoke(cli, args=args)
    assert first.exit_code == 0, first.output
    assert "batch 1 done" in first.output
    # receipt B: 5 packs x 28 x 0.2000 = 28.00
    assert "completed: 1 payables, 28.00 CNY, 1 payments" in first.output
    again = runner.invoke(cli, args=args)
    assert again.exit_code == 0
    assert "batch" not in again.output
    assert "completed: 1 payables, 28.00 CNY" in again.output
    paid = db_session.query(Payable).filter(Payable.paid_at.is_not(None)).all()
    assert sum(p.amount for p in paid) == Decimal("84.00")


def test_the_run_command_on_a_day_with_nothing_due_says_so_and_exits_0(runner, settled, db_session):
    code = settled["fund"].organization.code
    base = ["settlement", "run", "--cut-off", "2026-02-13", "--fund", code, "--key"]
    assert runner.invoke(cli, args=[*base, "cli-1"]).exit_code == 0
    runs = db_session.scalar(select(func.count()).select_from(SettlementRun))
    quiet = runner.invoke(cli, args=[*base, "cli-2"])
    assert (quiet.exit_code, quiet.output.strip()) == (
        0,
        "Nothing is due up to 2026-02-13: every accepted delivery accepted by then is paid. "
        "No run was recorded.",
    )
    assert db_session.scalar(select(func.count()).select_from(SettlementRun)) == runs


def test_the_run_command_refuses_an_unknown_fund_office(runner, settled):
    result = runner.invoke(
        cli, args=["settlement", "run", "--cut-off", "2026-02-13", "--fund", "NOPE"]
    )
    assert result.exit_code == 2
    assert "No fund office with code 'NOPE'" in result.output


def test_the_run_command_refuses_a_reused_key_for_another_cut_off(runner, settled):
    code = settled["fund"].organization.code
    base = ["settlement", "run", "--fund", code, "--key", "settled-run", "--cut-off"]
    result = runner.invoke(cli, args=[*base, "2026-02-01"])
    assert result.exit_code == 1
    assert "use a new key for another cut-off" in result.output


def test_the_advances_command_pays_a_new_tender_year_once(runner, settled, make_contract):
    world = make_contract(agreed=1000, unit_price="1.0000")
    code = settled["fund"].organization.code
    args = ["settlement", "advances", "--tender", str(world.contract.tender_id), "--fund", code]
    first = runner.invoke(cli, args=args)
    # 30% x 1,000 x 1.0000 = 300.00
    assert "advances paid: 1 hospitals, 300.00; already paid: 0" in first.output
    second = runner.invoke(cli, args=args)
    assert "advances paid: 0 hospitals, 0.00; already paid: 1" in second.output
