"""The page foundations every portal list and form uses: ``web/listing.py`` (server-side pages,
filters and sorting) and ``web/forms.py`` (schema-backed forms that keep input; a form sent
twice is done once). Driven through a small app of their own, on the real database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Blueprint, redirect, render_template_string, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from procurement import create_app
from procurement.auth.models import FormSubmission, Organization, OrgKind
from procurement.web.forms import PageForm
from procurement.web.listing import Choice, DateFrom, DateTo, Listing, Sort, Text
from procurement.web.session import get_session

ORGS = Listing(
    filters=(
        Choice("kind", _l("Kind"), OrgKind, lambda q, v: q.where(Organization.kind == v)),
        Text("q", _l("Name"), lambda q, v: q.where(Organization.name.contains(v))),
        DateFrom("from", _l("From"), Organization.created_at),
        DateTo("to", _l("To"), Organization.created_at),
    ),
    sorts=(
        Sort("name", _l("Name"), Organization.name),
        Sort("code", _l("Code"), Organization.code),
    ),
    default_sort="code",
    tiebreak=Organization.id,
)

LIST_PAGE = """{% from "_listing.html" import filters, th, pager %}
{{ filters(page) }}<table>{{ th(page, 'name', 'Name') }}
{% for o in page.items %}<tr><td class="code">{{ o.code }}</td></tr>{% endfor %}</table>
{{ pager(page) }}"""


class NoteSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(max=20))
    copies = fields.Integer(required=True, validate=validate.Range(min=1))


FORM_PAGE = """{% from "_form.html" import field, form_errors %}
<form method="post">{{ form_guard() }}{{ form_errors(form) }}
{{ field(form, 'title', 'Title') }}{{ field(form, 'copies', 'Copies', type='number') }}</form>"""


@pytest.fixture
def mini(session_factory, clock):
    """An app with one list and one form page, wired to the test's database and clock."""
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": "sqlite://", "WTF_CSRF_ENABLED": False},
        session_factory=session_factory,
        clock=clock,
    )
    bp = Blueprint("mini", __name__)

    @bp.get("/orgs")
    def orgs():
        page = ORGS.paginate(get_session(), select(Organization))
        return render_template_string(LIST_PAGE, page=page)

    @bp.route("/note", methods=["GET", "POST"])
    def note():
        form = PageForm(NoteSchema())
        if form.submitted and form.validate():
            org = Organization(
                code=f"N{form.data['copies']}",
                name=form.data["title"],
                kind=OrgKind.HOSPITAL,
                region_code="310000",
                created_at=clock.now(),
            )
            get_session().add(org)
            get_session().commit()
            return redirect(f"/orgs?q={form.data['title']}")
        return render_template_string(FORM_PAGE, form=form), form.status

    @bp.post("/flash-refusal")
    def flash_refusal():
        from flask import flash

        flash("No.", "error")
        return redirect(request.path)

    app.register_blueprint(bp)
    return app


def _orgs(db_session, clock, count):
    for n in range(count):
        db_session.add(
            Organization(
                code=f"C{n:03d}",
                name=f"{'hospital' if n % 2 else 'maker'} {n:03d}",
                kind=OrgKind.HOSPITAL if n % 2 else OrgKind.MANUFACTURER,
                region_code="310000",
                created_at=clock.now() + timedelta(days=n),
            )
        )
    db_session.commit()


def codes(response):
    return re.findall(r'class="code">([^<]+)<', response.get_data(as_text=True))


