"""Logging in and out: failed-login throttling, lockout, password change, ending sessions.

Failures are counted per account and per client address in ``login_throttles`` (shared by
every worker). Unknown usernames cost the same password-hash work as known ones, so response
times do not tell which usernames exist, and they are counted and locked out the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from procurement.audit.services import record
from procurement.auth import services
from procurement.auth.errors import PasswordPolicy, UserNotFound, WrongCurrentPassword
from procurement.auth.models import LoginThrottle, User
from procurement.auth.passwords import password_errors
from procurement.core.errors import N_, Throttled
from procurement.db import UtcDateTime


@dataclass(frozen=True)
class LoginLimits:
    """The named settings of login throttling (config keys in brackets)."""

    max_failures: int = 5  # LOGIN_MAX_FAILURES: per account, then it is locked
    max_failures_per_address: int = 50  # LOGIN_MAX_FAILURES_PER_ADDRESS: per client address
    window_seconds: int = 900  # LOGIN_FAILURE_WINDOW_SECONDS: failures count this long
    lockout_seconds: int = 900  # LOGIN_LOCKOUT_SECONDS: how long a lockout lasts

    @classmethod
    def from_config(cls, config) -> LoginLimits:
        return cls(
            max_failures=int(config["LOGIN_MAX_FAILURES"]),
            max_failures_per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
            window_seconds=int(config["LOGIN_FAILURE_WINDOW_SECONDS"]),
            lockout_seconds=int(config["LOGIN_LOCKOUT_SECONDS"]),
        )


class LoginThrottled(Throttled):
    code = "login-throttled"
    title = N_("Too many failed logins")
    when = N_("Too many failed logins for one account or from one address in a short time.")
    template = N_(
        "Too many failed logins for this {scope} ({setting}); try again in {retry_after} seconds."
    )

    def __init__(self, *, retry_after: int, setting: str, scope: str) -> None:
        super().__init__(retry_after=retry_after, setting=setting, scope=scope)
        self.scope = scope


def account_key(username: str) -> str:
    return "account:" + username.strip().lower()[:150]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")[:150]


def log_in(
    session: Session,
    *,
    username: str,
    password: str,
    address: str | None,
    now: datetime,
    limits: LoginLimits,
) -> User | None:
    """The user these credentials log in, or None; raises LoginThrottled while the account or
    the address is locked out (even for the right password)."""
    keys = {
        account_key(username): ("account", "LOGIN_MAX_FAILURES", limits.max_failures),
        address_key(address): (
            "address",
            "LOGIN_MAX_FAILURES_PER_ADDRESS",
            limits.max_failures_per_address,
        ),
    }
    _refuse_if_locked(session, keys, now)
    user = services.authenticate(session, username=username, password=password)
    if user is None:
        for key, (_scope, _setting, limit) in keys.items():
            _count_failure(session, key, limit=limit, now=now, limits=limits)
        session.commit()
        return None
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(username)))
    session.commit()
    return user


def _refuse_if_locked(session: Session, keys: dict[str, tuple[str, str, int]], now: datetime):
    rows = session.execute(
        select(LoginThrottle.key, LoginThrottle.locked_until)
        .where(LoginThrottle.key.in_(keys))
        .where(LoginThrottle.locked_until > now)
        .order_by(LoginThrottle.locked_until.desc())
    ).first()
    if rows is not None:
        key, locked_until = rows
        scope, setting, _limit = keys[key]
        wait = max(1, math.ceil((locked_until - now).total_seconds()))
        raise LoginThrottled(retry_after=wait, setting=setting, scope=scope)


def _count_failure(
    session: Session, key: str, *, limit: int, now: datetime, limits: LoginLimits
) -> None:
    """Add one failure to ``key`` atomically (a new window once the old one is over); lock the
    key out when it reaches ``limit``."""
    fresh = LoginThrottle.window_started_at > now - timedelta(seconds=limits.window_seconds)
    stamp = literal(now, UtcDateTime())
    bump = (
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(
            failures=case((fresh, LoginThrottle.failures + 1), else_=1),
            window_started_at=case((fresh, LoginThrottle.window_started_at), else_=stamp),
        )
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    )
    failures = session.execute(bump).scalar()
    if failures is None:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=1, window_started_at=now))
            failures = 1
        except IntegrityError:  # another worker inserted it first
            failures = session.execute(bump).scalar_one()
    if failures >= limit:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(
                failures=0,
                window_started_at=now,
                locked_until=now + timedelta(seconds=limits.lockout_seconds),
            )
            .execution_options(synchronize_session=False)
        )


def end_sessions(session: Session, *, user_id: int) -> None:
    """End every login session of the user (logout everywhere)."""
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(session_epoch=User.session_epoch + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def change_password(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    now: datetime,
    limits: LoginLimits,
) -> User:
    """Change the user's password (the current one is required; the policy applies) and end
    every other session of the user. A wrong current password counts as a failed login."""
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound()
    keys = {account_key(user.username): ("account", "LOGIN_MAX_FAILURES", limits.max_failures)}
    _refuse_if_locked(session, keys, now)
    if not check_password_hash(user.password_hash, current_password):
        _count_failure(
            session, account_key(user.username), limit=limits.max_failures, now=now, limits=limits
        )
        session.commit()
        raise WrongCurrentPassword(
            errors={"current_password": [N_("the current password is wrong")]}
        )
    problems = password_errors(new_password, username=user.username)
    if new_password == current_password:
        problems.append(N_("the new password must differ from the current one"))
    if problems:
        raise PasswordPolicy(errors={"new_password": problems})
    user.password_hash = generate_password_hash(new_password, method=services.PASSWORD_HASH_METHOD)
    user.password_changed_at = now
    user.session_epoch += 1
    record(
        session,
        action="user.password_changed",
        subject_type="user",
        subject_id=user.id,
        now=now,
        actor=services.actor_of(user),
        payload={"username": user.username},
    )
    session.commit()
    return user
