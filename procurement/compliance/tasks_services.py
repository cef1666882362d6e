"""The compliance area's jobs: the year-end check and the compliance check. Both are
idempotent (a second run finds the year done, or nothing new), so both retry with backoff."""

from __future__ import annotations

from procurement.compliance.dashboard.services import fold_dashboard
from procurement.compliance.export_job_services import export_alerts, export_progress
from procurement.compliance.prices.export_job_services import KIND as PRICE_PAID_EXPORT
from procurement.compliance.prices.export_job_services import export_paid
from procurement.compliance.services import evaluate_alerts, import_credit_events
from procurement.compliance.yearend.services import run_year_end
from procurement.core.messages import N_, Message
from procurement.jobs import JobContext, RetryPolicy, task

RETRY = RetryPolicy(attempts=4, base_seconds=5.0)
CHECK_STEPS = 3  # credit events, alerts, the dashboard rollup


@task("compliance.year_end", retry=RETRY, title=N_("Year-end check"))
def year_end(ctx: JobContext, *, tender_id: int, contract_year: int) -> Message:
    run = run_year_end(
        ctx.session,
        tender_id=tender_id,
        contract_year=contract_year,
        now=ctx.now,
        actor=ctx.actor,
        progress=ctx.progress,
    )
    ctx.produced("year_end_run", run.id)
    return Message(
        "Year-end check of contract year {year} done: {deduction} deducted, {retained} retained.",
        year=contract_year,
        deduction=str(run.total_deduction),
        retained=str(run.total_retained),
    )


@task("compliance.check", retry=RETRY, title=N_("Compliance check"))
def compliance_check(ctx: JobContext) -> Message:
    session = ctx.session
    events = import_credit_events(session, now=ctx.now)
    ctx.progress(1, CHECK_STEPS)
    result = evaluate_alerts(session, now=ctx.now)
    ctx.progress(2, CHECK_STEPS)
    folded = fold_dashboard(session, now=ctx.now)
    ctx.progress(3, CHECK_STEPS)
    rollup = (
        Message("of tender {tender} year {year} current", tender=folded[0], year=folded[1])
        if folded
        else Message("not needed")
    )
    return Message(
        "credit events {events}; alerts raised {raised}, updated {updated}, resolved "
        "{resolved}, open {open}; dashboard rollup {rollup}",
        events=events,
        raised=result.raised,
        updated=result.updated,
        resolved=result.resolved,
        open=result.open,
        rollup=rollup,
    )


@task("compliance.progress_export", retry=RETRY, title=N_("Progress export"))
def progress_export(ctx: JobContext, *, filters: dict, group_by: str, fmt: str) -> Message:
    rows = export_progress(ctx, filters=filters, group_by=group_by, fmt=fmt)
    return Message("{n} rows exported.", n=rows)


@task("compliance.alerts_export", retry=RETRY, title=N_("Alerts export"))
def alerts_export(ctx: JobContext, *, ids: list[int], fmt: str) -> Message:
    rows = export_alerts(ctx, ids=ids, fmt=fmt)
    return Message("{n} rows exported.", n=rows)


@task(PRICE_PAID_EXPORT, retry=RETRY, title=N_("Price export"))
def price_paid_export(ctx: JobContext, *, product_id: int, filters: dict, fmt: str) -> Message:
    rows = export_paid(ctx, product_id=product_id, filters=filters, fmt=fmt)
    return Message("{n} rows exported.", n=rows)