def test_a_long_list_shows_fifty_a_page_with_the_total_and_links_that_keep_the_filters(
    mini, db_session, clock
):
    _orgs(db_session, clock, 120)
    client = mini.test_client()
    first = client.get("/orgs")
    assert codes(first) == [f"C{n:03d}" for n in range(50)]
    text = first.get_data(as_text=True)
    assert 'data-total="120"' in text
    assert "1–50 of 120" in text
    assert 'href="/orgs?page=3"' in text  # the last page is always linked
    third = client.get("/orgs?page=3")
    assert codes(third) == [f"C{n:03d}" for n in range(100, 120)]
    beyond = client.get("/orgs?page=999999999999999")  # shows the last page, never a 500
    assert codes(beyond) == codes(third)
    makers = client.get("/orgs?kind=manufacturer&sort=-name")
    shown = codes(makers)
    assert len(shown) == 50
    assert shown[0] == "C118"
    assert shown[-1] == "C020"
    assert 'href="/orgs?kind=manufacturer&amp;sort=-name&amp;page=2"' in makers.get_data(
        as_text=True
    )
    assert 'aria-sort="descending"' in makers.get_data(as_text=True)


def test_date_filters_are_business_days_and_bad_values_are_shown_not_fatal(mini, db_session, clock):
    _orgs(db_session, clock, 10)  # created on START + n days (START is 2026-01-05 09:00 UTC)
    client = mini.test_client()
    assert codes(client.get("/orgs?from=2026-01-07&to=2026-01-08")) == ["C002", "C003"]
    bad = client.get("/orgs?from=2026-13-01&kind=nurse")
    assert bad.status_code == 200
    assert len(codes(bad)) == 10  # the bad filters are ignored ...
    text = bad.get_data(as_text=True)
    assert 'id="f-from-error"' in text
    assert 'aria-invalid="true"' in text
    assert 'value="2026-13-01"' in text  # what was typed stays in the field


def test_a_form_keeps_what_was_typed_and_puts_each_error_beside_its_field(mini):
    client = mini.test_client()
    response = client.post("/note", data={"title": "x" * 25, "copies": "zero"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'value="{"x" * 25}"' in text
    assert 'value="zero"' in text
    title_input = re.search(r'<input id="in-title"[^>]*>', text).group(0)
    assert 'aria-describedby="in-title-error"' in title_input
    assert re.search(r'id="in-copies-error">[^<]*integer', text)
    empty = client.post("/note", data={"title": "", "copies": ""})
    assert 'id="in-title-error">Missing data' in empty.get_data(as_text=True)


def test_a_form_sent_twice_is_done_once_and_the_second_goes_where_the_first_went(mini, db_session):
    client = mini.test_client()
    data = {"title": "once", "copies": "2", "form_key": "k" * 32}
    first = client.post("/note", data=data)
    again = client.post("/note", data=data)
    assert first.status_code == 302
    assert first.location == "/orgs?q=once"
    assert again.status_code == 303
    assert again.location == "/orgs?q=once"
    made = db_session.scalar(select(func.count()).where(Organization.name == "once"))
    assert made == 1
    with client.session_transaction() as browser:
        assert ("info", "This form was already sent; nothing was done twice.") in browser[
            "_flashes"
        ]


def test_a_refused_form_gives_its_key_back(mini, db_session):
    client = mini.test_client()
    key = "r" * 32
    assert (
        client.post("/note", data={"title": "", "copies": "1", "form_key": key}).status_code == 422
    )
    assert db_session.get(FormSubmission, key) is None
    fixed = client.post("/note", data={"title": "fixed", "copies": "1", "form_key": key})
    assert fixed.status_code == 302
    flashed = client.post("/flash-refusal", data={"form_key": "f" * 32})
    assert flashed.status_code == 302
    assert db_session.get(FormSubmission, "f" * 32) is None  # refused by a flash: key returned


def test_old_form_keys_are_forgotten(mini, db_session, clock):
    client = mini.test_client()
    client.post("/note", data={"title": "old", "copies": "3", "form_key": "o" * 32})
    clock.advance(timedelta(days=2))
    client.post("/note", data={"title": "new", "copies": "4", "form_key": "n" * 32})
    keys = set(db_session.scalars(select(FormSubmission.key)))
    assert keys == {"n" * 32}
