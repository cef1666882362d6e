"""Failed-login throttling and lockout, the same work for unknown users, password change and
ending sessions: the use cases on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from procurement.auth import services
from procurement.auth.models import LoginThrottle, User
from procurement.auth.services import logins
from procurement.core.errors import ValidationFailed
from tests.fixtures.auth import PASSWORD

LIMITS = logins.LoginLimits(
    max_failures=3, max_failures_per_address=5, window_seconds=600, lockout_seconds=900
)


def attempt(db_session, clock, username, password, address="198.51.100.1"):
    return logins.log_in(
        db_session,
        username=username,
        password=password,
        address=address,
        now=clock.now(),
        limits=LIMITS,
    )


def test_the_right_password_logs_in_and_clears_the_accounts_failures(db_session, clock, make_user):
    user = make_user()
    assert attempt(db_session, clock, user.username, "wrong password!") is None
    assert attempt(db_session, clock, user.username, PASSWORD) == user
    assert db_session.get(LoginThrottle, logins.account_key(user.username)) is None
    # the address keeps its count: logging in to one account does not reset it
    assert db_session.get(LoginThrottle, logins.address_key("198.51.100.1")).failures == 1


def test_an_account_is_locked_after_max_failures_even_for_the_right_password(
    db_session, clock, make_user
):
    user = make_user()
    for _ in range(LIMITS.max_failures):
        assert attempt(db_session, clock, user.username, "wrong password!") is None
    with pytest.raises(logins.LoginThrottled) as refused:
        attempt(db_session, clock, user.username, PASSWORD)
    assert refused.value.retry_after == LIMITS.lockout_seconds
    assert refused.value.extra["setting"] == "LOGIN_MAX_FAILURES"
    assert refused.value.scope == "account"
    clock.advance(seconds=LIMITS.lockout_seconds - 60)
    with pytest.raises(logins.LoginThrottled) as still:
        attempt(db_session, clock, user.username, PASSWORD)
    assert still.value.retry_after == 60
    clock.advance(seconds=60)
    assert attempt(db_session, clock, user.username, PASSWORD) == user


def test_failures_older_than_the_window_do_not_count(db_session, clock, make_user):
    user = make_user()
    for _ in range(LIMITS.max_failures - 1):
        attempt(db_session, clock, user.username, "wrong password!")
    clock.advance(seconds=LIMITS.window_seconds)
    attempt(db_session, clock, user.username, "wrong password!")
    row = db_session.get(LoginThrottle, logins.account_key(user.username))
    assert row.failures == 1
    assert row.locked_until is None
    assert attempt(db_session, clock, user.username, PASSWORD) == user


def test_an_unknown_username_is_counted_and_locked_like_a_real_one(db_session, clock):
    for _ in range(LIMITS.max_failures):
        assert attempt(db_session, clock, "nobody.here", "wrong password!") is None
    with pytest.raises(logins.LoginThrottled) as refused:
        attempt(db_session, clock, "nobody.here", "wrong password!")
    assert refused.value.scope == "account"


def test_an_address_is_locked_after_its_own_limit_across_usernames(db_session, clock, make_user):
    user = make_user()
    for n in range(LIMITS.max_failures_per_address):
        attempt(db_session, clock, f"guess{n}", "wrong password!", address="203.0.113.9")
    with pytest.raises(logins.LoginThrottled) as refused:
        attempt(db_session, clock, user.username, PASSWORD, address="203.0.113.9")
    assert refused.value.extra["setting"] == "LOGIN_MAX_FAILURES_PER_ADDRESS"
    assert refused.value.scope == "address"
    # the same user from another address is not affected
    assert attempt(db_session, clock, user.username, PASSWORD, address="192.0.2.1") == user


def test_a_lockout_holds_for_every_session_that_reads_the_database(
    db_session, session_factory, clock, make_user
):
    """Another worker process has its own session: the lockout is in the database."""
    user = make_user()
    for _ in range(LIMITS.max_failures):
        attempt(db_session, clock, user.username, "wrong password!")
    with session_factory() as other_worker, pytest.raises(logins.LoginThrottled):
        attempt(other_worker, clock, user.username, PASSWORD)


def test_an_unknown_username_costs_the_same_hash_work_as_a_known_one(
    db_session, make_user, monkeypatch
):
    """With production's scrypt, a miss used to answer in 2 ms and a real user in 92 ms: it
    skipped the hash. Now every answer checks one hash of production's method and cost."""
    monkeypatch.setattr(services, "PASSWORD_HASH_METHOD", "scrypt")
    user = make_user()
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    db_session.commit()
    checked: list[str] = []
    check = services.check_password_hash

    def counted(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])  # the method and its cost parameters
        return check(stored, password)

    monkeypatch.setattr(services, "check_password_hash", counted)
    services.authenticate(db_session, username=user.username, password="wrong one!")
    services.authenticate(db_session, username="no.such.user", password="wrong one!")
    assert len(checked) == 2
    assert checked[0] == checked[1] == user.password_hash.split("$", 1)[0]
    assert checked[0].startswith("scrypt")


