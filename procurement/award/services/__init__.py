"""Award use cases: runs (start, list, read, compare), public results and bid outcomes.

Confirming a run writes contracts, so it lives downstream in ``procurement.contracts.services``.
"""

from procurement.award.services.inputs import RunOptions, inputs_digest, load_inputs
from procurement.award.services.results import (
    PublicResults,
    confirmed_run,
    public_results,
    published_tenders,
    tender_outcomes,
)
from procurement.award.services.runs import (
    RunComparison,
    ask_award_run,
    compare_award_runs,
    get_award_run,
    list_award_runs,
    owned_tender,
    start_award_run,
)

__all__ = [
    "PublicResults",
    "RunComparison",
    "RunOptions",
    "ask_award_run",
    "compare_award_runs",
    "confirmed_run",
    "get_award_run",
    "inputs_digest",
    "list_award_runs",
    "load_inputs",
    "owned_tender",
    "public_results",
    "published_tenders",
    "start_award_run",
    "tender_outcomes",
]
