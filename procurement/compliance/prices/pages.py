"""Pages: price monitoring (价格监测) for the regulator and the fund: the monthly price index of
a generic name and dosage form (chart and table), today's outliers with their alert cases, the
products bought, and one product's prices per institution (chart and table); every table as
CSV or XLSX (``format``). Linked from the regulator's navigation and dashboard."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from procurement.auth.models import OrgKind
from procurement.compliance import rules as compliance_rules
from procurement.compliance.common_pages import OVERSIGHT, bp, provinces
from procurement.compliance.export import table_response
from procurement.compliance.prices import export, services
from procurement.compliance.prices.calc import outlier_key, spec
from procurement.compliance.prices.charts import PriceBar, index_chart, price_chart
from procurement.compliance.prices.export_job_services import ask_paid_export
from procurement.core.errors import DomainError
from procurement.core.limits import INLINE_EXPORT_LINES
from procurement.jobs.pages import after_asking
from procurement.web.api import Schema
from procurement.web.auth import page_actor
from procurement.web.forms import PageForm
from procurement.web.pages import add_nav
from procurement.web.regions import region_label
from procurement.web.session import get_session, now

add_nav(OrgKind.REGULATOR, _l("Prices"), "compliance_pages.prices", order=82)
add_nav(OrgKind.FUND, _l("Prices"), "compliance_pages.prices", order=60)
SEP = " · "  # between the generic name and the dosage form of the group chooser


class FilterForm(Schema):
    region = fields.String(load_default=None)
    first = fields.String(data_key="from", load_default=None)
    last = fields.String(data_key="to", load_default=None)
    group = fields.String(load_default=None)


def _form() -> tuple[PageForm, services.Filters]:
    form = PageForm(FilterForm(), {k: v for k, v in request.args.items() if k != "format"})
    form.validate()
    data = form.data
    return form, services.Filters(data.get("region"), data.get("first"), data.get("last"))


def _regions() -> list[tuple[str, str]]:
    return [(code, region_label(code)) for code in provinces(get_session())]


def _download(fmt: str, name: str, header, rows):
    return table_response(name, header, rows, fmt)


@bp.get("/compliance/prices")
@OVERSIGHT
def prices():
    """The index of the chosen generic name and form, the outliers and the products bought."""
    session, actor, fmt = get_session(), page_actor(), request.args.get("format")
    form, filters = _form()
    try:
        overview = services.products_bought(session, filters=filters, actor=actor, now=now())
        found = services.price_outliers(session, filters=filters, actor=actor, now=now())
        group = _group(session, overview, form.data.get("group"), filters)
    except DomainError as error:
        form.refuse(error)
        return _page(form, None, [], None, {}), form.status
    if fmt in ("csv", "xlsx"):
        table = request.args.get("table")
        if table == "outliers":
            return _download(
                fmt, "price-outliers", export.OUTLIERS_HEADER, export.outlier_rows(found)
            )
        if table == "index" and group is not None:
            return _download(fmt, "price-index", export.INDEX_HEADER, export.index_rows(group))
        return _download(
            fmt, "price-products", export.PRODUCTS_HEADER, export.product_rows(overview)
        )
    return _page(form, overview, found, group, services.open_alerts(session, found))


def _group(session, overview, chosen: str | None, filters):
    groups = overview.groups
    if not groups:
        return None
    name, form = groups[0]
    if chosen and SEP in chosen:
        name, form = chosen.split(SEP, 1)
    return services.price_index(
        session, generic_name=name, dosage_form=form, filters=filters, actor=page_actor(), now=now()
    )


def _page(form, overview, found, group, alerts):
    chart = None
    if group is not None and group.index.base is not None:
        chart = index_chart(
            group.index.points,
            testid="index-chart",
            title=_(
                "Price index of %(name)s (%(form)s)",
                name=group.generic_name,
                form=group.dosage_form,
            ),
            base_label=_("base %(month)s = 100", month=group.index.base),
        )
    return render_template(
        "compliance/prices.html",
        form=form,
        overview=overview,
        found=found,
        group=group,
        chart=chart,
        alerts=alerts,
        key=outlier_key,
        spec=spec,
        region_options=_regions(),
        group_options=[(f"{g}{SEP}{f}", f"{g}{SEP}{f}") for g, f in overview.groups]
        if overview
        else [],
        margin=compliance_rules.ComplianceRules().price_outlier_margin,
        window=compliance_rules.ComplianceRules().price_window_days,
        args={k: v for k, v in request.args.items() if k not in ("format", "table")},
    )


@bp.get("/compliance/prices/products/<int:product_id>")
@OVERSIGHT
def product_prices(product_id: int):
    """What every institution paid for one product, with the chart."""
    session, actor = get_session(), page_actor()
    form, filters = _form()
    try:
        report = services.product_prices(
            session, product_id=product_id, filters=filters, actor=actor, now=now()
        )
    except DomainError as error:
        if not (error.extra.get("errors")):
            raise
        form.refuse(error)
        return (
            render_template(
                "compliance/prices_product.html", form=form, report=None, region_options=_regions()
            ),
            422,
        )
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx") and len(report.rows) > INLINE_EXPORT_LINES:  # made by a job
        job = ask_paid_export(session, product_id=product_id, filters=filters, fmt=fmt, actor=actor)
        return after_asking(
            job, back=url_for("compliance_pages.product_prices", product_id=product_id)
        )
    if fmt in ("csv", "xlsx"):
        return _download(fmt, "price-paid", export.PAID_HEADER, export.paid_rows(report))
    found = services.price_outliers(session, filters=filters, actor=actor, now=now())
    over = {
        (f.institution.id, f.outlier.region): f for f in found if f.outlier.product_id == product_id
    }
    bars = [
        PriceBar(
            str(r.institution.id),
            r.institution.name,
            r.average,
            r.lowest_in_region,
            (r.institution.id, r.paid.region) in over,
            _(
                "%(units)s units, lowest in the region %(lowest)s",
                units=r.paid.quantity,
                lowest=r.lowest_in_region,
            ),
        )
        for r in report.rows
    ]
    chart = price_chart(
        bars, testid="paid-chart", title=_("Average unit price paid by institution")
    )
    return render_template(
        "compliance/prices_product.html",
        form=form,
        report=report,
        chart=chart,
        over=over,
        alerts=services.open_alerts(session, list(over.values())),
        key=outlier_key,
        spec=spec,
        region_options=_regions(),
        args={k: v for k, v in request.args.items() if k != "format"},
    )
