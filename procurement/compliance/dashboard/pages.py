"""The regulator's dashboard (its portal home) with its charts and figures."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import Organization
from procurement.catalog.services import get_tender
from procurement.compliance.common_pages import (
    OVERSIGHT,
    REGULATOR,
    bp,
    buyer_types,
    int_arg,
    region_text,
    type_choices,
)
from procurement.compliance.dashboard import charts
from procurement.compliance.dashboard.services import dashboard as dashboard_data
from procurement.compliance.dashboard.todo_queries import hospitals_without_demand, regulator_todo
from procurement.compliance.progress.pages import progress_link as _link
from procurement.compliance.progress.queries import Filters, furthest_behind
from procurement.web.auth import page_actor
from procurement.web.listing import Choice, Listing, Sort, Text
from procurement.web.session import get_session, now


def _bars(rows, filters: Filters, group: str, arg: str, factor: Decimal):
    """Bars of completion; each one's warning line is ``factor`` x its time elapsed."""
    return [
        charts.Bar(
            str(r.key),
            r.label,
            r.completion,
            _link(filters, group_by="hospital" if group != "hospital" else "lot", **{arg: r.key}),
            r.time_progress * factor,
        )
        for r in rows
    ]


@bp.get("/regulator/compliance")
@OVERSIGHT
def dashboard():
    tender = int_arg("tender")
    data = dashboard_data(
        get_session(), tender_id=tender, year=int_arg("year"), now=now(), actor=page_actor()
    )
    filters = Filters(tender_id=data.tender.id if data.tender else None, contract_year=data.year)
    groups = data.groups
    region_chart = charts.bar_chart(
        _bars(groups["region"], filters, "region", "region", data.on_track_factor),
        testid="chart-region",
        title=_("Completion by region"),
    )
    lot_chart = charts.bar_chart(
        _bars(groups["lot"], filters, "lot", "lot", data.on_track_factor),
        testid="chart-lot",
        title=_("Completion by lot"),
    )
    curve = charts.line_chart(
        [
            charts.Point(day, done, tp, _link(filters, group_by="hospital"))
            for day, done, tp in data.curve
        ],
        testid="chart-curve",
        title=_("Completion against time elapsed"),
    )
    return render_template(
        "compliance/dashboard.html",
        d=data,
        f=filters,
        link=_link,
        region_chart=region_chart,
        lot_chart=lot_chart,
        curve=curve,
        hospitals=groups["hospital"],
        types=buyer_types(get_session(), [r.key for r in groups["hospital"]]),
        type_choices=type_choices(),
        todo=regulator_todo(get_session(), now=now(), actor=page_actor()),
        suppliers=furthest_behind(groups["manufacturer"]),
    )


def _named(statement, text: str):
    return statement.where(Organization.name.contains(text, autoescape=True))


MISSING = Listing(
    filters=(
        Text("hospital", _l("Hospital"), _named),
        Choice(
            "region",
            _l("Region"),
            lambda: [(code, region_text(code)) for code in _scope()],
            lambda q, v: q.where(Organization.region_code.startswith(v[:2])),
        ),
    ),
    sorts=(
        Sort("name", _l("Hospital"), Organization.name),
        Sort("region", _l("Region"), Organization.region_code),
    ),
    default_sort="name",
    tiebreak=Organization.id,
)


def _scope() -> list[str]:
    tender = get_tender(get_session(), tender_id=request.view_args["tender_id"], actor=page_actor())
    return sorted(tender.region_scope or [])


@bp.get("/regulator/compliance/missing-demand/<int:tender_id>")
@REGULATOR
def missing_demand(tender_id: int):
    session = get_session()
    tender = get_tender(session, tender_id=tender_id, actor=page_actor())
    page = MISSING.paginate(session, hospitals_without_demand(tender), tender_id=tender_id)
    return render_template("compliance/missing_demand.html", tender=tender, page=page)
