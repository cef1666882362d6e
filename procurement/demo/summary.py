"""The demo's closing summary, computed from the database through the areas' services (the
same numbers the API and the pages show), and its text for the terminal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.award import services as award
from procurement.compliance import services as compliance
from procurement.core.clock import business_time
from procurement.core.errors import NotFound
from procurement.demo.world import World
from procurement.settlement import services as settlement
from procurement.settlement.monthly_models import HeldReason
from procurement.settlement.services import monthly_reconciliation as recon
from procurement.trace.models import PackageLevel, TracePackage
from procurement.trace.services import alerts as trace_alerts

ZERO = Decimal("0.00")


@dataclass
class TenderSummary:
    """One awarded tender: its results, its contract year's progress and (once the year is over)
    its year-end check."""

    tender_id: int
    tender_code: str
    label: str  # "last year" | "this year"
    lots_awarded: int
    lots_failed: int
    winners: int
    savings: Decimal  # yearly, agreed volume x (reference - winning price), public results
    agreed: int
    accepted: int
    completion: Decimal | None
    hospitals_behind: int
    hospitals_complete: int
    deductions: Decimal | None  # None: no year-end check yet
    retained: Decimal | None


@dataclass
class Summary:
    tenders: list[TenderSummary]
    upcoming_code: str
    upcoming_lots: int
    upcoming_bid_deadline: datetime
    advances: Decimal
    payments: Decimal
    payment_runs: int
    alerts_open: int
    alerts: Counter = field(default_factory=Counter)
    alert_steps: Counter = field(default_factory=Counter)
    credit: dict[str, str] = field(default_factory=dict)  # manufacturer -> level (not "none")
    coded_packages: int = 0  # boxes shipped with a traceability code
    trace_alerts: int = 0
    disputed_lines: int = 0  # reconciliation lines disputed (and still waiting)
    community: CommunitySummary | None = None


@dataclass
class CommunitySummary:
    """The county medical community this year: what it bought for its members and what the
    fund charged to its accounts (its statement), and each member's completion."""

    name: str
    members: int
    orders: int
    accepted: Decimal  # its members' accepted value this contract year
    charged: Decimal  # to the community's advance and allocation accounts
    completion: dict[str, Decimal | None] = field(default_factory=dict)  # member -> completion

    def figures(self) -> dict[str, str]:
        """The headline figures as strings (what the repeatability test compares)."""
        out = {
            "advances": str(self.advances),
            "payments": str(self.payments),
            "alerts": str(sum(self.alerts.values())),
            "credit": str(sorted(self.credit.items())),
            "trace": f"{self.coded_packages} {self.trace_alerts} {self.disputed_lines}",
        }
        for t in self.tenders:
            for name in ("savings", "completion", "agreed", "accepted", "deductions", "retained"):
                out[f"{t.tender_code} {name}"] = str(getattr(t, name))
        return out


def summarize(session: Session, world: World) -> Summary:
    regulator, fund, now = world.regulator.actor, world.fund.actor, world.now
    last, this, upcoming = world.rounds
    runs = settlement.list_runs(session, actor=fund)
    advances = [
        a
        for rnd in (last, this)
        for a in settlement.list_advances(session, actor=fund, tender_id=rnd.tender_id)
    ]
    alerts = compliance.list_alerts(session, actor=regulator)
    levels = compliance.credit_levels(session, now=now, actor=regulator)
    return Summary(
        tenders=[
            _tender(session, world, last.tender_id, "last year"),
            _tender(session, world, this.tender_id, "this year"),
        ],
        upcoming_code=upcoming.code,
        upcoming_lots=len(upcoming.lots),
        upcoming_bid_deadline=upcoming.timeline.bid_deadline,
        advances=sum((a.amount for a in advances), ZERO),
        payments=sum((r.total_amount for r in runs), ZERO),
        payment_runs=len(runs),
        alerts_open=sum(1 for a in alerts if a.status.value == "open"),
        alerts=Counter(a.kind.value for a in alerts),
        alert_steps=Counter(a.step.value for a in alerts if a.step.value != "none"),
        credit={s.name: s.level for s in levels if s.level != "none"},
        community=_community(session, world),
        **_trace_figures(session, world),
    )


def _community(session: Session, world: World) -> CommunitySummary | None:
    community = world.community
    if community is None:
        return None
    this = world.rounds[1]
    st = settlement.statement(
        session,
        party_id=community.org.id,
        period_from=this.timeline.contract_start,
        now=world.now,
        actor=world.fund.actor,
    )
    rows = compliance.progress_report(
        session,
        filters=compliance.Filters(tender_id=this.tender_id, contract_year=1),
        group_by="hospital",
        now=world.now,
        actor=community.org.actor,
    ).rows
    return CommunitySummary(
        name=community.org.name,
        members=len(community.members),
        orders=community.orders,
        accepted=st.summary["accepted_value"],
        charged=st.summary["charged_to_advance"] + st.summary["charged_to_allocation"],
        completion={row.label: row.completion for row in rows},
    )


