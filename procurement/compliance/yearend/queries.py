"""Read side of the year-end check: the results of a run a person may see, as a select a
listing filters, sorts and pages."""

from __future__ import annotations

from sqlalchemy import Select, select

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.auth.services.scope import buyer_clause
from procurement.compliance.yearend.models import YearEndResult, YearEndRun


def visible_results(run: YearEndRun, actor: Actor) -> Select:
    """The run's results: oversight sees every hospital's, a hospital its own."""
    actor.require(
        OrgKind.REGULATOR,
        OrgKind.FUND,
        OrgKind.HOSPITAL,
        write=False,
        action="see year-end results",
    )
    query = select(YearEndResult).where(YearEndResult.run_id == run.id)
    if actor.org_kind == OrgKind.HOSPITAL:
        query = query.where(buyer_clause(YearEndResult.hospital_id, actor))
    return query
