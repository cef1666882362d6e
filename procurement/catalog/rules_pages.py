"""The tender's rules page: every rules section with the preset's value and the tender's
override, editable in draft (a refusal shows each error beside its field and keeps what was
typed), read-only once the rules are frozen (then the frozen value is shown)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema

from procurement.catalog import rules_forms, services
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.pages import REGULATOR, bp
from procurement.catalog.services.overrides import canonical, rules_view
from procurement.core.errors import DomainError
from procurement.web.auth import page_actor, portal_required
from procurement.web.forms import PageForm
from procurement.web.labels import LABELS as LABELS_BY_ENUM
from procurement.web.session import get_session, now

SECTION_TITLES = {
    "compliance": _l("Compliance: progress, year end and credit"),
    "settlement": _l("Settlement"),
    "service_levels": _l("Service levels"),
    "pharmacy": _l("Pharmacies joining VBP"),
    "selection": _l("Winner selection"),
    "volume": _l("Agreed volume"),
    "allocation": _l("Allocation"),
    "demand": _l("Demand reporting"),
    "trace": _l("Traceability codes"),
}
LABELS = {
    "on_track_factor": _l("On-track factor (x time elapsed)"),
    "at_risk_factor": _l("At-risk factor (x time elapsed)"),
    "checks_from_month": _l("At-risk checks from month"),
    "non_winning_max_share": _l("Non-winning products: largest share"),
    "payment_deadline_days": _l("Payment deadline (days)"),
    "fund_payment_ratio": _l("Fund's direct payment ratio"),
    "retention_scheme": _l("Year-end retention scheme"),
    "grades": _l("Grades (name, minimum score, retention), best first"),
    "require_full_completion": _l("Retention only with full completion"),
    "score_weights": _l("Score weights (completion, payment, share), total 100"),
    "tiers": _l("Tiers (savings rate up to, share retained), lowest first"),
    "credit_points": _l("Credit points per event"),
    "credit_thresholds": _l("Credit thresholds (dishonest, seriously, especially)"),
    "credit_window_days": _l("Credit window (days)"),
    "late_delivery_min_hours": _l("Late delivery counts after (hours)"),
    "price_outlier_margin": _l("Price outlier: margin above the region's lowest"),
    "price_window_days": _l("Price outliers judged over (days)"),
    "advance_ratio": _l("Advance ratio"),
    "reconciliation": _l("Monthly reconciliation before payment"),
    "reconciliation_days": _l("Days to confirm a reconciliation"),
    "reconciliation_auto_confirm": _l("Silence confirms at the deadline"),
    "confirm_hours": _l("Hours to confirm an order"),
    "deliver_hours": _l("Hours to deliver"),
    "emergency_hours": _l("Hours for an emergency order"),
    "min_generic_names_store": _l("Least generic names a pharmacy store signs up for"),
    "min_generic_names_chain": _l("Least generic names a pharmacy chain signs up for"),
    "pharmacy_markup": _l("Pharmacy markup over the winning price"),
    "price_ratio_factor": _l("Strength price factor"),
    "max_winners_table": _l("Most winners by number of bidders"),
    "anchor_mode": _l("Anchor price"),
    "win_multiple": _l("Win multiple of the anchor"),
    "absolute_floors": _l("Absolute floors (yuan) by dosage class"),
    "cut_rule": _l("Price-cut rule"),
    "cut_threshold": _l("Price-cut threshold"),
    "revival": _l("Revival"),
    "accept_above_ceiling": _l("Accept quotes above the ceiling"),
    "related_bidders": _l("Related bidders count once"),
    "cost_disclosure": _l("Cost disclosure"),
    "cost_disclosure_ratio": _l("Cost disclosure below (x anchor)"),
    "cost_disclosure_days": _l("Cost breakdown due (days after opening)"),
    "cost_disclosure_required": _l("A missing breakdown voids the win"),
    "standard_ratios": _l("Agreed volume ratios by winners"),
    "restricted_antimicrobial_ratios": _l("Restricted antimicrobials: ratios by winners"),
    "contract_years_table": _l("Contract years by winners"),
    "granularity": _l("Allocation granularity"),
    "min_share": _l("Smallest share of a winner"),
    "max_share": _l("Largest share of a winner"),
    "every_winner_gets_a_region": _l("Every winner gets a region"),
    "solver": _l("Solver"),
    "time_limit_s": _l("Solver time limit (s)"),
    "mip_gap": _l("Solver gap"),
    "cost_basis": _l("Allocation compares prices by"),
    "brand_reporting": _l("Demand by brand"),
    "floor_share": _l("Demand floor (share of usage)"),
    "floor_mode": _l("Demand floor"),
    "floor_years": _l("Demand floor: years of usage"),
    "require_trace_codes": _l("The fund pays only packages whose codes were scanned"),
    "trace_codes_from": _l("Codes required for receipts from (date)"),
    "receive_without_code": _l("Packages may be accepted without a code, with a reason"),
    "expiry_alert_days": _l("Expiry alerts (days before expiry)"),
}


KEY_LABELS = {
    **LABELS_BY_ENUM["procurement.compliance.credit.models.CreditEventKind"],
    **LABELS_BY_ENUM["procurement.catalog.models.DosageClass"],
    "lowest": _l("the lowest valid quote"),
    "half_mean_or_lowest": _l("half the mean or the lowest quote"),
    "single": _l("one supplier per hospital"),
    "region": _l("one supplier per region"),
    "split": _l("split between suppliers"),
    "comparable": _l("comparable unit price"),
    "own": _l("own unit price"),
    "off": _l("off"),
    "refuse": _l("refuse a lower report"),
    "reason": _l("accept with a reason"),
    "city": _l("City districts"),
    "county": _l("Counties"),
    "remote": _l("Remote provinces"),
    "grades": _l("Grades"),
    "tiers": _l("Tiers"),
}


def _options(row: rules_forms.Row) -> list[tuple[str, object]]:
    """A flag's or a choice's options; the first keeps the preset's value."""
    if row.kind == "flag":
        return [("", _("as preset")), ("true", _("yes")), ("false", _("no"))]
    return [("", _("as preset"))] + [(c, KEY_LABELS.get(c, c)) for c in row.choices]


