"""The demo's traceability codes (追溯码, RULES.md 11): yesterday evening a few hospitals order a
small delivery, their suppliers register the product's 码上放心 prefix and ship it with one code
per box (the first boxes in a case, whose code stands for them), and the hospitals receive it by
scanning the codes; the ``hospital`` login's coded delivery is still on its way, to receive by
scan today. One package is diverted: ``hospital2`` scans a box another hospital received, and
the platform refuses it and raises a traceability alert. The receiving hospital dispenses two
boxes. Kept small (a few dozen codes) so the demo stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from procurement.demo.world import Org, World, at
from procurement.demo.year import Year
from procurement.orders import services as orders
from procurement.trace import services as trace
from procurement.trace.errors import ScanRefused
from procurement.trace.files import CodeRow
from procurement.trace.services.accepting import LineDecision, accept_scanned
from procurement.trace.services.dispensing import Movement, record_movements
from procurement.trace.services.scanning import scan_code

CODED_HOSPITALS = 5  # the hospital login, hospital2 and three more tertiary hospitals
CASE_BOXES = 4  # boxes in the case that opens each delivery
PREFIX_BASE = 6_000_000  # a product's 码上放心 prefix: 6000000 + its id, 7 digits
CASE_SERIAL = 9_000_000_000_000  # case serials stand apart from box serials


def prefix_of(product_id: int) -> str:
    return f"{PREFIX_BASE + product_id:07d}"


@dataclass
class Coded:
    hospital: Org
    shipment_id: int
    line_id: int
    case: str
    boxes: list[str] = field(default_factory=list)

    @property
    def scans(self) -> list[str]:
        """What the hospital scans: the case, then the loose boxes."""
        return [self.case, *self.boxes[CASE_BOXES:]]


class Tracing:
    def __init__(self, session: Session, world: World, year: Year) -> None:
        self.session, self.world, self.year = session, world, year
        self.packages = 0
        self.received = 0
        self.alerts = 0
        self.registered: set[int] = set()

    def evening(self, day: date) -> tuple[int, int, int]:
        """Coded deliveries on ``day`` evening; returns (boxes coded, deliveries received by
        scan, traceability alerts)."""
        hospitals = self._hospitals()
        self.world.clock.set(at(day, 18, 30))
        coded = [self._ship(hospital, n) for n, hospital in enumerate(hospitals)]
        self.world.clock.set(at(day, 20))
        _today, lagging, *others = coded  # the hospital login receives its own today
        for delivery in others:
            self._receive(delivery)
        self._divert(lagging, others[0].boxes[-1])
        self._receive(lagging)
        self.world.clock.set(at(day, 21))
        record_movements(
            self.session,
            codes=others[0].boxes[:2],
            movement=Movement.DISPENSE,
            now=self.world.now,
            actor=others[0].hospital.actor,
        )
        return self.packages, self.received, self.alerts

    def _hospitals(self) -> list[Org]:
        """The hospital login, hospital2 (the lagging one) and more tertiary hospitals, those
        with contracts of this year's tender (at a small scale, whoever has them)."""
        supplied = [h for h in self.world.hospitals if self.year.by_hospital.get(h.id)]
        ranked = sorted(
            supplied, key=lambda h: (h.tier != "tertiary", h.profile != "lagging", h.id)
        )
        login = ranked[0]
        lagging = next((h for h in supplied if h.profile == "lagging"), ranked[1])
        others = [h for h in ranked if h is not login and h is not lagging]
        return [login, lagging, *others[: CODED_HOSPITALS - 2]]

    def _ship(self, hospital: Org, n: int) -> Coded:
        """A small order (6 to 10 boxes) on one of the hospital's contracts, confirmed, shipped
        and coded by its supplier (or the supplier's distributor)."""
        maker_id, lines = sorted(self.year.by_hospital[hospital.id].items())[-1]
        line, supplier = lines[0], self.year.orgs[maker_id]
        placed = orders.place_order(
            self.session,
            request=orders.OrderRequest(
                lines=[orders.LineRequest(packs=6 + n, contract_id=line.contract_id)],
                delivery_address=f"{hospital.name} 药库",
            ),
            now=self.world.now,
            actor=hospital.actor,
        )
        shipper = self.world.shipper(supplier, {line.lot_id})
        order = orders.confirm_order(
            self.session, order_id=placed.order_id, now=self.world.now, actor=shipper
        )
        ordered = order.lines[0]
        today = self.world.now.date()
        shipment = orders.create_shipment(
            self.session,
            order_id=order.id,
            lines=[
                orders.ShipLine(
                    ordered.id,
                    ordered.quantity,
                    f"{supplier.code}{today:%y%m}T{n}",
                    today - timedelta(days=40),
                    today + timedelta(days=700),
                )
            ],
            now=self.world.now,
            actor=shipper,
        )
        self._register(ordered.product_id, supplier)
        return self._codes(hospital, shipment, ordered.product_id, shipper)

    def _register(self, product_id: int, supplier: Org) -> None:
        if product_id in self.registered:
            return
        trace.register_formats(
            self.session,
            product_id=product_id,
            prefix=prefix_of(product_id),
            gtin=None,
            pattern=None,
            now=self.world.now,
            actor=supplier.actor,
        )
        self.registered.add(product_id)

    def _codes(self, hospital: Org, shipment, product_id: int, shipper) -> Coded:
        line = shipment.lines[0]
        prefix = prefix_of(product_id)
        boxes = line.quantity // line.order_line.pack_size
        delivery = Coded(hospital, shipment.id, line.id, f"{prefix}{CASE_SERIAL + line.id:013d}")
        delivery.boxes = [f"{prefix}{line.id * 1000 + i:013d}" for i in range(1, boxes + 1)]
        rows = [
            CodeRow(i + 2, code, delivery.case if i < CASE_BOXES else None)
            for i, code in enumerate(delivery.boxes)
        ]
        trace.attach_codes(
            self.session, shipment_line_id=line.id, rows=rows, now=self.world.now, actor=shipper
        )
        self.packages += boxes
        return delivery

    def _receive(self, delivery: Coded) -> None:
        actor = delivery.hospital.actor
        for code in delivery.scans:
            scan_code(
                self.session,
                shipment_id=delivery.shipment_id,
                code=code,
                now=self.world.now,
                actor=actor,
            )
        accept_scanned(
            self.session,
            shipment_id=delivery.shipment_id,
            decisions=[LineDecision(delivery.line_id)],
            now=self.world.now,
            actor=actor,
        )
        self.received += 1

    def _divert(self, delivery: Coded, code: str) -> None:
        """``delivery``'s hospital scans a box another hospital received (回流药): refused,
        and the alert names both hospitals and times."""
        try:
            scan_code(
                self.session,
                shipment_id=delivery.shipment_id,
                code=code,
                now=self.world.now,
                actor=delivery.hospital.actor,
            )
        except ScanRefused:
            self.session.rollback()
            self.alerts += 1
