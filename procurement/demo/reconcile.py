"""The demo's monthly reconciliation (对账, RULES.md 11) and invoices (两票制, RULES.md 11).

Last year's tender turns ``settlement.reconciliation`` on, so its deliveries are paid only once
reconciled: on the 2nd of each month the fund office issues last month's reconciliations
(``procurement settlement reconcile-month`` in production), and each shipper invoices the
hospital for the lines it delivered; the sides stay silent, so silence confirms them at the
deadline, closed before the month's settlement run on the 25th. Once, the demo's ``hospital``
login disputes one line of last year's final month with a reason: that line waits, held.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.demo.world import World, add_months, at
from procurement.orders.models import ReceiptLine, Shipment, ShipmentLine
from procurement.settlement.monthly import MAX_INVOICE_LINES
from procurement.settlement.services import invoices
from procurement.settlement.services import monthly_reconciliation as recon

DISPUTE_REASON = "到货 2 盒外包装破损，数量待核"


class Reconciling:
    def __init__(self, session: Session, world: World) -> None:
        self.session, self.world = session, world
        self.issued = 0
        self.invoices = 0
        self.disputed = 0

    def open_month(self, first: date, *, dispute: bool = False) -> None:
        """On the 2nd: issue the month before ``first``, then the shippers' invoices (and the
        dispute, when asked)."""
        fund = self.world.fund.actor
        self.world.clock.set(at(first.replace(day=2), 11))
        issued = recon.issue_month(
            self.session, month=add_months(first, -1), now=self.world.now, actor=fund
        )
        self.issued += len(issued)
        self.world.clock.set(at(first.replace(day=2), 14))
        for reconciliation in issued:
            self._invoice(reconciliation)
        if dispute and issued:
            self.world.clock.set(at(first.replace(day=2), 16))
            self._dispute(issued)

    def close(self, first: date) -> None:
        """Before the 25th's run: silence confirms every reconciliation past its deadline."""
        self.world.clock.set(at(first.replace(day=25), 9))
        recon.close_due(self.session, now=self.world.now, actor=self.world.fund.actor)

    def _invoice(self, reconciliation) -> None:
        """One invoice to the hospital per shipper (the manufacturer or its distributor) of
        the reconciliation's lines, at the accepted quantities and amounts."""
        ids = [line.receipt_line_id for line in reconciliation.lines]
        shippers = dict(
            self.session.execute(
                select(ReceiptLine.id, Shipment.shipper_id)
                .join(ShipmentLine, ShipmentLine.id == ReceiptLine.shipment_line_id)
                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                .where(ReceiptLine.id.in_(ids))
            ).all()
        )
        by_shipper: dict[int, list] = defaultdict(list)
        for line in reconciliation.lines:
            by_shipper[shippers[line.receipt_line_id]].append(line)
        for shipper_id, lines in sorted(by_shipper.items()):
            for start in range(0, len(lines), MAX_INVOICE_LINES):
                self._record(reconciliation, shipper_id, lines[start : start + MAX_INVOICE_LINES])

    def _record(self, reconciliation, shipper_id: int, lines: list) -> None:
        actor = self._actor(shipper_id)
        self.invoices += 1
        invoices.record_invoice(
            self.session,
            number=f"FP{reconciliation.month:%y%m}{self.invoices:06d}",
            issued_on=self.world.now.date(),
            amount=sum((line.amount for line in lines), Decimal("0.00")),
            recipient_id=reconciliation.hospital_id,
            lines=[
                {
                    "receipt_line_id": line.receipt_line_id,
                    "quantity": line.quantity,
                    "amount": line.amount,
                }
                for line in lines
            ],
            now=self.world.now,
            actor=actor,
        )

    def _actor(self, org_id: int):
        distributor = self.world.distributor
        if distributor is not None and distributor.id == org_id:
            return distributor.actor
        return next(m.actor for m in self.world.makers if m.id == org_id)

    def _dispute(self, issued: list) -> None:
        """The ``hospital`` login (or, if it had no deliveries, the first hospital issued)
        disputes its reconciliation's first line."""
        hospital = next(h for h in self.world.hospitals if h.tier == "tertiary")
        mine = [r for r in issued if r.hospital_id == hospital.id] or issued[:1]
        reconciliation = mine[0]
        actor = next(h.actor for h in self.world.hospitals if h.id == reconciliation.hospital_id)
        recon.dispute_line(
            self.session,
            reconciliation_id=reconciliation.id,
            line_id=reconciliation.lines[0].id,
            reason=DISPUTE_REASON,
            now=self.world.now,
            actor=actor,
        )
        self.disputed += 1
