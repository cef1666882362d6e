"""Domain errors: one class per problem type, raised and caught by type.

Each class carries a stable ``code`` (it becomes the problem ``type`` URI), a ``title`` fixed per
type and a ``template``: the detail with named parameters (``"Contract {contract_id} is not in
force on {day}."``). The parameters given when raising become the problem's extension members.
Titles and templates are English msgids marked with :func:`N_`; the web layer installs a
translator (``use_translator``), so ``detail`` reads in the request's language and in English
elsewhere (CLI, logs). No HTTP status here: ``web/problems.py`` maps the base classes to
statuses. A class's ``when`` says when it happens (the ``/problems`` pages show it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from procurement.core.messages import N_, Message, fill, format_message, translate, translated

__all__ = ["N_", "Message", "fill", "translate", "translated"]  # re-exported for errors.py files


# Members every problem has: a class fixes them; parameters cannot override them.
RESERVED_MEMBERS = frozenset({"type", "code", "title", "status", "detail", "instance"})


class DomainError(Exception):
    """Base of every refusal the domain makes."""

    code: ClassVar[str] = "domain-error"
    title: ClassVar[str] = N_("The request was refused")
    when: ClassVar[str] = ""  # when it happens (the /problems pages show it)
    template: ClassVar[str] = N_("The request was refused.")

    def __init__(self, *, errors: dict[str, list[str]] | None = None, **params: Any) -> None:
        reserved = RESERVED_MEMBERS.intersection(params)
        if reserved:
            raise TypeError(f"{type(self).__name__}: {sorted(reserved)} are fixed per class")
        self.params = params
        self.errors = errors
        super().__init__(format_message(self.template, params))

    @property
    def detail(self) -> str:
        """What happened and what to do, in the current language."""
        return fill(self.template, self.params)

    @property
    def extra(self) -> dict[str, Any]:
        """The problem's extension members: the parameters, and ``errors`` (translated)."""
        members = dict(self.params)
        if self.errors is not None:
            members["errors"] = {
                field: [translated(message) for message in messages]
                for field, messages in self.errors.items()
            }
        return members


class NotFound(DomainError):
    code = "not-found"
    title = N_("Not found")


class Conflict(DomainError):
    """The object's state (or version) does not allow this now."""

    code = "conflict"
    title = N_("Conflict with the current state")


class RuleViolation(DomainError):
    """Input is well-formed but breaks a procurement rule or a validation rule."""

    code = "rule-violation"
    title = N_("The request breaks a rule")


class ValidationFailed(RuleViolation):
    """Some fields are not valid: ``errors={"field": ["message", ...]}`` says what to fix in
    each; the detail sums it up."""

    code = "validation-failed"
    title = N_("Some fields are not valid")
    template = N_("Some fields are not valid; see 'errors' for what to fix in each.")

    def __init__(self, errors: dict[str, list[str]], **params: Any) -> None:
        super().__init__(errors=errors, **params)


class StaleVersion(Conflict):
    code = "stale-version"
    title = N_("Changed by someone else")
    when = N_("A record is saved after someone else changed it since it was read.")
    template = N_(
        "This record was changed since you read it; reload it and apply your change again."
    )


class Forbidden(DomainError):
    code = "forbidden"
    title = N_("Not allowed")


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = N_("Authentication required")


class Throttled(DomainError):
    """Too many requests or attempts in a window: ``retry_after`` (seconds) says when to try
    again (it becomes the ``Retry-After`` header)."""

    code = "throttled"
    title = N_("Too many requests")

    def __init__(self, *, retry_after: int, **params: Any) -> None:
        super().__init__(retry_after=retry_after, **params)
        self.retry_after = retry_after


class LimitExceeded(RuleViolation):
    """The request asks for more than a named limit allows (``core/limits.py``): ``limit``
    (the limit's name) and ``maximum`` are members of the problem."""

    code = "limit-exceeded"
    title = N_("Beyond a limit of the platform")


class TooLarge(LimitExceeded):
    """The request body itself is larger or deeper than a named limit allows."""

    code = "body-too-large"
    title = N_("The request body is too large")


BASES: tuple[type[DomainError], ...] = (
    DomainError,
    NotFound,
    Conflict,
    RuleViolation,
    Forbidden,
    Unauthenticated,
    Throttled,
    LimitExceeded,
)


def problem_types() -> Iterator[type[DomainError]]:
    """Every problem class defined so far (subclasses of :class:`DomainError`), bases first."""
    seen: set[type[DomainError]] = set()
    stack: list[type[DomainError]] = [DomainError]
    while stack:
        cls = stack.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())
