"""One contract year of purchase orders, month by month, through the orders services.

Hospitals order from each supplier on a cadence (a tertiary hospital monthly from its main
supplier and quarterly from the others, secondary hospitals and primary health centres twice a
year) what keeps them on their agreed pace; lagging hospitals order less,
idle ones stop after February. One supplier fails: it rejects some orders and confirms others
late; hospitals cancel part of those and buy a non-winning product instead. A few shipments
leave late and a few batches are partly rejected at receipt.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from procurement.contracts import services as contracts
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.demo import data
from procurement.demo.world import Org, Round, World, add_months, at
from procurement.demo.year_records import Line, Placed, YearTally
from procurement.orders import services as orders

MAIN_SUPPLIERS = 1  # a tertiary hospital's largest supplier, ordered from monthly
CADENCE = {"tertiary": 3, "secondary": 6, "primary": 6}  # months, for the other suppliers
PACE = {"normal": (0.96, 1.12), "lagging": (0.3, 0.55), "idle": (0.0, 0.0)}


class Year:
    """The state the walk keeps between months (what each hospital holds and has received)."""

    def __init__(self, session: Session, world: World, rnd: Round, rng: random.Random) -> None:
        self.session, self.world, self.round, self.rng = session, world, rnd, rng
        self.tally = YearTally()
        self.by_hospital: dict[int, dict[int, list[Line]]] = defaultdict(lambda: defaultdict(list))
        self.cadence: dict[tuple[int, int], int] = {}  # (hospital, supplier) -> months
        self.pace = {h.id: rng.uniform(*PACE[h.profile]) for h in world.hospitals}
        self.orgs = {o.id: o for o in [*world.hospitals, *world.makers]}
        self.failing = world.makers[1]
        self.substitutes: dict[int, list[tuple[int, Org]]] = defaultdict(list)
        self.pending: list[Placed] = []  # substitute orders, shipped with the late ones
        self._load()

    def _load(self) -> None:
        held = contracts.list_contracts(
            self.session, actor=self.world.regulator.actor, tender_id=self.round.tender_id
        )
        makers_of_lot: dict[int, set[int]] = defaultdict(set)
        value: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for c in held:
            self.by_hospital[c.hospital_id][c.manufacturer_id].append(
                Line(c.id, c.lot_id, c.agreed_volume, c.product.pack_size)
            )
            makers_of_lot[c.lot_id].add(c.manufacturer_id)
            value[c.hospital_id, c.manufacturer_id] += c.agreed_volume * c.unit_price
        tiers = {h.id: h.tier for h in self.world.hospitals}
        for hospital_id, suppliers in self.by_hospital.items():
            ranked = sorted(suppliers, key=lambda m: (-value[hospital_id, m], m))
            for rank, maker_id in enumerate(ranked):
                tier = tiers.get(hospital_id, "primary")  # a medical community's member
                main = tier == "tertiary" and rank < MAIN_SUPPLIERS
                self.cadence[hospital_id, maker_id] = 1 if main else CADENCE[tier]
        for lot in self.round.lots:
            for maker in self.world.makers:
                if maker.id in makers_of_lot[lot.id] or maker.profile == "barred":
                    continue
                for product_id in self.world.products.get((maker.code, lot.id), [])[-1:]:
                    self.substitutes[lot.id].append((product_id, maker))

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        self.world.clock.set(at(day, hour, minute))

    # -- one month ---------------------------------------------------------------------------

    def month(self, month: int) -> int:
        """Place, confirm, ship and receive the month's orders; returns the orders placed."""
        day = add_months(self.round.timeline.contract_start, month - 1).replace(day=3)
        self.session.expunge_all()  # nothing is kept across months: keep the session small
        self.at(day, 9)
        placed = self._place_all(month)
        self.at(day, 15)
        self._respond(placed)
        self.at(day + timedelta(days=1), 8)
        self._ship([p for p in placed if p.fate == "on_time"])
        self.at(day + timedelta(days=1), 16)
        self._receive([p for p in placed if p.fate == "on_time"])
        self.at(day + timedelta(days=2), 10)
        orders.detect_sla_breaches(self.session, now=self.world.now)
        self.at(day + timedelta(days=2), 14)
        self._late_responses(placed)
        self.at(day + timedelta(days=3), 10)
        late = [p for p in placed if p.fate == "late"] + self.pending
        self.pending = []
        self._ship(late)
        self.tally.late_shipments += len(late)
        self.at(day + timedelta(days=3), 16)
        self._receive(late)
        self.tally.months.append(len(placed))
        return len(placed)

    def present(self, day: date) -> tuple[int, int, int]:
        """The day before the demo's today: each tertiary hospital orders a month's pace from
        three suppliers. The morning's first order is shipped and received by the afternoon
        (the fund has it to pay); the evening's second is confirmed and shipped (on its way);
        the third waits for its supplier. Leaves work on every portal today. Returns (orders
        awaiting confirmation, shipments awaiting receipt, receipts awaiting payment)."""
        self.session.expunge_all()
        groups: list[list[Placed]] = [[], [], []]
        self.at(day, 8)
        for hospital in (h for h in self.world.hospitals if h.tier == "tertiary"):
            suppliers = sorted(self.by_hospital[hospital.id].items())[:3]
            for n, (maker_id, lines) in enumerate(suppliers):
                groups[n].append(self._order_a_month(hospital, maker_id, lines))
        received, on_the_way, waiting = groups
        self.at(day, 9)
        self._confirm(received)
        self.at(day, 10)
        self._ship(received)
        self.at(day, 15)
        self._receive(received)
        self.at(day, 17)
        self._confirm(on_the_way)
        self.at(day, 18)
        self._ship(on_the_way)
        self.tally.orders += sum(len(g) for g in groups)
        return len(waiting), len(on_the_way), len(received)

    def _order_a_month(self, hospital: Org, maker_id: int, lines: list[Line]) -> Placed:
        wanted = [
            orders.LineRequest(
                packs=max(1, math.ceil(line.agreed / 12 / line.pack)),
                contract_id=line.contract_id,
            )
            for line in lines
        ]
        result = orders.place_order(
            self.session,
            request=orders.OrderRequest(lines=wanted, delivery_address=f"{hospital.name} 药库"),
            now=self.world.now,
            actor=hospital.actor,
        )
        self.world.clock.advance(seconds=7)
        lots = {x.lot_id for x in lines}
        return Placed(result.order_id, hospital, self.orgs[maker_id], lots=lots)

    def _confirm(self, placed: list[Placed]) -> None:
        for p in placed:
            p.order = orders.confirm_order(
                self.session,
                order_id=p.order_id,
                now=self.world.now,
                actor=self.world.shipper(p.supplier, p.lots),
            )

    def _schedule(self, hospital: Org, maker_id: int) -> list[int]:
        """Order months: January, then every ``cadence`` months from a per-hospital offset
        (so the hospitals spread over the months)."""
        cadence = self.cadence[hospital.id, maker_id]
        offset = hospital.id % min(cadence, 3)
        return [1, *range(1 + offset + cadence, 13, cadence)]

    def _next_order(self, hospital: Org, maker_id: int, month: int) -> int | None:
        """The month after this one's order is due (13: none), or None if nothing is due."""
        if hospital.profile == "idle" and month > 2:
            return None
        months = self._schedule(hospital, maker_id)
        if month not in months:
            return None
        return next((m for m in months if m > month), 13)

    def _place_all(self, month: int) -> list[Placed]:
        placed = []
        for hospital in self.world.hospitals:
            for maker_id, lines in sorted(self.by_hospital[hospital.id].items()):
                until = self._next_order(hospital, maker_id, month)
                if until is None:
                    continue
                request = self._request(hospital, lines, until)
                if request is None:
                    continue
                result = orders.place_order(
                    self.session, request=request, now=self.world.now, actor=hospital.actor
                )
                placed.append(
                    Placed(
                        result.order_id,
                        hospital,
                        self.orgs[maker_id],
                        lots={x.lot_id for x in lines},
                    )
                )
                self.world.clock.advance(seconds=7)
        self.tally.orders += len(placed)
        return placed

    def _request(self, hospital: Org, lines: list[Line], until: int):
        """What covers the hospital's pace until the month of its next order."""
        pace = self.pace[hospital.id] * self.rng.uniform(0.9, 1.1)
        horizon = until - 1
        wanted = []
        for line in lines:
            target = line.agreed * pace * horizon / 12
            packs = math.ceil(max(0, target - line.ordered) / line.pack)
            if packs > 0:
                line.ordered += packs * line.pack
                wanted.append(orders.LineRequest(packs=packs, contract_id=line.contract_id))
        if not wanted:
            return None
        return orders.OrderRequest(lines=wanted, delivery_address=f"{hospital.name} 药库")

    def _respond(self, placed: list[Placed]) -> None:
        """Suppliers confirm; the failing one rejects some orders and sits on others."""
        for p in placed:
            draw = self.rng.random()
            if p.supplier.id == self.failing.id and draw < 0.35:
                reason = self.rng.choice(data.SHORTAGE_REASONS)
                orders.reject_order(
                    self.session,
                    order_id=p.order_id,
                    reason=reason,
                    now=self.world.now,
                    actor=p.supplier.actor,
                )
                p.fate = "rejected"
                self.tally.rejected += 1
                self._undo_ordered(p)
                continue
            if p.supplier.id == self.failing.id and draw < 0.6:
                p.fate = "unconfirmed"
                continue
            p.order = orders.confirm_order(
                self.session,
                order_id=p.order_id,
                now=self.world.now,
                actor=self.world.shipper(p.supplier, p.lots),
            )
            if self.rng.random() < (0.15 if p.supplier.id == self.failing.id else 0.008):
                p.fate = "late"
            self.world.clock.advance(seconds=3)

    def _undo_ordered(self, p: Placed) -> None:
        order = orders.get_order(
            self.session, order_id=p.order_id, now=self.world.now, actor=p.hospital.actor
        )
        by_contract = {ln.contract_id: ln for ln in self.by_hospital[p.hospital.id][p.supplier.id]}
        for line in order.lines:
            if line.contract_id in by_contract:
                by_contract[line.contract_id].ordered -= line.quantity

    def _late_responses(self, placed: list[Placed]) -> None:
        """Past the confirmation limit: half the unconfirmed orders are confirmed late, the
        hospitals cancel the rest and buy a non-winning product of the same generic instead."""
        for p in placed:
            if p.fate != "unconfirmed":
                continue
            if self.rng.random() < 0.5:
                p.order = orders.confirm_order(
                    self.session,
                    order_id=p.order_id,
                    now=self.world.now,
                    actor=self.world.shipper(p.supplier, p.lots),
                )
                p.fate = "late"
                self.tally.late_confirmed += 1
                continue
            order = orders.cancel_order(
                self.session,
                order_id=p.order_id,
                now=self.world.now,
                reason="供应商超时未确认",
                actor=p.hospital.actor,
            )
            p.fate = "cancelled"
            self.tally.cancelled += 1
            self._undo_ordered(p)
            self._substitute(p.hospital, order)

    def _substitute(self, hospital: Org, order) -> None:
        line = order.lines[0]
        options = self.substitutes.get(line.lot_id)
        if not options:
            return
        product_id, maker = options[0]
        packs = max(1, line.quantity // 20)
        request = orders.OrderRequest(
            lines=[
                orders.LineRequest(
                    packs=packs, product_id=product_id, unit_price=line.unit_price * 2
                )
            ],
            delivery_address=f"{hospital.name} 药库",
        )
        try:
            result = orders.place_order(
                self.session, request=request, now=self.world.now, actor=hospital.actor
            )
        except DomainError:
            self.session.rollback()
            return
        sub = Placed(result.order_id, hospital, maker, fate="late", lots={line.lot_id})
        sub.order = orders.confirm_order(
            self.session, order_id=sub.order_id, now=self.world.now, actor=maker.actor
        )
        self.tally.off_contract += 1
        self.tally.orders += 1
        self.pending.append(sub)

    def _ship(self, placed: list[Placed]) -> None:
        today = business_date(self.world.now)
        for p in placed:
            lines = [
                orders.ShipLine(
                    order_line_id=ln.id,
                    quantity=ln.quantity,
                    batch_no=f"{p.supplier.code}{today:%y%m}{ln.lot_id:03d}",
                    production_date=today - timedelta(days=self.rng.randrange(20, 120)),
                    expiry_date=today + timedelta(days=700),
                )
                for ln in p.order.lines
            ]
            shipment = orders.create_shipment(
                self.session,
                order_id=p.order_id,
                lines=lines,
                now=self.world.now,
                actor=self.world.shipper(p.supplier, p.lots),
            )
            p.shipment_id = shipment.id
            p.order = shipment  # what the receipt needs next
            self.tally.shipments += 1

    def _receive(self, placed: list[Placed]) -> None:
        for p in placed:
            got = []
            for sline in p.order.lines:
                rejected = 0
                pack = sline.quantity // max(1, sline.order_line.packs)
                if self.rng.random() < 0.02 and sline.quantity > pack:
                    rejected = pack * max(1, (sline.quantity // pack) // 10)
                    self.tally.rejected_batches += 1
                got.append(
                    orders.ReceiveLine(
                        shipment_line_id=sline.id,
                        accepted_quantity=sline.quantity - rejected,
                        rejected_quantity=rejected,
                        rejection_reason=self.rng.choice(data.REJECT_REASONS) if rejected else None,
                    )
                )
                self._accept(p, sline.order_line.contract_id, sline.quantity - rejected, rejected)
            orders.record_receipt(
                self.session,
                shipment_id=p.shipment_id,
                lines=got,
                now=self.world.now,
                actor=p.hospital.actor,
            )
            self.tally.receipts += 1

    def _accept(self, p: Placed, contract_id: int | None, accepted: int, rejected: int) -> None:
        """Book what was accepted; a rejected quantity is ordered again next time."""
        for line in self.by_hospital[p.hospital.id].get(p.supplier.id, []):
            if line.contract_id == contract_id:
                line.accepted += accepted
                line.ordered -= rejected
