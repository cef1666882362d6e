"""The compliance pages' blueprint and what its views share: guards, reading whole numbers
from the query string, and running one action with a flashed outcome."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.models import InstitutionType, Organization, OrgKind
from procurement.compliance.errors import NotWholeNumber, UnknownFilterValue
from procurement.core.errors import DomainError
from procurement.core.messages import N_
from procurement.web.auth import page_actor, portal_required
from procurement.web.labels import label
from procurement.web.session import get_session, now

bp = Blueprint("compliance_pages", __name__, template_folder="templates")
REGULATOR = portal_required(OrgKind.REGULATOR)
OVERSIGHT = portal_required(OrgKind.REGULATOR, OrgKind.FUND)
OWN = portal_required(OrgKind.HOSPITAL, OrgKind.MANUFACTURER)


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise NotWholeNumber(errors={name: [N_("not a number")]}, name=name)
    return int(value)


def act(fn, ok: str, target: str, **kwargs):
    session = get_session()
    try:
        fn(session, now=now(), actor=page_actor(), **kwargs)
    except DomainError as error:
        session.rollback()
        flash(error.detail, "error")
    else:
        flash(ok, "success")
    return redirect(target)


def own_url() -> str:
    return url_for(f"compliance_pages.{page_actor().org_kind.value}_own")


def buyer_types(session: Session, keys) -> dict[str, InstitutionType | None]:
    """{str(organization id): its institution type} of the buyers among ``keys`` (a row's key
    on the progress, dashboard and year-end pages)."""
    ids = [int(k) for k in keys if str(k).isdigit()]
    if not ids:
        return {}
    orgs = session.scalars(select(Organization).where(Organization.id.in_(ids)))
    return {str(org.id): org.buyer_type for org in orgs}


def type_arg(name: str = "type") -> str | None:
    """An institution type filter from the query string (422 beside the field if unknown)."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if value not in {t.value for t in InstitutionType}:
        raise UnknownFilterValue(errors={name: [N_("not an institution type")]}, value=value)
    return value


def type_choices() -> list[tuple[str, str]]:
    return [(t.value, label(t)) for t in InstitutionType]


def provinces(session: Session) -> list[str]:
    """The provinces (region codes ending 0000) of the organizations, for region filters."""
    province = func.substr(Organization.region_code, 1, 2) + "0000"
    return list(session.scalars(select(province).distinct().order_by(province)))


@bp.app_template_global("compliance_region")
def region_text(code: str | None) -> str:
    """A region as people read it: its GB/T 2260 name where the site knows names (the shared
    ``web.regions`` filter, when present), else its code. One place to swap."""
    try:
        from procurement.web.regions import region_label  # type: ignore[import-not-found]
    except ImportError:
        return code or "—"
    return region_label(code)
