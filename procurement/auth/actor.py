"""Who is acting: passed to every service, checked there (not only in routes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from procurement.auth.errors import LoginRequired, ReadOnlyRole, WrongOrganizationKind
from procurement.auth.roles import OrgKind, Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    org_id: int
    org_kind: OrgKind
    role: Role
    region_code: str
    username: str = ""
    # A county medical community's members: it orders, receives and pays for them (RULES.md 12).
    member_ids: tuple[int, ...] = ()

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)

    @property
    def buyer_ids(self) -> tuple[int, ...]:
        """The buyers this actor acts for: its own organization and, for a county medical
        community, its members."""
        return (self.org_id, *self.member_ids)

    def acts_for(self, org_id: int | None) -> bool:
        """Whether the actor acts for the organization ``org_id`` (itself or a member)."""
        return org_id == self.org_id or org_id in self.member_ids

    def require(self, *kinds: OrgKind, write: bool = True, action: str = "do this") -> None:
        """Refuse unless the actor's organization is one of ``kinds`` (and may write)."""
        require_kind(self, kinds, write=write, action=action)


def require_kind(
    actor: Actor | None, kinds: Iterable[OrgKind], *, write: bool, action: str
) -> None:
    kinds = tuple(kinds)
    if actor is None:
        raise LoginRequired(action=action)
    if kinds and actor.org_kind not in kinds:
        allowed = " or ".join(k.value for k in kinds)
        raise WrongOrganizationKind(allowed=allowed, action=action, actor_kind=actor.org_kind.value)
    if write and not actor.can_write:
        raise ReadOnlyRole(role=actor.role.value, action=action)
