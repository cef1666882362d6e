"""Pages: related-bidder groups (RULES.md 10). The regulator records groups, their members and
the member a group names to bid on a tender or lot; a manufacturer sees its own group, read
only. No page here shows a bid."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.bidding import services
from procurement.bidding.models import BidderGroup
from procurement.bidding.pages import MANUFACTURER, REGULATOR, bp
from procurement.bidding.schemas import (
    GroupCreateSchema,
    GroupDesignationFormSchema,
    GroupMemberFormSchema,
)
from procurement.core.errors import DomainError
from procurement.web.auth import page_actor
from procurement.web.forms import PageForm
from procurement.web.listing import Listing, Sort, Text
from procurement.web.pages import add_nav
from procurement.web.session import get_session, now

add_nav(OrgKind.REGULATOR, _l("Related bidders"), "bidding_pages.groups", order=35)
add_nav(OrgKind.MANUFACTURER, _l("My group"), "bidding_pages.my_group", order=45)

GROUPS = Listing(
    filters=(Text("q", _l("Group name"), lambda q, v: q.where(BidderGroup.name.ilike(f"%{v}%"))),),
    sorts=(
        Sort("name", _l("Group name"), BidderGroup.name),
        Sort("created", _l("Recorded"), BidderGroup.created_at),
    ),
    default_sort="name",
    tiebreak=BidderGroup.id,
)


@bp.get("/regulator/groups")
@REGULATOR
def groups():
    """Every related-bidder group with its members."""
    page = GROUPS.paginate(get_session(), services.groups_query(page_actor()))
    return render_template("bidding/groups.html", page=page)


@bp.route("/regulator/groups/new", methods=["GET", "POST"])
@REGULATOR
def group_new():
    """Record a group of manufacturers under common control; members are added on its page."""
    form = PageForm(GroupCreateSchema())
    if form.submitted and form.validate():
        try:
            group = services.create_group(
                get_session(), data=form.data, now=now(), actor=page_actor()
            )
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Group %(name)s recorded.", name=group.name), "success")
            return redirect(url_for(".group", group_id=group.id))
    return render_template("bidding/group_new.html", form=form), form.status


def _options(group: BidderGroup, choices: services.GroupChoices) -> dict[str, list]:
    """The group forms' select options: (value, text), a blank "choose" first."""
    choose = [("", _("Choose…"))]
    tenders = choose + [(t.id, f"{t.code} {t.name}") for t in choices.tenders]
    lots = [("", _("Every lot"))] + [
        (lot.id, f"{t.code} · {lot.code} {lot.generic_name}")
        for t in choices.tenders
        for lot in t.lots
    ]
    return {
        "free": choose + [(o.id, o.name) for o, in_group in choices.manufacturers if not in_group],
        "members": choose + [(m.manufacturer_id, m.manufacturer.name) for m in group.members],
        "tenders": tenders,
        "lots": lots,
    }


def _group_page(group_id: int, member_form=None, named_form=None, status: int = 200):
    session, actor = get_session(), page_actor()
    group = services.get_group(session, group_id=group_id, actor=actor)
    page = render_template(
        "bidding/group.html",
        group=group,
        options=_options(group, services.group_choices(session, actor=actor)),
        member_form=member_form or PageForm(GroupMemberFormSchema(), {}),
        named_form=named_form or PageForm(GroupDesignationFormSchema(), {}),
    )
    return page, status


@bp.get("/regulator/groups/<int:group_id>")
@REGULATOR
def group(group_id: int):
    """A group: its members and the members it named to bid, with the forms that change them."""
    return _group_page(group_id)


def _change(group_id: int, form: PageForm, change, done: str, form_name: str):
    """Send a group form to its service: back to the group with a note, or re-shown with the
    refusal beside its fields."""
    if form.validate():
        try:
            change(get_session(), group_id=group_id, now=now(), actor=page_actor(), **form.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(done, "success")
            return redirect(url_for(".group", group_id=group_id))
    return _group_page(group_id, status=form.status, **{form_name: form})


def _remove(group_id: int, change, done: str, **ids: int):
    """A remove button: the change, or its refusal as a note on the group's page."""
    try:
        change(get_session(), group_id=group_id, now=now(), actor=page_actor(), **ids)
    except DomainError as error:
        get_session().rollback()
        flash(error.detail, "error")
    else:
        flash(done, "success")
    return redirect(url_for(".group", group_id=group_id))


@bp.post("/regulator/groups/<int:group_id>/members")
@REGULATOR
def group_member_add(group_id: int):
    form = PageForm(GroupMemberFormSchema())
    return _change(group_id, form, services.add_member, _("Member added."), "member_form")


@bp.post("/regulator/groups/<int:group_id>/members/<int:manufacturer_id>/remove")
@REGULATOR
def group_member_remove(group_id: int, manufacturer_id: int):
    return _remove(
        group_id, services.remove_member, _("Member removed."), manufacturer_id=manufacturer_id
    )


@bp.post("/regulator/groups/<int:group_id>/designations")
@REGULATOR
def group_designation_add(group_id: int):
    form = PageForm(GroupDesignationFormSchema())

    def name(session, **kwargs):
        data = {k: kwargs.pop(k) for k in ("tender_id", "lot_id", "manufacturer_id")}
        return services.name_bidder(session, data=data, **kwargs)

    return _change(group_id, form, name, _("Bidding member recorded."), "named_form")


@bp.post("/regulator/groups/<int:group_id>/designations/<int:designation_id>/remove")
@REGULATOR
def group_designation_remove(group_id: int, designation_id: int):
    done = _("Bidding member withdrawn.")
    return _remove(group_id, services.unname_bidder, done, designation_id=designation_id)


@bp.get("/manufacturer/group")
@MANUFACTURER
def my_group():
    """The manufacturer's related-bidder group, if the regulator recorded one (read only)."""
    found = services.list_groups(get_session(), actor=page_actor())
    return render_template("bidding/my_group.html", group=found[0] if found else None)
