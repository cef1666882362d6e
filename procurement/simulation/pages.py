"""Pages: the regulator's what-if rules (政策仿真) on a tender, on an uploaded file of bids, and
a kept simulation (table, chart, export, re-run)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from procurement.auth.models import OrgKind
from procurement.catalog.rules import PRESETS
from procurement.core.errors import DomainError
from procurement.simulation import services
from procurement.simulation.charts import chart_groups, spend_chart
from procurement.simulation.comparison import by_lot
from procurement.simulation.engine import MAX_SIMULATION_VARIANTS
from procurement.simulation.export import FORMATS
from procurement.simulation.schemas import SimulationStartSchema
from procurement.web.auth import page_actor, portal_required
from procurement.web.forms import FORM_ERRORS, PageForm
from procurement.web.labels import preset_label
from procurement.web.listing import Listing
from procurement.web.pages import add_nav
from procurement.web.session import get_session, now

bp = Blueprint("simulation_pages", __name__, template_folder="templates")
REGULATOR = portal_required(OrgKind.REGULATOR)
ROWS = 4  # variant rows on the form (the service allows MAX_SIMULATION_VARIANTS)
KEPT = Listing()  # kept simulations, newest first, 50 a page

add_nav(OrgKind.REGULATOR, _l("Simulations"), "simulation_pages.uploads", order=45)


class VariantsForm(PageForm):
    """The variant rows as typed: ``variants.<i>.preset|name|overrides`` (overrides one
    ``field = value`` a line); a row without a preset is left out."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        super().__init__(SimulationStartSchema(), initial=initial)
        self.rows: list[int] = []

    def variants(self) -> list[dict[str, Any]]:
        out = []
        for i in range(ROWS):
            preset = str(self.value(f"variants.{i}.preset")).strip()
            if not preset:
                continue
            self.rows.append(i)
            text = str(self.value(f"variants.{i}.overrides"))
            out.append(
                {
                    "preset": preset,
                    "name": str(self.value(f"variants.{i}.name")),
                    "overrides": self._overrides(i, text),
                }
            )
        return out

    def _overrides(self, i: int, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for line in text.replace(";", "\n").splitlines():
            if not line.strip():
                continue
            key, sep, raw = line.partition("=")
            if not sep or not key.strip():
                self.errors.setdefault(f"variants.{i}.overrides", []).append(
                    _("'%(line)s': write field = value", line=line.strip())
                )
                continue
            out[key.strip()] = _value(raw.strip())
        return out

    def refuse(self, error: DomainError) -> None:
        """The service's ``variants.<n>.<field>`` errors beside the row they came from."""
        fields = error.extra.get("errors") or {}
        if not fields:
            super().refuse(error)
            return
        get_session().rollback()
        for key, messages in fields.items():
            parts = key.split(".")
            if parts[0] != "variants" or len(parts) < 3:
                self.errors.setdefault(FORM_ERRORS, []).extend(messages)
                continue
            row = self.rows[int(parts[1])] if int(parts[1]) < len(self.rows) else 0
            name = ".".join(parts[3:])
            shown = [f"{name}: {m}" for m in messages] if name else messages
            self.errors.setdefault(f"variants.{row}.{parts[2]}", []).extend(shown)


def _value(raw: str) -> Any:
    """A JSON value (true, 2, [1, 2]) as itself; anything else as the text typed."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _presets() -> list[tuple[str, str]]:
    return [("", _("(none)")), *((name, preset_label(name)) for name in sorted(PRESETS))]


def _initial() -> dict[str, Any]:
    return {"variants.0.preset": "national-2025"}


@bp.get("/regulator/tenders/<int:tender_id>/simulations")
@REGULATOR
def tender_simulations(tender_id: int):
    return _tender_page(tender_id, VariantsForm(_initial()))


def _tender_page(tender_id: int, form: VariantsForm):
    session, actor = get_session(), page_actor()
    tender = services.simulable_tender(session, tender_id, actor)
    kept = services.list_simulations(session, actor=actor, tender_id=tender_id)
    return render_template(
        "simulation/start.html",
        tender=tender,
        page=KEPT.page_of(kept, tender_id=tender_id),
        form=form,
        rows=range(ROWS),
        presets=_presets(),
        limit=MAX_SIMULATION_VARIANTS,
    ), form.status


@bp.post("/regulator/tenders/<int:tender_id>/simulations")
@REGULATOR
def run_tender(tender_id: int):
    form = VariantsForm()
    variants = form.variants()
    if not form.errors:
        try:
            simulation = services.simulate_tender(
                get_session(), tender_id=tender_id, variants=variants, now=now(), actor=page_actor()
            )
        except DomainError as error:
            form.refuse(error)
        else:
            return redirect(url_for(".simulation", simulation_id=simulation.id))
    return _tender_page(tender_id, form)


@bp.get("/regulator/simulations")
@REGULATOR
def uploads():
    return _upload_page(VariantsForm(_initial()))


def _upload_page(form: VariantsForm):
    kept = services.list_simulations(get_session(), actor=page_actor())
    return render_template(
        "simulation/start.html",
        tender=None,
        page=KEPT.page_of(kept),
        form=form,
        rows=range(ROWS),
        presets=_presets(),
        limit=MAX_SIMULATION_VARIANTS,
    ), form.status


@bp.post("/regulator/simulations")
@REGULATOR
def run_upload():
    form = VariantsForm()
    variants = form.variants()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.errors.setdefault("file", []).append(_("Choose a CSV or XLSX file of bids."))
    if not form.errors:
        try:
            simulation = services.simulate_upload(
                get_session(),
                filename=upload.filename,
                content=upload.read(),
                variants=variants,
                now=now(),
                actor=page_actor(),
            )
        except DomainError as error:
            form.refuse(error)
        else:
            return redirect(url_for(".simulation", simulation_id=simulation.id))
    return _upload_page(form)


@bp.get("/regulator/simulations/<int:simulation_id>")
@REGULATOR
def simulation(simulation_id: int):
    session = get_session()
    kept = services.get_simulation(session, simulation_id=simulation_id, actor=page_actor())
    view = services.view(session, kept)
    lots = by_lot(view["variants"])
    names = [preset_label(v["name"]) if v["name"] else _("Current rules") for v in view["variants"]]
    chart = spend_chart(
        chart_groups(view["variants"], lots, _("Total")),
        names,
        testid="simulation-chart",
        title=_("Expected spend by lot and variant (yuan)"),
        failed=_("failed"),
    )
    return render_template(
        "simulation/simulation.html",
        sim=kept,
        view=view,
        lots=lots,
        names=names,
        chart=Markup(chart),
        formats=FORMATS,
    )


@bp.post("/regulator/simulations/<int:simulation_id>/rerun")
@REGULATOR
def rerun(simulation_id: int):
    again = services.rerun_simulation(
        get_session(), simulation_id=simulation_id, now=now(), actor=page_actor()
    )
    return redirect(url_for(".simulation", simulation_id=again.id))


@bp.get("/regulator/simulations/<int:simulation_id>/export.<fmt>")
@REGULATOR
def export(simulation_id: int, fmt: str):
    body, mimetype, name = services.export(
        get_session(),
        simulation_id=simulation_id,
        fmt=fmt if fmt in FORMATS else "csv",
        actor=page_actor(),
        baseline_name=_("Current rules"),
    )
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
