"""Domain errors. They carry a stable code and a detail that says what to fix, never an HTTP
status: `web/problems.py` maps the base classes to statuses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal the domain makes.

    ``code`` is stable (it becomes the problem ``type``), ``title`` is fixed per code,
    ``detail`` says what happened and what to do, ``extra`` holds ids and field errors
    (``errors={"field": ["message"]}``).
    """

    code = "domain-error"
    title = "The request was refused"

    def __init__(
        self, detail: str, *, code: str | None = None, title: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if title is not None:
            self.title = title
        self.extra = extra


class NotFound(DomainError):
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    """The object's state (or version) does not allow this now."""

    code = "conflict"
    title = "Conflict with the current state"


class RuleViolation(DomainError):
    """Input is well-formed but breaks a procurement rule or a validation rule."""

    code = "rule-violation"
    title = "The request breaks a rule"


class ValidationFailed(RuleViolation):
    """Field-level validation errors: ``errors={"field": ["message", ...]}``."""

    code = "validation-failed"
    title = "Some fields are not valid"

    def __init__(self, detail: str, errors: dict[str, list[str]], **extra: Any) -> None:
        super().__init__(detail, errors=errors, **extra)


class Forbidden(DomainError):
    code = "forbidden"
    title = "Not allowed"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = "Authentication required"


class LimitExceeded(RuleViolation):
    """The request asks for more than a named limit allows (``core/limits.py``).

    ``limit`` (the limit's name) and ``maximum`` become members of the problem."""

    code = "limit-exceeded"
    title = "Beyond a limit of the platform"

    def __init__(self, detail: str, *, limit: str, maximum: object, **extra: Any) -> None:
        super().__init__(detail, limit=limit, maximum=maximum, **extra)


class TooLarge(LimitExceeded):
    """The request body itself is larger or deeper than a named limit allows."""

    code = "body-too-large"
    title = "The request body is too large"
