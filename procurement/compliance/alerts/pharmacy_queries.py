"""Pharmacy conditions (RULES.md 12) as alert conditions: the pharmacy area finds them
(coverage of the list, prices charged above the cap, stock-outs); here they become cases,
raised once per key and closed by the check when they no longer hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from procurement.compliance.alerts.conditions_queries import Condition
from procurement.compliance.alerts.models import AlertKind, Severity
from procurement.pharmacy.services import findings

KINDS = {
    "coverage": (AlertKind.PHARMACY_COVERAGE, Severity.WARNING),
    "price": (AlertKind.PHARMACY_PRICE, Severity.HIGH),
    "stock_out": (AlertKind.PHARMACY_STOCK_OUT, Severity.WARNING),
}


def pharmacy_conditions(session: Session, now: datetime) -> list[Condition]:
    out = []
    for found in findings(session, now=now):
        kind, severity = KINDS[found.kind]
        out.append(
            Condition(
                kind=kind,
                key=found.key,
                severity=severity,
                detail=found.detail,
                subject_org_id=found.store_id,
                region_code=found.region_code,
                tender_id=found.tender_id,
                facts=found.facts,
            )
        )
    return out
