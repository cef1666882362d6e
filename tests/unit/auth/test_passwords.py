"""The password policy: length, the common-password list, not the username."""

import pytest

from procurement.auth.passwords import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    PasswordProblem,
    common_passwords,
    password_problems,
)


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("password", [PasswordProblem.TOO_SHORT, PasswordProblem.COMMON]),
        ("password123", [PasswordProblem.TOO_SHORT, PasswordProblem.COMMON]),
        ("12345678", [PasswordProblem.TOO_SHORT, PasswordProblem.COMMON]),
        ("qwertyuiop123", [PasswordProblem.COMMON]),
        ("PASSWORD1234", [PasswordProblem.COMMON]),  # the list is compared case-insensitively
        ("short pass", [PasswordProblem.TOO_SHORT]),
        ("x" * (PASSWORD_MAX_LENGTH + 1), [PasswordProblem.TOO_LONG]),
        ("demo-pass-2025", []),
        ("correct horse battery", []),
    ],
)
def test_the_policy_names_each_problem_of_a_password(password, problems):
    assert password_problems(password, username="someone") == problems


def test_a_password_containing_the_username_is_refused():
    assert password_problems("my name is wang.fang!", username="Wang.Fang") == [
        PasswordProblem.USERNAME
    ]


def test_the_minimum_is_twelve_characters():
    assert PASSWORD_MIN_LENGTH == 12
    assert password_problems("a1b2c3d4e5f", username="") == [PasswordProblem.TOO_SHORT]
    assert password_problems("a1b2c3d4e5f6", username="") == []


def test_the_shipped_list_holds_thousands_of_common_passwords():
    words = common_passwords()
    assert len(words) > 19_000
    assert {"password", "123456", "iloveyou", "password123"} <= words
