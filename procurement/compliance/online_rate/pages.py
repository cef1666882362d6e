"""The online procurement rate page (regulator, fund office): months, level (institution,
county, city, province), institution type and region; each bad filter beside its field."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from procurement.auth.roles import InstitutionType
from procurement.compliance.common_pages import OVERSIGHT, bp
from procurement.compliance.online_rate import services
from procurement.compliance.online_rate.queries import LEVELS
from procurement.compliance.online_rate.schemas import OnlineRateArgs
from procurement.core.errors import DomainError
from procurement.web.auth import page_actor
from procurement.web.forms import PageForm
from procurement.web.labels import label
from procurement.web.session import get_session, now


@bp.get("/regulator/compliance/online-rate")
@OVERSIGHT
def online_rate():
    """网采率 per institution, county, city or province, filtered by institution type."""
    form = PageForm(OnlineRateArgs(), request.args)
    report, status = None, 200
    if form.validate():
        try:
            report = services.online_rate(
                get_session(), filters=services.filters_of(form.data, now()), actor=page_actor()
            )
        except DomainError as error:
            form.refuse(error)
    if report is None:
        status = 422
    return render_template(
        "compliance/online_rate.html",
        form=form,
        report=report,
        levels=LEVELS,
        type_options=[("", _("All types"))] + [(t.value, label(t)) for t in InstitutionType],
    ), status
