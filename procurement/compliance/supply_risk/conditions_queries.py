"""The supply-risk alert condition (RULES.md 3, 备供): a region of a lot in a running contract
year whose award named no backup supplier, or one whose spare capacity is under the rule's
share of the region's agreed volume (``risk.BACKUP_MIN_COVER``). One open alert per
lot and region (raised once by the compliance check, closed when a backup with spare capacity
is there)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.regions import region_name
from procurement.catalog.models import Lot
from procurement.compliance.alerts.conditions_queries import Condition, running_years
from procurement.compliance.alerts.models import AlertKind, Severity
from procurement.compliance.supply_risk import queries
from procurement.compliance.supply_risk.risk import RegionRisk, assess, units
from procurement.core.messages import Message


def backup_conditions(session: Session, now: datetime) -> list[Condition]:
    """no_backup per lot and region of every running contract year."""
    found: list[Condition] = []
    for tender_id, number in running_years(session, now):
        year = queries.contract_year(session, tender_id, now)
        if year is None or year.number != number:
            continue
        lots = list(session.scalars(select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.id)))
        for item in queries.lot_inputs(session, lots, year, now, late=False):
            risk = assess(item)
            found += [
                _condition(region, tender_id, item.lot_id, item.code, number)
                for region in risk.without_backup
            ]
    return found


def _condition(region: RegionRisk, tender_id: int, lot_id: int, code: str, year: int) -> Condition:
    if region.backup is None:
        severity = Severity.HIGH
        detail = Message(
            "Lot {lot}: no backup supplier for region {region} ({agreed} units agreed).",
            lot=code,
            region=region_name(region.region) or region.region,
            agreed=units(region.agreed),
        )
    else:
        severity = Severity.WARNING
        detail = Message(
            "Lot {lot}: backup {name} for region {region} has too little spare capacity "
            "({spare} units for {agreed} agreed).",
            lot=code,
            name=region.backup.winner.name,
            region=region_name(region.region) or region.region,
            spare=units(region.backup.spare),
            agreed=units(region.agreed),
        )
    return Condition(
        AlertKind.NO_BACKUP,
        f"no_backup:t{tender_id}:y{year}:l{lot_id}:r{region.region}",
        severity,
        detail,
        region_code=region.region,
        tender_id=tender_id,
        lot_id=lot_id,
        contract_year=year,
        facts={
            "agreed": region.agreed,
            "backup_id": None if region.backup is None else region.backup.winner.id,
            "backup_spare": None if region.backup is None else region.backup.spare,
        },
    )
