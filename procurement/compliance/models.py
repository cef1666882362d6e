"""Every compliance table (for Alembic and create_all): alerts, year-end results, supplier
credit and the dashboard rollup, each defined in its subpackage's ``models``; and the index
compliance reads off-contract order lines through."""

from __future__ import annotations

from sqlalchemy import Index

from procurement.compliance.alerts.models import (
    LADDER,
    Alert,
    AlertEscalation,
    AlertKind,
    AlertLevelChange,
    AlertResponse,
    AlertStatus,
    EscalationStep,
    Severity,
)
from procurement.compliance.credit.models import (
    CreditAppeal,
    CreditEvent,
    CreditEventKind,
    CreditEventStatus,
    CreditLevelRecord,
    CreditRepair,
)
from procurement.compliance.dashboard.models import Rollup, RollupGroup, RollupUnpaid
from procurement.compliance.shortage.models import (
    BackupActivation,
    BackupContract,
    ShortageListEntry,
    ShortageReport,
)
from procurement.compliance.yearend.models import YearEndLine, YearEndResult, YearEndRun
from procurement.orders.models import OrderLine

__all__ = [
    "LADDER",
    "Alert",
    "AlertEscalation",
    "AlertKind",
    "AlertLevelChange",
    "AlertResponse",
    "AlertStatus",
    "BackupActivation",
    "BackupContract",
    "CreditAppeal",
    "CreditEvent",
    "CreditEventKind",
    "CreditEventStatus",
    "CreditLevelRecord",
    "CreditRepair",
    "EscalationStep",
    "Rollup",
    "RollupGroup",
    "RollupUnpaid",
    "Severity",
    "ShortageListEntry",
    "ShortageReport",
    "YearEndLine",
    "YearEndResult",
    "YearEndRun",
]

# Off-contract order lines are few; compliance reads them by lot (non-winning share).
Index(
    "ix_order_lines_off_contract_lot",
    OrderLine.__table__.c.lot_id,
    postgresql_where=OrderLine.__table__.c.off_contract,
    sqlite_where=OrderLine.__table__.c.off_contract,
)
