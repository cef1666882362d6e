"""Activating the award's backup supplier for a shortage (RULES.md 3 and 14).

Orders go only against a buyer's own contracts (one per buyer, lot, manufacturer and year) or
off-contract at the buyer's own price, tracked as a non-winning purchase; nothing let a buyer
order the lot from the backup the award named. Activation opens, for every buyer of the
shortage's region that holds a contract in force for the lot, a contract with the backup: the
backup's bid and product, its winning price, agreed volume 0 (so every unit is beyond-agreed at
the contract price, RULES.md 3), the same contract year and period. From then on the buyer's
new orders for the lot can go to the backup through the ordinary order path, and the orders
it receives are listed on the shortage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.award.models import AwardBidOutcome, AwardLotResult
from procurement.bidding.models import Bid
from procurement.compliance.alerts.models import Alert
from procurement.compliance.errors import (
    BackupAlreadyActive,
    BackupEndReason,
    BackupNotActive,
    NoBackupNamed,
    NothingToBackUp,
    ShortageNotOpen,
)
from procurement.compliance.shortage import rules as r
from procurement.compliance.shortage.models import (
    MAX_END_REASON,
    BackupActivation,
    BackupContract,
)
from procurement.compliance.shortage.services import get_shortage, is_open_shortage
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date
from procurement.core.messages import N_, Message


def backup_region(alert: Alert) -> str:
    """The region the backup serves: the shortage's level region, at most its province (the
    award names backups per province)."""
    level = r.Level(alert.level or r.Level.COUNTY)
    if level == r.Level.NATIONAL:
        level = r.Level.PROVINCE
    return r.region_at(alert.region_code or "", level)


def _in_region(code: str, region: str) -> bool:
    if region.endswith("0000"):
        return code[:2] == region[:2]
    if region.endswith("00"):
        return code[:4] == region[:4]
    return code == region


def activate_backup(
    session: Session, *, alert_id: int, now: datetime, actor: Actor
) -> BackupActivation:
    """Activate the award's backup supplier for an open shortage's region and lot (regulator):
    contracts with the backup for the region's buyers of the lot, agreed volume 0."""
    actor.require(OrgKind.REGULATOR, action="activate backup suppliers")
    case = get_shortage(session, alert_id=alert_id, actor=actor)
    alert = case.alert
    if not is_open_shortage(alert) or alert.lot_id is None:
        raise ShortageNotOpen(alert_id=alert_id)
    if case.activation is not None:
        raise BackupAlreadyActive(alert_id=alert_id)
    region = backup_region(alert)
    province = r.province_of(region)
    held = _held_contracts(session, alert.lot_id, region, business_date(now))
    bid = _backup_bid(session, alert.lot_id, province, held)
    if bid is None:
        raise NoBackupNamed(lot_id=alert.lot_id, province=province)
    price = _backup_price(session, bid, held)
    activation = BackupActivation(
        alert_id=alert.id,
        lot_id=alert.lot_id,
        region_code=region,
        bid_id=bid.id,
        manufacturer_id=bid.manufacturer_id,
        activated_at=now,
        activated_by_org_id=actor.org_id,
        activated_by_user_id=actor.user_id,
    )
    session.add(activation)
    opened = _open_contracts(session, held, bid, price, alert, now)
    if not opened:
        session.rollback()
        raise NothingToBackUp(region=region)
    session.flush()
    activation.contracts = [BackupContract(contract_id=c.id) for c in opened]
    record(
        session,
        action="compliance.backup_activated",
        subject_type="alert",
        subject_id=alert.id,
        now=now,
        actor=actor,
        payload={"bid": bid.id, "region": region, "contracts": [c.id for c in opened]},
    )
    session.commit()
    return activation


