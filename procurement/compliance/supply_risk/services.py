"""Supply risk (供应风险监测) of an awarded tender and of one lot, for the regulator and the
fund: computed on demand from the contracts, bids, award and orders (nothing stored), and the
alert condition "a region without a backup with spare capacity" for the compliance check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.roles import OrgKind
from procurement.catalog.models import Lot, Tender
from procurement.catalog.services.common import visible_lot, visible_tender
from procurement.compliance.errors import SupplyRiskBeforeContracts
from procurement.compliance.supply_risk import queries
from procurement.compliance.supply_risk.risk import LotRisk, assess

__all__ = ["LotReport", "TenderReport", "lot_supply_risk", "tender_supply_risk"]

ACTION = "see supply risk"


@dataclass(frozen=True)
class TenderReport:
    tender: Tender
    year: queries.Year
    lots: list[LotRisk]  # highest score first

    @property
    def without_backup(self) -> int:
        return sum(len(lot.without_backup) for lot in self.lots)


@dataclass(frozen=True)
class LotReport:
    tender: Tender
    lot: Lot
    year: queries.Year
    risk: LotRisk


def _year(session: Session, tender: Tender, now: datetime) -> queries.Year:
    year = queries.contract_year(session, tender.id, now)
    if year is None:
        raise SupplyRiskBeforeContracts(tender_id=tender.id)
    return year


def tender_supply_risk(
    session: Session, *, tender_id: int, actor: Actor, now: datetime
) -> TenderReport:
    """Every lot's supply risk in the running (else latest) contract year, riskiest first
    (regulator and fund)."""
    actor.require(OrgKind.REGULATOR, OrgKind.FUND, write=False, action=ACTION)
    tender = visible_tender(session, tender_id, actor)
    year = _year(session, tender, now)
    lots = [assess(i) for i in queries.lot_inputs(session, list(tender.lots), year, now)]
    lots.sort(key=lambda lot: (-lot.score, -lot.hhi, lot.code))
    return TenderReport(tender, year, lots)


def lot_supply_risk(session: Session, *, lot_id: int, actor: Actor, now: datetime) -> LotReport:
    """One lot's supply risk: regions x winners with shares, backups, headroom and the
    winners' late-delivery trend (regulator and fund)."""
    actor.require(OrgKind.REGULATOR, OrgKind.FUND, write=False, action=ACTION)
    lot = visible_lot(session, lot_id, actor)
    year = _year(session, lot.tender, now)
    (item,) = queries.lot_inputs(session, [lot], year, now)
    return LotReport(lot.tender, lot, year, assess(item))
