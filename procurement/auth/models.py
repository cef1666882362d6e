"""Organizations, their users and the users' API tokens."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.errors import BadRegionCode
from procurement.auth.roles import InstitutionType, OrgKind, Role
from procurement.core.messages import Message
from procurement.db import Base, enum_type

REGION_CODE = re.compile(r"^[1-8]\d{5}$")


def check_region_code(code: str, field: str = "region_code") -> str:
    """GB/T 2260 administrative division code: six digits, province prefix 11-82."""
    if not REGION_CODE.match(code or ""):
        raise BadRegionCode(
            errors={
                field: [Message("'{code}' is not a six-digit GB/T 2260 region code", code=code)]
            },
            field=field,
        )
    return code


def province_of(region_code: str) -> str:
    """The province-level code of a region: 310101 -> 310000."""
    return region_code[:2] + "0000"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind, 20, by_name=True))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime]
    # Buyers only (kind HOSPITAL): what sort of buyer it is; None for every other kind.
    institution_type: Mapped[InstitutionType | None] = mapped_column(enum_type(InstitutionType, 30))
    # A medical community's member, or a pharmacy chain's store (InstitutionType.parent_types).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Where deliveries to it go (a medical community delivers to each member's address).
    address: Mapped[str | None] = mapped_column(String(200))

    users: Mapped[list[User]] = relationship(back_populates="organization")

    @property
    def buyer_type(self) -> InstitutionType | None:
        """The institution type of a buyer (a buyer created without one is a hospital)."""
        if self.kind != OrgKind.HOSPITAL:
            return None
        return self.institution_type or InstitutionType.HOSPITAL


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, 20, by_name=True))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Part of every login session's id: raising it (logout, password change) ends the user's
    # other sessions, including cookies copied before.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    password_changed_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(back_populates="users", lazy="joined")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; the secret is shown once at creation."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginThrottle(Base):
    """Failed logins counted per key (``account:<username>`` or ``address:<ip>``).

    Kept in the database so every worker process sees the same counts and lockouts.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class ApiRateCounter(Base):
    """API requests counted per key (``token:<digest>`` or ``address:<ip>``) in the current
    fixed window; in the database so every worker process shares the count."""

    __tablename__ = "api_rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    requests: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]


class FormSubmission(Base):
    """A page form's one-time key, claimed by its first POST (``web/forms.py``): a second POST
    with the same key changes nothing and is sent where the first one went (``location``)."""

    __tablename__ = "form_submissions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None]
    sent_at: Mapped[datetime] = mapped_column(index=True)
    location: Mapped[str | None] = mapped_column(String(2000))