def _page(tender, form: PageForm):
    preset = rules_view(tender.rules_preset)
    return render_template(
        "catalog/tender_rules.html",
        tender=tender,
        form=form,
        sections=rules_forms.rows(preset),
        frozen=tender.rules_snapshot,
        editable=tender.status == TenderStatus.DRAFT,
        titles=SECTION_TITLES,
        labels=LABELS,
        text=rules_forms.text,
        key_labels=KEY_LABELS,
        options=_options,
    ), form.status


@bp.get("/regulator/tenders/<int:tender_id>/rules")
@portal_required(REGULATOR)
def tender_rules(tender_id: int):
    tender = services.get_tender(get_session(), tender_id=tender_id, actor=page_actor())
    given, _unknown = canonical(tender.rules_overrides)
    rows = rules_forms.rows(rules_view(tender.rules_preset))
    initial = rules_forms.initial(rows, given) | {"version": str(tender.version)}
    return _page(tender, PageForm(Schema(), initial=initial))


@bp.post("/regulator/tenders/<int:tender_id>/rules")
@portal_required(REGULATOR)
def tender_rules_save(tender_id: int):
    session = get_session()
    tender = services.get_tender(session, tender_id=tender_id, actor=page_actor())
    form = PageForm(Schema())
    rows = rules_forms.rows(rules_view(tender.rules_preset))
    version = form.value("version")
    try:
        services.update_tender(
            session,
            tender_id=tender_id,
            changes={"rules_overrides": rules_forms.overrides_from(rows, request.form)},
            expected_version=int(version) if str(version).isdigit() else None,
            now=now(),
            actor=page_actor(),
        )
    except DomainError as error:
        form.refuse(error)
        tender = services.get_tender(session, tender_id=tender_id, actor=page_actor())
        return _page(tender, form)
    flash(_("The tender's rules are saved."), "success")
    return redirect(url_for(".tender_rules", tender_id=tender_id))
