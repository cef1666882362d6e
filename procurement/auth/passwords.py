"""The password policy: a minimum length, a maximum (hashing cost), not the username, and not
one of the 20,000 most common passwords.

The list ``data/common-passwords.txt.gz`` is Django's (BSD licence, see ``data/NOTICE``),
itself Royce Williams' list of the most common passwords from breach corpora, lower-cased.
"""

from __future__ import annotations

import functools
import gzip
from enum import StrEnum
from importlib import resources

PASSWORD_MIN_LENGTH = 12
# A password is hashed on every login attempt; a megabyte-long one would cost the server more.
PASSWORD_MAX_LENGTH = 128


class PasswordProblem(StrEnum):
    TOO_SHORT = "too-short"
    TOO_LONG = "too-long"
    COMMON = "common"
    USERNAME = "contains-username"


MESSAGES = {
    PasswordProblem.TOO_SHORT: f"use at least {PASSWORD_MIN_LENGTH} characters "
    "(PASSWORD_MIN_LENGTH)",
    PasswordProblem.TOO_LONG: f"use at most {PASSWORD_MAX_LENGTH} characters (PASSWORD_MAX_LENGTH)",
    PasswordProblem.COMMON: "this password is one of the most common ones; choose another",
    PasswordProblem.USERNAME: "the password must not contain the username",
}


@functools.cache
def common_passwords() -> frozenset[str]:
    data = resources.files("procurement.auth").joinpath("data/common-passwords.txt.gz")
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return frozenset(line.strip() for line in text if line.strip())


def password_problems(password: str, *, username: str = "") -> list[PasswordProblem]:
    """What is wrong with ``password`` under the policy (an empty list: nothing)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    if password.strip().lower() in common_passwords():
        problems.append(PasswordProblem.COMMON)
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        problems.append(PasswordProblem.USERNAME)
    return problems


def password_errors(password: str, *, username: str = "") -> list[str]:
    """The policy's refusals of ``password`` as messages (English; pages translate the codes)."""
    return [MESSAGES[p] for p in password_problems(password, username=username)]
