"""An organization's own users, managed by its admins: add a user, change a role, deactivate
and reactivate, reset a password. Every change is audited.

Who may: an active user with the ``admin`` role, for users of their own organization only; a
user of another organization is answered like a missing one (404). The organization always
keeps one active admin: the last one cannot be deactivated or given another role.
Deactivating ends the user's sessions (the session epoch moves) and revokes their API tokens;
a deactivated user cannot log in (``services.authenticate``) and no token of theirs works.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from procurement.audit.services import record
from procurement.auth import services
from procurement.auth.actor import Actor
from procurement.auth.errors import (
    AdminRoleRequired,
    LastAdmin,
    MemberNotFound,
    PasswordPolicy,
    UserNotValid,
)
from procurement.auth.models import ApiToken, Organization, Role, User
from procurement.auth.passwords import password_errors
from procurement.core.messages import Message

ROLES_SHOWN = ", ".join(r.value for r in Role)
GENERATED_PASSWORD_BYTES = 12  # secrets.token_urlsafe(12): 16 characters, over the minimum


def require_admin(actor: Actor | None, action: str) -> Actor:
    """Refuse unless the actor is an admin of their organization."""
    if actor is None or actor.role != Role.ADMIN:
        raise AdminRoleRequired(action=action)
    return actor


def members(actor: Actor) -> Select:
    """A select of the users of the admin's organization (pages add filters and paging)."""
    require_admin(actor, "manage its users")
    return select(User).where(User.organization_id == actor.org_id)


def get_member(session: Session, *, actor: Actor, user_id: int) -> User:
    """A user of the admin's organization; another organization's user is a 404 like a
    missing one."""
    require_admin(actor, "manage its users")
    user = session.get(User, user_id)
    if user is None or user.organization_id != actor.org_id:
        raise MemberNotFound(user_id=user_id)
    return user


@dataclass(frozen=True)
class Added:
    user: User
    password: str | None  # the generated password, shown once; None when the admin chose it


def add_member(
    session: Session,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    password: str | None,
    now: datetime,
) -> Added:
    """Add a user to the admin's organization. Without a password one is generated and
    returned once (only its hash is stored)."""
    require_admin(actor, "add users")
    org = session.get(Organization, actor.org_id)
    chosen = password or secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    user = services.create_user(
        session,
        org_code=org.code,
        username=username.strip(),
        password=chosen,
        role=role,
        display_name=display_name.strip() or None,
        now=now,
        actor=actor,
    )
    return Added(user, None if password else chosen)


def _active_admins(session: Session, org_id: int) -> int:
    """Active admins of the organization, counted under a lock of its row: two admins
    demoting each other at once cannot leave it with none."""
    session.execute(select(Organization.id).where(Organization.id == org_id).with_for_update())
    return session.scalar(
        select(func.count()).where(
            User.organization_id == org_id, User.role == Role.ADMIN, User.active.is_(True)
        )
    )


def _keep_an_admin(session: Session, user: User) -> None:
    last = user.role == Role.ADMIN and user.active
    if last and _active_admins(session, user.organization_id) <= 1:
        raise LastAdmin(username=user.username)


def set_role(session: Session, *, actor: Actor, user_id: int, role: str, now: datetime) -> User:
    """Give a user of the organization another role (admin, staff, viewer)."""
    user = get_member(session, actor=actor, user_id=user_id)
    try:
        new = Role(role)
    except ValueError:
        raise UserNotValid(
            errors={"role": [Message("role must be one of {roles}", roles=ROLES_SHOWN)]}
        ) from None
    if new == user.role:
        return user
    if new != Role.ADMIN:
        _keep_an_admin(session, user)
    old, user.role = user.role, new  # sessions and tokens read the role on every request
    record(
        session,
        action="user.role_changed",
        subject_type="user",
        subject_id=user.id,
        now=now,
        actor=actor,
        payload={"username": user.username, "from": old.value, "to": new.value},
    )
    session.commit()
    return user


def set_active(
    session: Session, *, actor: Actor, user_id: int, active: bool, now: datetime
) -> User:
    """Deactivate a user (their sessions end, their API tokens are revoked, they cannot log
    in) or reactivate one."""
    user = get_member(session, actor=actor, user_id=user_id)
    if user.active == active:
        return user
    if not active:
        _keep_an_admin(session, user)
        user.session_epoch += 1
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    user.active = active
    record(
        session,
        action="user.reactivated" if active else "user.deactivated",
        subject_type="user",
        subject_id=user.id,
        now=now,
        actor=actor,
        payload={"username": user.username},
    )
    session.commit()
    return user


def reset_password(
    session: Session, *, actor: Actor, user_id: int, password: str | None, now: datetime
) -> str | None:
    """Set a user's password (under the policy) or generate one, returned once; the user's
    sessions end. Returns the generated password, or None when the admin chose it."""
    user = get_member(session, actor=actor, user_id=user_id)
    chosen = password or secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    if problems := password_errors(chosen, username=user.username):
        raise PasswordPolicy(errors={"password": problems})
    user.password_hash = generate_password_hash(chosen, method=services.PASSWORD_HASH_METHOD)
    user.password_changed_at = None  # set by the admin: the user should choose their own
    user.session_epoch += 1
    record(
        session,
        action="user.password_reset",
        subject_type="user",
        subject_id=user.id,
        now=now,
        actor=actor,
        payload={"username": user.username, "generated": not password},
    )
    session.commit()
    return None if password else chosen