def end_backup(
    session: Session, *, alert_id: int, reason: str, now: datetime, actor: Actor
) -> BackupActivation:
    """End an active backup supply (regulator), with the reason (the shortage is over, the
    winner supplies again): the contracts it opened end today, so the region's buyers order
    the lot from their winners again. Orders already placed with the backup go on to delivery
    and payment; the shortage keeps them listed."""
    actor.require(OrgKind.REGULATOR, action=Message("end backup supplies"))
    case = get_shortage(session, alert_id=alert_id, actor=actor)
    activation = case.activation
    if activation is None or activation.ended_at is not None:
        raise BackupNotActive(alert_id=alert_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_END_REASON:
        raise BackupEndReason(
            errors={"reason": [N_("1 to 500 characters (MAX_END_REASON)")]}, limit=MAX_END_REASON
        )
    ended = []
    for link in activation.contracts:
        contract = link.contract
        if contract.status == ContractStatus.ACTIVE:
            contract.status, contract.updated_at = ContractStatus.ENDED, now
            ended.append(contract.id)
    activation.ended_at, activation.ended_by_user_id = now, actor.user_id
    activation.end_reason = reason
    record(
        session,
        action="compliance.backup_ended",
        subject_type="alert",
        subject_id=alert_id,
        now=now,
        actor=actor,
        payload={"reason": reason, "contracts": ended},
    )
    session.commit()
    return activation


def _held_contracts(session: Session, lot_id: int, region: str, today) -> list[Contract]:
    """The lot's contracts in force today with buyers of the region."""
    rows = session.execute(
        select(Contract, Organization.region_code)
        .join(Organization, Organization.id == Contract.hospital_id)
        .where(
            Contract.lot_id == lot_id,
            Contract.status == ContractStatus.ACTIVE,
            Contract.period_start <= today,
            Contract.period_end >= today,
        )
        .order_by(Contract.hospital_id, Contract.id)
    )
    return [c for c, code in rows if _in_region(code, region)]


def _backup_bid(session: Session, lot_id: int, province: str, held: list[Contract]) -> Bid | None:
    """The backup bid the confirmed award named for the province and lot."""
    runs = sorted({c.award_run_id for c in held})
    results = session.scalars(
        select(AwardLotResult)
        .where(AwardLotResult.lot_id == lot_id, AwardLotResult.run_id.in_(runs))
        .order_by(AwardLotResult.id.desc())
    )
    for result in results:
        bid_id = (result.backups or {}).get(province)
        if bid_id is not None:
            return session.get(Bid, int(bid_id))
    return None


def _backup_price(session: Session, bid: Bid, held: list[Contract]):
    """The backup's winning price per smallest unit (its award outcome), else its bid's."""
    price = session.scalar(
        select(AwardBidOutcome.award_unit_price)
        .join(AwardLotResult, AwardLotResult.id == AwardBidOutcome.lot_result_id)
        .where(
            AwardBidOutcome.bid_id == bid.id,
            AwardLotResult.run_id.in_(sorted({c.award_run_id for c in held})),
        )
    )
    return price if price is not None else bid.unit_price


def _open_contracts(session, held, bid, price, alert, now) -> list[Contract]:
    """One contract with the backup per buyer that has none with it for the lot and year."""
    have = {
        (c.hospital_id, c.contract_year)
        for c in session.scalars(
            select(Contract).where(
                Contract.lot_id == alert.lot_id, Contract.manufacturer_id == bid.manufacturer_id
            )
        )
    }
    opened, seen = [], set()
    for c in held:
        key = (c.hospital_id, c.contract_year)
        if c.manufacturer_id == bid.manufacturer_id or key in have or key in seen:
            continue
        seen.add(key)
        contract = Contract(
            tender_id=c.tender_id,
            lot_id=c.lot_id,
            hospital_id=c.hospital_id,
            manufacturer_id=bid.manufacturer_id,
            product_id=bid.product_id,
            bid_id=bid.id,
            award_run_id=c.award_run_id,
            contract_year=c.contract_year,
            period_start=c.period_start,
            period_end=c.period_end,
            unit_price=price,
            currency=c.currency,
            agreed_volume=0,
            region_code=c.region_code,
            status=ContractStatus.ACTIVE,
            reason=Message("Backup supply for shortage #{alert}", alert=alert.id),
            created_at=now,
            updated_at=now,
            activated_at=now,
        )
        session.add(contract)
        opened.append(contract)
    return opened