def _trace_figures(session: Session, world: World) -> dict[str, int]:
    """Boxes shipped with codes, traceability alerts (the regulator's list) and disputed
    reconciliation lines (the fund office's list of held lines)."""
    boxes = session.scalar(
        select(func.count()).select_from(TracePackage).where(TracePackage.level == PackageLevel.BOX)
    )
    alerts = trace_alerts.list_alerts(session, actor=world.regulator.actor)
    held = recon.held_lines(session, actor=world.fund.actor)
    return {
        "coded_packages": boxes or 0,
        "trace_alerts": len(alerts),
        "disputed_lines": sum(1 for line in held if line.held_reason == HeldReason.DISPUTED),
    }


def _tender(session: Session, world: World, tender_id: int, label: str) -> TenderSummary:
    regulator, now = world.regulator.actor, world.now
    results = award.public_results(session, tender_id=tender_id)
    awarded = [lot for lot in results.lots if lot.status == "awarded"]
    filters = compliance.Filters(tender_id=tender_id, contract_year=1)
    total = compliance.progress_report(
        session, filters=filters, group_by="total", now=now, actor=regulator
    ).rows
    hospitals = compliance.progress_report(
        session, filters=filters, group_by="hospital", now=now, actor=regulator
    ).rows
    try:
        run, _ = compliance.get_year_end(
            session, tender_id=tender_id, contract_year=1, actor=regulator
        )
    except NotFound:
        run = None
    return TenderSummary(
        tender_id=tender_id,
        tender_code=results.tender.code,
        label=label,
        lots_awarded=len(awarded),
        lots_failed=len(results.lots) - len(awarded),
        winners=sum(len(lot.winners) for lot in awarded),
        savings=results.savings,
        agreed=total[0].agreed if total else 0,
        accepted=total[0].accepted if total else 0,
        completion=total[0].completion if total else None,
        hospitals_behind=sum(1 for h in hospitals if (h.completion or 0) < 1),
        hospitals_complete=sum(1 for h in hospitals if (h.completion or 0) >= 1),
        deductions=run.total_deduction if run else None,
        retained=run.total_retained if run else None,
    )


def yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"¥{amount:,.2f}"


def render(summary: Summary) -> list[str]:
    """The summary as terminal lines (Chinese terms beside the English ones)."""
    s = summary
    steps = ", ".join(f"{k} {v}" for k, v in sorted(s.alert_steps.items())) or "none"
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s.alerts.items())) or "none"
    credit = "; ".join(f"{name}: {level}" for name, level in sorted(s.credit.items())) or "none"
    lines = []
    for t in s.tenders:
        lines += _tender_lines(t)
    deadline = business_time(s.upcoming_bid_deadline)
    return [
        *lines,
        f"Open for bids: tender {s.upcoming_code}, {s.upcoming_lots} lots, bids close "
        f"{deadline:%Y-%m-%d %H:%M %Z}",
        f"Fund: advances (预付) {yuan(s.advances)}, direct payments (直接结算) "
        f"{yuan(s.payments)} in {s.payment_runs} runs",
        f"Alerts: {sum(s.alerts.values())} raised, {s.alerts_open} open ({kinds}); "
        f"escalated: {steps}",
        f"Supplier credit (信用评价): {credit}",
        f"Traceability (追溯码): {s.coded_packages} coded packages, {s.trace_alerts} "
        f"traceability alerts; reconciliation (对账): {s.disputed_lines} disputed lines",
        *_community_lines(s.community),
    ]


def _community_lines(c: CommunitySummary | None) -> list[str]:
    if c is None:
        return []
    done = ", ".join(
        f"{name} {'—' if v is None else f'{v * 100:.1f}%'}" for name, v in c.completion.items()
    )
    return [
        f"Medical community (医共体) {c.name}: {c.members} members, {c.orders} orders placed "
        f"and received for them; accepted {yuan(c.accepted)}, charged to the community's "
        f"accounts (统一结算) {yuan(c.charged)}",
        f"  Members' completion: {done or 'no contracts'}",
    ]


def _tender_lines(t: TenderSummary) -> list[str]:
    completion = "—" if t.completion is None else f"{t.completion * 100:.1f}%"
    lines = [
        f"Tender {t.tender_code} ({t.label}): {t.lots_awarded} lots awarded, {t.lots_failed} "
        f"failed (流标), {t.winners} winning bids",
        f"  Savings (节约资金, agreed volume x price cut, per year): {yuan(t.savings)}",
        f"  Completion (完成率): {completion} of {t.agreed:,} agreed units "
        f"({t.accepted:,} accepted); hospitals at 100% or more {t.hospitals_complete}, "
        f"below {t.hospitals_behind}",
    ]
    if t.deductions is not None:
        lines.append(
            f"  Year-end: budget deductions (下年度总额扣减) {yuan(t.deductions)}, "
            f"retained savings (结余留用) {yuan(t.retained)}"
        )
    return lines
