"""Compliance use cases: progress, alerts and escalation, year-end, supplier credit."""

from procurement.compliance.alerts.services import (
    Evaluation,
    escalate_alert,
    evaluate_alerts,
    get_alert,
    list_alerts,
    resolve_alert,
    respond_to_alert,
)
from procurement.compliance.credit.appeals_services import (
    appeal_credit_event,
    decide_appeal,
    repair_credit,
)
from procurement.compliance.credit.services import (
    Standing,
    credit_levels,
    import_credit_events,
    list_credit_events,
    record_credit_event,
)
from procurement.compliance.online_rate.services import OnlineRateReport, online_rate
from procurement.compliance.progress.queries import Filters
from procurement.compliance.progress.services import ProgressReport, progress_report
from procurement.compliance.yearend.services import get_year_end, list_year_ends, run_year_end

__all__ = [
    "Evaluation",
    "Filters",
    "OnlineRateReport",
    "ProgressReport",
    "Standing",
    "appeal_credit_event",
    "credit_levels",
    "decide_appeal",
    "escalate_alert",
    "evaluate_alerts",
    "get_alert",
    "get_year_end",
    "import_credit_events",
    "list_alerts",
    "list_credit_events",
    "list_year_ends",
    "online_rate",
    "progress_report",
    "record_credit_event",
    "repair_credit",
    "resolve_alert",
    "respond_to_alert",
    "run_year_end",
]