def test_an_inactive_user_is_refused_after_the_same_hash_work(db_session, make_user):
    user = make_user()
    user.active = False
    db_session.commit()
    assert services.authenticate(db_session, username=user.username, password=PASSWORD) is None


def change(db_session, clock, user, current, new):
    return logins.change_password(
        db_session,
        user_id=user.id,
        current_password=current,
        new_password=new,
        now=clock.now(),
        limits=LIMITS,
    )


def test_changing_the_password_needs_the_current_one_and_raises_the_session_epoch(
    db_session, clock, make_user
):
    user = make_user()
    epoch = user.session_epoch
    change(db_session, clock, user, PASSWORD, "a much better secret")
    db_session.refresh(user)
    assert user.session_epoch == epoch + 1
    assert user.password_changed_at == clock.now()
    assert services.authenticate(db_session, username=user.username, password=PASSWORD) is None
    assert (
        services.authenticate(db_session, username=user.username, password="a much better secret")
        == user
    )


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("not my password", "a much better secret", "current_password"),
        (PASSWORD, "password123", "new_password"),
        (PASSWORD, "too short", "new_password"),
        (PASSWORD, PASSWORD, "new_password"),
    ],
)
def test_a_refused_password_change_changes_nothing_but_the_failure_count(
    db_session, clock, make_user, current, new, field
):
    user = make_user()
    before = (user.password_hash, user.session_epoch)
    with pytest.raises(ValidationFailed) as refused:
        change(db_session, clock, user, current, new)
    assert field in refused.value.extra["errors"]
    db_session.refresh(user)
    assert (user.password_hash, user.session_epoch) == before


def test_wrong_current_passwords_count_toward_the_account_lockout(db_session, clock, make_user):
    user = make_user()
    for _ in range(LIMITS.max_failures):
        with pytest.raises(ValidationFailed):
            change(db_session, clock, user, "not my password", "a much better secret")
    with pytest.raises(logins.LoginThrottled):
        change(db_session, clock, user, PASSWORD, "a much better secret")


def test_ending_sessions_raises_the_epoch(db_session, make_user):
    user = make_user()
    logins.end_sessions(db_session, user_id=user.id)
    epoch = db_session.scalar(select(User.session_epoch).where(User.id == user.id))
    assert epoch == 1


@pytest.mark.parametrize("password", ["password", "password123", "12345678", "qwertyuiop123"])
def test_create_user_refuses_a_password_the_policy_refuses(db_session, clock, make_org, password):
    org = make_org()
    with pytest.raises(ValidationFailed) as refused:
        services.create_user(
            db_session,
            org_code=org.code,
            username="new.admin",
            password=password,
            role="admin",
            now=clock.now(),
        )
    assert "password" in refused.value.extra["errors"]
    assert db_session.scalar(select(User).where(User.username == "new.admin")) is None


def test_the_lockout_window_is_counted_with_the_injected_clock(db_session, clock, make_user):
    user = make_user()
    for _ in range(LIMITS.max_failures):
        attempt(db_session, clock, user.username, "wrong password!")
    row = db_session.get(LoginThrottle, logins.account_key(user.username))
    assert row.locked_until == clock.now() + timedelta(seconds=LIMITS.lockout_seconds)
