"""The demo's closing summary, computed from the database through the areas' services (the
same numbers the API and the pages show), and its text for the terminal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from procurement.award import services as award
from procurement.compliance import services as compliance
from procurement.compliance.queries import Filters
from procurement.demo.world import World
from procurement.settlement import services as settlement

ZERO = Decimal("0.00")


@dataclass
class Summary:
    tender_id: int
    tender_code: str
    lots_awarded: int
    lots_failed: int
    winners: int
    savings: Decimal  # yearly, agreed volume x (reference - winning price), public results
    agreed: int
    accepted: int
    completion: Decimal | None
    hospitals_behind: int
    hospitals_complete: int
    deductions: Decimal
    retained: Decimal
    advances: Decimal
    payments: Decimal
    payment_runs: int
    alerts_open: int
    alerts: Counter = field(default_factory=Counter)
    alert_steps: Counter = field(default_factory=Counter)
    credit: dict[str, str] = field(default_factory=dict)  # manufacturer -> level (not "none")

    def figures(self) -> dict[str, str]:
        """The headline figures as strings (what the repeatability test compares)."""
        return {
            "savings": str(self.savings),
            "completion": str(self.completion),
            "agreed": str(self.agreed),
            "accepted": str(self.accepted),
            "deductions": str(self.deductions),
            "retained": str(self.retained),
            "advances": str(self.advances),
            "payments": str(self.payments),
            "alerts": str(sum(self.alerts.values())),
            "credit": str(sorted(self.credit.items())),
        }


def summarize(session: Session, world: World) -> Summary:
    regulator, fund, now = world.regulator.actor, world.fund.actor, world.now
    results = award.public_results(session, tender_id=world.tender_id)
    awarded = [lot for lot in results.lots if lot.status == "awarded"]
    filters = Filters(tender_id=world.tender_id, contract_year=1)
    total = compliance.progress_report(
        session, filters=filters, group_by="total", now=now, actor=regulator
    ).rows
    hospitals = compliance.progress_report(
        session, filters=filters, group_by="hospital", now=now, actor=regulator
    ).rows
    run, _ = compliance.get_year_end(
        session, tender_id=world.tender_id, contract_year=1, actor=regulator
    )
    runs = settlement.list_runs(session, actor=fund)
    advances = settlement.list_advances(session, actor=fund, tender_id=world.tender_id)
    alerts = compliance.list_alerts(session, actor=regulator)
    levels = compliance.credit_levels(session, now=now, actor=regulator)
    return Summary(
        tender_id=world.tender_id,
        tender_code=results.tender.code,
        lots_awarded=len(awarded),
        lots_failed=len(results.lots) - len(awarded),
        winners=sum(len(lot.winners) for lot in awarded),
        savings=results.savings,
        agreed=total[0].agreed if total else 0,
        accepted=total[0].accepted if total else 0,
        completion=total[0].completion if total else None,
        hospitals_behind=sum(1 for h in hospitals if (h.completion or 0) < 1),
        hospitals_complete=sum(1 for h in hospitals if (h.completion or 0) >= 1),
        deductions=run.total_deduction,
        retained=run.total_retained,
        advances=sum((a.amount for a in advances), ZERO),
        payments=sum((r.total_amount for r in runs), ZERO),
        payment_runs=len(runs),
        alerts_open=sum(1 for a in alerts if a.status.value == "open"),
        alerts=Counter(a.kind.value for a in alerts),
        alert_steps=Counter(a.step.value for a in alerts if a.step.value != "none"),
        credit={s.name: s.level for s in levels if s.level != "none"},
    )


def yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"¥{amount:,.2f}"


def render(summary: Summary) -> list[str]:
    """The summary as terminal lines (Chinese terms beside the English ones)."""
    s = summary
    completion = "—" if s.completion is None else f"{s.completion * 100:.1f}%"
    steps = ", ".join(f"{k} {v}" for k, v in sorted(s.alert_steps.items())) or "none"
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s.alerts.items())) or "none"
    credit = "; ".join(f"{name}: {level}" for name, level in sorted(s.credit.items())) or "none"
    return [
        f"Tender {s.tender_code}: {s.lots_awarded} lots awarded, {s.lots_failed} failed (流标), "
        f"{s.winners} winning bids",
        f"Savings (节约资金, agreed volume x price cut, per year): {yuan(s.savings)}",
        f"Completion (完成率): {completion} of {s.agreed:,} agreed units "
        f"({s.accepted:,} accepted); hospitals at 100% or more {s.hospitals_complete}, "
        f"below {s.hospitals_behind}",
        f"Year-end: budget deductions (下年度总额扣减) {yuan(s.deductions)}, "
        f"retained savings (结余留用) {yuan(s.retained)}",
        f"Fund: advances (预付) {yuan(s.advances)}, direct payments (直接结算) "
        f"{yuan(s.payments)} in {s.payment_runs} runs",
        f"Alerts: {sum(s.alerts.values())} raised, {s.alerts_open} open ({kinds}); "
        f"escalated: {steps}",
        f"Supplier credit (信用评价): {credit}",
    ]
