"""An organization's admin manages its own users from the pages (issue 15, item 10): add, set a
role, deactivate (sessions and tokens end, no login), reset a password; who may (the matrix);
every change audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from procurement.audit.models import AuditEvent
from procurement.auth import services
from procurement.auth.models import ApiToken, Role, User
from tests.fixtures.auth import PASSWORD


@pytest.fixture
def org(make_org, make_user):
    """A hospital with an admin and a staff user."""
    hospital = make_org("hospital")
    return {
        "org": hospital,
        "admin": make_user(hospital, role="admin", username="hadmin"),
        "staff": make_user(hospital, role="staff", username="hstaff"),
    }


@pytest.fixture
def admin(org, login, client):
    client.set_cookie("lang", "en")
    return login(org["admin"])


def _other_client(app):
    """Another browser (its own cookies) on the same app."""
    return app.test_client()


def _events(db_session, action):
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_admin_adds_a_user_who_gets_a_password_shown_once_and_can_log_in(
    admin, org, db_session, app, clock
):
    response = admin.post(
        "/account/users/new",
        data={"username": "nurse1", "display_name": "Nurse One", "role": "viewer"},
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    shown = re.search(r'<p class="secret" translate="no">([^<]+)</p>', page).group(1)
    assert len(shown) >= 12
    user = db_session.scalar(select(User).where(User.username == "nurse1"))
    assert (user.organization_id, user.role, user.active) == (org["org"].id, Role.VIEWER, True)
    assert shown not in user.password_hash  # only the hash is stored
    other = _other_client(app)
    logged_in = other.post("/login", data={"username": "nurse1", "password": shown})
    assert logged_in.status_code == 302
    [event] = _events(db_session, "user.created")[-1:]
    assert event.payload["username"] == "nurse1"
    again = admin.get(f"/account/users/{user.id}").get_data(as_text=True)
    assert shown not in again  # shown once


def test_the_add_form_keeps_what_was_typed_and_marks_each_field(admin, org):
    response = admin.post(
        "/account/users/new",
        data={"username": "hstaff", "display_name": "Dup", "role": "viewer", "password": "short"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Dup"' in page
    assert 'id="in-password-error"' in page  # the policy, beside the password
    assert "Use at least 12 characters." in page
    taken = admin.post(
        "/account/users/new", data={"username": "hstaff", "display_name": "Dup", "role": "staff"}
    )
    assert taken.status_code == 422
    text = taken.get_data(as_text=True)
    assert 'id="in-username-error"' in text
    assert "This username is taken; choose another." in text
    assert 'value="hstaff"' in text


def test_a_deactivated_user_is_logged_out_cannot_log_in_and_its_tokens_stop(
    admin, org, db_session, app, clock
):
    staff = org["staff"]
    theirs = _other_client(app)
    assert (
        theirs.post("/login", data={"username": "hstaff", "password": PASSWORD}).status_code == 302
    )
    issued = services.create_token(
        db_session, actor=services.actor_of(staff), name="erp", now=clock.now()
    )
    bearer = {"Authorization": f"Bearer {issued.secret}"}
    assert theirs.get("/api/v1/me", headers=bearer).status_code == 200
    response = admin.post(f"/account/users/{staff.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, staff.id).active is False
    assert db_session.get(ApiToken, issued.token.id).revoked_at is not None
    assert theirs.get("/account").status_code == 302  # the session ended: to the login page
    assert theirs.get("/api/v1/me", headers=bearer).status_code == 401
    assert (
        theirs.post("/login", data={"username": "hstaff", "password": PASSWORD}).status_code == 401
    )
    assert _events(db_session, "user.deactivated")[-1].payload == {"username": "hstaff"}
    admin.post(f"/account/users/{staff.id}/active", data={"active": "1"})
    assert (
        theirs.post("/login", data={"username": "hstaff", "password": PASSWORD}).status_code == 302
    )


def test_a_role_change_takes_effect_at_once_and_is_audited(admin, org, db_session, login, client):
    staff = org["staff"]
    admin.post(f"/account/users/{staff.id}/role", data={"role": "admin"})
    db_session.expire_all()
    assert db_session.get(User, staff.id).role == Role.ADMIN
    event = _events(db_session, "user.role_changed")[-1]
    assert (event.payload["from"], event.payload["to"]) == ("staff", "admin")


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(admin, org, db_session):
    me = org["admin"]
    refused = admin.post(
        f"/account/users/{me.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "last active admin" in refused.get_data(as_text=True)
    admin.post(f"/account/users/{me.id}/role", data={"role": "staff"})
    db_session.expire_all()
    assert (db_session.get(User, me.id).active, db_session.get(User, me.id).role) == (
        True,
        Role.ADMIN,
    )
    assert not _events(db_session, "user.deactivated")


def test_a_password_reset_by_the_admin_follows_the_policy_and_ends_the_sessions(
    admin, org, db_session, app, clock
):
    staff = org["staff"]
    theirs = _other_client(app)
    theirs.post("/login", data={"username": "hstaff", "password": PASSWORD})
    weak = admin.post(f"/account/users/{staff.id}/password", data={"password": "password"})
    assert weak.status_code == 422
    assert "This is one of the most common passwords" in weak.get_data(as_text=True)
    assert theirs.get("/account").status_code == 200  # nothing changed
    chosen = "a-new-long-passphrase-7"
    done = admin.post(f"/account/users/{staff.id}/password", data={"password": chosen})
    assert done.status_code == 200
    assert 'data-testid="new-password"' not in done.get_data(as_text=True)  # chosen, not shown
    assert theirs.get("/account").status_code == 302
    fresh = _other_client(app)
    assert fresh.post("/login", data={"username": "hstaff", "password": chosen}).status_code == 302
    generated = admin.post(f"/account/users/{staff.id}/password", data={"password": ""})
    assert 'data-testid="new-password"' in generated.get_data(as_text=True)
    assert len(_events(db_session, "user.password_reset")) == 2


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/account/users", None),
        ("GET", "/account/users/new", None),
        ("POST", "/account/users/new", {"username": "x1", "role": "staff"}),
        ("GET", "/account/users/{id}", None),
        ("POST", "/account/users/{id}/role", {"role": "viewer"}),
        ("POST", "/account/users/{id}/active", {"active": "0"}),
        ("POST", "/account/users/{id}/password", {"password": ""}),
    ],
)
def test_staff_cannot_manage_users_and_another_orgs_admin_cannot_touch_them(
    org, make_user, make_org, app, clock, db_session, method, path, data
):
    target = org["admin"]
    url = path.format(id=target.id)
    staff = _other_client(app)
    staff.post("/login", data={"username": "hstaff", "password": PASSWORD})
    assert staff.open(url, method=method, data=data).status_code == 403
    stranger = make_user(make_org("hospital"), role="admin", username="otheradmin")
    other = _other_client(app)
    other.post("/login", data={"username": stranger.username, "password": PASSWORD})
    answer = other.open(url, method=method, data=data)
    if "{id}" in path:
        assert answer.status_code == 404
    db_session.expire_all()
    user = db_session.get(User, target.id)
    assert (user.active, user.role) == (True, Role.ADMIN)
    assert db_session.scalar(select(User).where(User.username == "x1")) is None or (
        db_session.scalar(select(User.organization_id).where(User.username == "x1"))
        == stranger.organization_id
    )


def test_the_users_list_is_paged_and_filtered(admin, org, make_user):
    for n in range(55):
        make_user(org["org"], role="viewer", username=f"v{n:02d}")
    first = admin.get("/account/users").get_data(as_text=True)
    assert 'data-total="57"' in first
    assert first.count('data-user="') == 50
    viewers = admin.get("/account/users?role=viewer&page=2").get_data(as_text=True)
    assert viewers.count('data-user="') == 5
    assert 'data-user="hadmin"' not in viewers


def test_the_role_choices_are_in_the_pages_language(admin):
    page = admin.get("/account/users/new?lang=zh").get_data(as_text=True)
    assert '<option value="staff" selected>工作人员</option>' in page
    assert ">Staff<" not in page
