"""`procurement create-user` applies the password policy."""

from __future__ import annotations

import pytest

from tests.cli.conftest import run_in_process


@pytest.fixture
def procurement(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PROCUREMENT_ENV", "development")
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        done = run_in_process(monkeypatch, capsys, *args)
        return done.code, done.out, done.err

    code, _out, err = run(
        "create-org",
        "--code",
        "SH-REG",
        "--name",
        "Shanghai",
        "--kind",
        "regulator",
        "--region",
        "310000",
    )
    assert code == 0, err
    return run


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("password", "at least 12 characters"),
        ("password123", "most common"),
        ("12345678", "at least 12 characters"),
        ("qwerty123456", "most common"),
    ],
)
def test_create_user_refuses_a_weak_password_and_creates_nothing(procurement, password, says):
    args = ("create-user", "--org", "SH-REG", "--username", "wang.fang", "--role", "admin")
    code, _out, err = procurement(*args, "--password", password)
    assert code == 2
    assert says in err
    code, _out, err = procurement(*args, "--password", "a much better secret")
    assert code == 0, err  # the username was not taken by the refused attempt
