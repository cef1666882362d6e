"""Use cases for organizations, users and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session, object_session
from werkzeug.security import check_password_hash, generate_password_hash

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.errors import (
    BadInstitutionType,
    BadParentOrganization,
    DuplicateOrganization,
    DuplicateUser,
    NotOrganizationAdmin,
    OrganizationFieldsMissing,
    OrganizationNotFound,
    TokenAlreadyRevoked,
    TokenNameMissing,
    TokenNotFound,
    TokenValidityOutOfRange,
    UnknownOrganizationKind,
    UserNotValid,
)
from procurement.auth.models import (
    ApiToken,
    InstitutionType,
    Organization,
    OrgKind,
    Role,
    User,
    check_region_code,
)
from procurement.auth.passwords import password_errors
from procurement.core.limits import MAX_TOKEN_VALID_DAYS
from procurement.core.messages import N_, Message
from procurement.db.backends import backend

TOKEN_PREFIX = "pt_"
# werkzeug's default (scrypt). The test suite lowers it: hashing dominated its run time.
PASSWORD_HASH_METHOD = "scrypt"


def actor_of(user: User) -> Actor:
    org = user.organization
    members = _member_ids(object_session(user), org.id, org.institution_type)
    return Actor(user.id, org.id, org.kind, user.role, org.region_code, user.username, members)


def _member_ids(
    session: Session | Connection | None, org_id: int, institution_type: InstitutionType | None
) -> tuple[int, ...]:
    """A county medical community's members (it acts for them); () for any other organization."""
    if institution_type != InstitutionType.MEDICAL_COMMUNITY or session is None:
        return ()
    query = select(Organization.id).where(Organization.parent_id == org_id)
    return tuple(sorted(session.scalars(query.order_by(Organization.id))))


def create_org(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    region_code: str,
    now: datetime,
    actor: Actor | None = None,
    institution_type: str | None = None,
    parent_code: str | None = None,
    address: str | None = None,
) -> Organization:
    """Register an organization (regulator, fund, buyer, manufacturer or distributor).

    A buyer (kind ``hospital``) has an institution type (default ``hospital``) and, for a
    medical community's member or a chain's store, the parent's code."""
    try:
        org_kind = OrgKind(kind)
    except ValueError:
        raise UnknownOrganizationKind(
            errors={"kind": [Message("unknown organization kind '{kind}'", kind=kind)]},
            kinds=", ".join(k.value for k in OrgKind),
        ) from None
    check_region_code(region_code)
    missing = {f: [N_("required")] for f, v in (("code", code), ("name", name)) if not v.strip()}
    if missing:
        raise OrganizationFieldsMissing(errors=missing)
    if session.scalar(select(Organization.id).where(Organization.code == code)):
        raise DuplicateOrganization(org_code=code)
    buyer_type, parent_id = _buyer_type_and_parent(session, org_kind, institution_type, parent_code)
    org = Organization(
        code=code,
        name=name,
        kind=org_kind,
        region_code=region_code,
        created_at=now,
        institution_type=buyer_type,
        parent_id=parent_id,
        address=(address or "").strip()[:200] or None,
    )
    session.add(org)
    session.flush()
    record(
        session,
        action="organization.created",
        subject_type="organization",
        subject_id=org.id,
        now=now,
        actor=actor,
        payload={"code": code, "kind": kind},
    )
    session.commit()
    return org


def _buyer_type_and_parent(
    session: Session, kind: OrgKind, type_name: str | None, parent_code: str | None
) -> tuple[InstitutionType | None, int | None]:
    if kind != OrgKind.HOSPITAL:
        if type_name or parent_code:
            raise BadInstitutionType(
                errors={"institution_type": [N_("only a buyer has an institution type")]},
                types=", ".join(t.value for t in InstitutionType),
            )
        return None, None
    try:
        buyer_type = InstitutionType(type_name or InstitutionType.HOSPITAL)
    except ValueError:
        raise BadInstitutionType(
            errors={"institution_type": [Message("unknown type '{t}'", t=type_name)]},
            types=", ".join(t.value for t in InstitutionType),
        ) from None
    if not parent_code:
        return buyer_type, None
    parent = session.scalar(select(Organization).where(Organization.code == parent_code))
    if parent is None or parent.institution_type not in buyer_type.parent_types:
        raise BadParentOrganization(
            errors={"parent_code": [Message("'{code}' cannot be its parent", code=parent_code)]},
            child=buyer_type.value,
            parents=", ".join(sorted(t.value for t in buyer_type.parent_types)) or "-",
        )
    return buyer_type, parent.id


