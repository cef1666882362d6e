"""The fund's and the regulator's side of the demo year, through the settlement and compliance
services: advances, monthly settlement runs, alerts and escalations, year-end and credit."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from procurement.compliance import services as compliance
from procurement.core.errors import DomainError
from procurement.demo.reconcile import Reconciling
from procurement.demo.shortage import file_reports
from procurement.demo.world import Round, World, add_months, at
from procurement.orders import services as orders
from procurement.settlement import services as settlement
from procurement.settlement.errors import NothingDue

SKIPPED_RUN_MONTH = 8  # the fund skips the 8th month's run (cash flow): those payments come late
FIRST_CHECK_MONTH = 2  # the monthly compliance check starts once the first month's orders are in
ESCALATION_MONTHS = (4, 6, 8, 10, 12)
LADDER_PICKS = (("public_notice", 1), ("reminder", 3), ("none", 8))
RESPONSES = {
    "hospital_behind": "已组织临床科室培训，下月起按月均衡采购中选产品。",
    "zero_purchase": "该院已完成药事委员会审议，近期恢复采购。",
    "supplier_unconfirmed": "已协调备用产线，保证按时确认订单。",
    "rejected_orders": "原料药已到货，恢复正常供应。",
}


@dataclass
class OversightTally:
    advances: int = 0
    runs: int = 0
    evaluations: Counter = field(default_factory=Counter)
    escalations: Counter = field(default_factory=Counter)
    responses: int = 0
    credit_events: int = 0
    shortage_reports: int = 0
    year_end_run: int = 0


class Oversight:
    def __init__(self, session: Session, world: World, rnd: Round, rng: random.Random) -> None:
        self.session, self.world, self.round, self.rng = session, world, rnd, rng
        self.tally = OversightTally()
        self.reconciling: Reconciling | None = None  # rounds paid after reconciliation

    def pay_advances(self) -> int:
        """At the start of the contract year the fund pays each hospital its advance; returns
        how many hospitals were paid."""
        start = self.round.timeline.contract_start
        self.world.clock.set(at(start + timedelta(days=1), 10))
        result = settlement.run_advances(
            self.session,
            tender_id=self.round.tender_id,
            contract_year=1,
            now=self.world.now,
            actor=self.world.fund.actor,
        )
        self.tally.advances = len(result.created)
        return self.tally.advances

    def open_month(self, month: int) -> None:
        """On the month's 2nd, last month's reconciliations are issued and invoiced (rounds
        with reconciliation on); this year's first month issues last year's final month, and
        the hospital login disputes a line of it."""
        if self.reconciling is not None:
            first = add_months(self.round.timeline.contract_start, month - 1)
            self.reconciling.open_month(first, dispute=self.round.batch == 2 and month == 1)

    def close_reconciliations(self, month: int) -> None:
        if self.reconciling is not None:
            first = add_months(self.round.timeline.contract_start, month - 1)
            self.reconciling.close(first)

    def settle(self, month: int) -> None:
        """The month's settlement run on the 25th for everything accepted until the 24th."""
        if month == SKIPPED_RUN_MONTH:
            return
        first = add_months(self.round.timeline.contract_start, month - 1)
        self._run(first.replace(day=24), at(first.replace(day=25), 10))

    def _run(self, cut_off: date, when) -> None:
        self.world.clock.set(when)
        try:
            settlement.start_run(
                self.session,
                cut_off=cut_off,
                idempotency_key=f"demo-{cut_off:%Y%m%d}",
                now=self.world.now,
                actor=self.world.fund.actor,
            )
        except NothingDue:
            self.session.rollback()
            return
        self.tally.runs += 1

    def watch(self, month: int) -> None:
        """Month end: the compliance check; some months the regulator escalates the oldest open
        alerts one step and their subjects answer."""
        first = add_months(self.round.timeline.contract_start, month - 1)
        self.world.clock.set(at(first.replace(day=28), 9))
        regulator = self.world.regulator.actor
        if month < FIRST_CHECK_MONTH:
            return
        self.tally.shortage_reports += file_reports(self.session, self.world, self.world.now)
        result = compliance.evaluate_alerts(self.session, now=self.world.now, actor=regulator)
        self.tally.evaluations.update(raised=result.raised, resolved=result.resolved)
        if month % 3 == 0:
            self.tally.credit_events += compliance.import_credit_events(
                self.session, now=self.world.now, actor=regulator
            )
        if month in ESCALATION_MONTHS:
            self._escalate()

    def _escalate(self) -> None:
        regulator = self.world.regulator.actor
        alerts = compliance.list_alerts(self.session, actor=regulator, status="open")
        alerts = sorted(alerts, key=lambda a: (a.raised_at, a.id))
        picked = []
        for step, count in LADDER_PICKS:  # the oldest at each step go one step up
            picked += [a for a in alerts if a.step.value == step][:count]
        alerts = picked
        orgs = {o.id: o for o in [*self.world.hospitals, *self.world.makers]}
        for alert in alerts:
            self.world.clock.advance(minutes=5)
            try:
                escalated = compliance.escalate_alert(
                    self.session,
                    alert_id=alert.id,
                    note="请限期整改并书面说明情况",
                    now=self.world.now,
                    actor=regulator,
                )
            except DomainError:
                self.session.rollback()  # already at the top of the ladder
                continue
            self.tally.escalations[str(escalated.step.value)] += 1
            subject = orgs.get(alert.subject_org_id or 0)
            note = RESPONSES.get(alert.kind.value)
            if subject is not None and note and self.rng.random() < 0.6:
                self.world.clock.advance(minutes=30)
                compliance.respond_to_alert(
                    self.session,
                    alert_id=alert.id,
                    note=note,
                    now=self.world.now,
                    actor=subject.actor,
                )
                self.tally.responses += 1

    def close_year(self) -> int:
        """January: the last run for December, the year-end check and the credit import.
        Returns the credit events of the year."""
        end = add_months(self.round.timeline.contract_start, 12)
        self._run(end - timedelta(days=1), at(end + timedelta(days=9), 10))
        regulator = self.world.regulator.actor
        self.world.clock.set(at(end + timedelta(days=14), 9))
        orders.detect_sla_breaches(self.session, now=self.world.now)
        # No compliance check after the year: December's open alerts stay open for follow-up
        # (a check now would resolve them all, the year being over).
        self.tally.credit_events += compliance.import_credit_events(
            self.session, now=self.world.now, actor=regulator
        )
        self.world.clock.advance(hours=2)
        run = compliance.run_year_end(
            self.session,
            tender_id=self.round.tender_id,
            contract_year=1,
            now=self.world.now,
            actor=regulator,
        )
        self.tally.year_end_run = run.id
        return self.tally.credit_events
