"""Organizations, users, passwords, tokens and the actor's permission checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from procurement.audit.models import AuditEvent
from procurement.audit.services import verify_chain
from procurement.auth import services
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, Role, province_of
from procurement.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.fixtures.auth import PASSWORD


def test_creating_an_organization_and_a_user_is_audited(db_session, clock):
    org = services.create_org(
        db_session,
        code="SH-HOSP-1",
        name="Ruijin Hospital",
        kind="hospital",
        region_code="310101",
        now=clock.now(),
    )
    user = services.create_user(
        db_session, org_code="SH-HOSP-1", username="li.na", password=PASSWORD, now=clock.now()
    )
    assert (org.kind, user.role, user.display_name) == (OrgKind.HOSPITAL, Role.STAFF, "li.na")
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["organization.created", "user.created"]
    assert verify_chain(db_session).ok


@pytest.mark.parametrize("code", ["31010", "3101011", "910000", "abcdef", ""])
def test_a_region_code_must_be_six_gbt_2260_digits(db_session, clock, code):
    with pytest.raises(ValidationFailed) as caught:
        services.create_org(
            db_session, code="X", name="X", kind="hospital", region_code=code, now=clock.now()
        )
    assert "region_code" in caught.value.extra["errors"]


def test_an_unknown_kind_is_a_field_error(db_session, clock):
    with pytest.raises(ValidationFailed) as caught:
        services.create_org(
            db_session, code="X", name="X", kind="pharmacy", region_code="310000", now=clock.now()
        )
    assert caught.value.extra["errors"] == {"kind": ["unknown organization kind 'pharmacy'"]}


def test_an_organization_code_is_unique(db_session, clock, make_org):
    make_org("hospital", code="DUP")
    with pytest.raises(Conflict, match="DUP"):
        make_org("fund", code="DUP")


def test_the_province_of_a_district_is_its_first_two_digits(db_session):
    assert province_of("310101") == "310000"
    assert province_of("440300") == "440000"


def test_a_user_needs_an_existing_organization(db_session, clock):
    with pytest.raises(NotFound, match="NOPE"):
        services.create_user(
            db_session, org_code="NOPE", username="u", password=PASSWORD, now=clock.now()
        )


def test_a_short_password_and_a_bad_role_are_field_errors(db_session, clock, make_org):
    org = make_org()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(
            db_session,
            org_code=org.code,
            username="u",
            password="short",
            role="boss",
            now=clock.now(),
        )
    assert set(caught.value.extra["errors"]) == {"password", "role"}


def test_a_username_is_unique(db_session, make_user):
    make_user(username="same")
    with pytest.raises(Conflict, match="same"):
        make_user(username="same")


def test_only_an_admin_of_the_organization_adds_its_users(db_session, clock, make_user):
    admin = make_user(role="admin")
    staff = make_user(org=admin.organization, role="staff")
    outsider_admin = make_user(role="admin")
    for actor in (services.actor_of(staff), services.actor_of(outsider_admin)):
        with pytest.raises(Forbidden):
            services.create_user(
                db_session,
                org_code=admin.organization.code,
                username=f"new-{actor.user_id}",
                password=PASSWORD,
                now=clock.now(),
                actor=actor,
            )
    created = services.create_user(
        db_session,
        org_code=admin.organization.code,
        username="new-by-admin",
        password=PASSWORD,
        now=clock.now(),
        actor=services.actor_of(admin),
    )
    assert created.organization_id == admin.organization_id


def test_passwords_are_stored_hashed_and_checked(db_session, make_user):
    user = make_user()
    assert PASSWORD not in user.password_hash
    assert services.authenticate(db_session, username=user.username, password=PASSWORD) == user
    assert services.authenticate(db_session, username=user.username, password="nope") is None
    user.active = False
    assert services.authenticate(db_session, username=user.username, password=PASSWORD) is None


def test_a_token_expires_at_the_end_of_its_validity(db_session, clock, make_user):
    actor = services.actor_of(make_user())
    issued = services.create_token(
        db_session, actor=actor, name="ci", now=clock.now(), valid_days=2
    )
    later = clock.now() + timedelta(days=2)
    assert services.actor_for_token(db_session, secret=issued.secret, now=clock.now()) == actor
    assert services.actor_for_token(db_session, secret=issued.secret, now=later) is None


def test_revoking_a_token_twice_is_a_conflict(db_session, clock, make_user):
    actor = services.actor_of(make_user())
    issued = services.create_token(db_session, actor=actor, name="ci", now=clock.now())
    services.revoke_token(db_session, actor=actor, token_id=issued.token.id, now=clock.now())
    with pytest.raises(Conflict):
        services.revoke_token(db_session, actor=actor, token_id=issued.token.id, now=clock.now())
    assert services.actor_for_token(db_session, secret=issued.secret, now=clock.now()) is None


def test_a_token_needs_a_name(db_session, clock, make_user):
    actor = services.actor_of(make_user())
    with pytest.raises(ValidationFailed):
        services.create_token(db_session, actor=actor, name=" ", now=clock.now())


def _actor(kind: OrgKind, role: Role) -> Actor:
    return Actor(1, 1, kind, role, "310000", "u")


@pytest.mark.parametrize("kind", list(OrgKind))
@pytest.mark.parametrize("role", list(Role))
def test_require_lets_only_the_named_kinds_write_and_viewers_only_read(kind, role):
    actor = _actor(kind, role)
    allowed = kind == OrgKind.REGULATOR
    if allowed and role != Role.VIEWER:
        actor.require(OrgKind.REGULATOR, action="publish a tender")
    else:
        with pytest.raises(Forbidden):
            actor.require(OrgKind.REGULATOR, action="publish a tender")
    if allowed:
        actor.require(OrgKind.REGULATOR, write=False, action="read a tender")


def test_a_refusal_says_who_may_act_and_what_the_actor_is(db_session):
    with pytest.raises(Forbidden) as caught:
        _actor(OrgKind.HOSPITAL, Role.STAFF).require(OrgKind.REGULATOR, action="open bids")
    assert caught.value.detail == (
        "Only a regulator organization may open bids; you act for a hospital."
    )
    assert caught.value.code == "wrong-organization-kind"