def create_user(
    session: Session,
    *,
    org_code: str,
    username: str,
    password: str,
    role: str = "staff",
    display_name: str | None = None,
    now: datetime,
    actor: Actor | None = None,
) -> User:
    """Add a user to an organization with a hashed password."""
    org = session.scalar(select(Organization).where(Organization.code == org_code))
    if org is None:
        raise OrganizationNotFound(org_code=org_code)
    if actor is not None and not (actor.org_id == org.id and actor.role == Role.ADMIN):
        raise NotOrganizationAdmin()
    errors: dict[str, list[str]] = {}
    if role not in {r.value for r in Role}:
        errors["role"] = [
            Message("role must be one of {value}", value=", ".join(r.value for r in Role))
        ]
    if password_problems := password_errors(password, username=username):
        errors["password"] = password_problems
    if not username.strip():
        errors["username"] = [N_("required")]
    if errors:
        raise UserNotValid(errors=errors)
    if session.scalar(select(User.id).where(User.username == username)):
        raise DuplicateUser(username=username)
    user = User(
        organization=org,
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password, method=PASSWORD_HASH_METHOD),
        role=Role(role),
        created_at=now,
    )
    session.add(user)
    session.flush()
    record(
        session,
        action="user.created",
        subject_type="user",
        subject_id=user.id,
        now=now,
        actor=actor,
        payload={"username": username, "org": org_code, "role": role},
    )
    session.commit()
    return user


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anyone's password", method=method)


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong).

    The same hash work for every answer: an unknown username is checked against a dummy hash,
    so response times do not tell which usernames exist.
    """
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None else _dummy_hash(PASSWORD_HASH_METHOD)
    matches = check_password_hash(stored, password)
    if user is None or not user.active or not matches:
        return None
    return user


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once; only its hash is stored


def create_token(
    session: Session, *, actor: Actor, name: str, now: datetime, valid_days: int | None = None
) -> IssuedToken:
    """Issue an API token for the acting user. The secret is returned once, stored hashed."""
    if not name.strip():
        raise TokenNameMissing(errors={"name": [N_("required")]})
    if valid_days is not None and not 1 <= valid_days <= MAX_TOKEN_VALID_DAYS:
        raise TokenValidityOutOfRange(
            errors={
                "valid_days": [
                    Message(
                        "1..{MAX_TOKEN_VALID_DAYS} (MAX_TOKEN_VALID_DAYS)",
                        MAX_TOKEN_VALID_DAYS=MAX_TOKEN_VALID_DAYS,
                    )
                ]
            },
            maximum=MAX_TOKEN_VALID_DAYS,
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.user_id,
        name=name.strip(),
        prefix=secret[:10],
        token_hash=_hash_token(secret),
        created_at=now,
        expires_at=now + timedelta(days=valid_days) if valid_days else None,
    )
    session.add(token)
    session.flush()
    record(
        session,
        action="token.created",
        subject_type="api_token",
        subject_id=token.id,
        now=now,
        actor=actor,
        payload={"name": token.name, "prefix": token.prefix},
    )
    session.commit()
    return IssuedToken(token, secret)


def list_tokens(session: Session, *, actor: Actor) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
        )
    )


def revoke_token(session: Session, *, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the acting user's tokens; it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise TokenNotFound(token_id=token_id)
    if token.revoked_at is not None:
        raise TokenAlreadyRevoked(token_id=token_id)
    token.revoked_at = now
    record(
        session,
        action="token.revoked",
        subject_type="api_token",
        subject_id=token.id,
        now=now,
        actor=actor,
        payload={"prefix": token.prefix},
    )
    session.commit()
    return token


def actor_for_token(session: Session, *, secret: str, now: datetime) -> Actor | None:
    """The actor a bearer secret stands for, or None if unknown, revoked or expired.

    One Core query of plain columns: this runs on every API request, and loading the token,
    user and organization as ORM objects cost several times more than the order it precedes.
    """
    connection = session.connection()
    digest = {"digest": _hash_token(secret)}
    found = backend(connection).rows(connection, _TOKEN_ACTOR, digest)
    if not found:
        return None
    row = found[0]
    if row.expires_at is not None and row.expires_at <= now:
        return None
    members = _member_ids(connection, row.org_id, row.institution_type)
    return Actor(
        row.user_id, row.org_id, row.org_kind, row.role, row.region_code, row.username, members
    )


_TOKEN_ACTOR = (
    select(
        User.id.label("user_id"),
        Organization.id.label("org_id"),
        Organization.kind.label("org_kind"),
        Organization.institution_type,
        User.role,
        Organization.region_code,
        User.username,
        ApiToken.expires_at,
    )
    .join(User, User.id == ApiToken.user_id)
    .join(Organization, Organization.id == User.organization_id)
    .where(ApiToken.token_hash == bindparam("digest"))
    .where(ApiToken.revoked_at.is_(None))
    .where(User.active.is_(True))
)
