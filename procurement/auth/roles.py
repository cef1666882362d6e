"""The kinds of organization and the roles of a user inside one (pure: the actor, the models
and the pages all name them)."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    REGULATOR = "regulator"
    FUND = "fund"
    HOSPITAL = "hospital"
    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"


class Role(StrEnum):
    """A user's role inside their organization."""

    ADMIN = "admin"  # manages the organization's users, and acts
    STAFF = "staff"  # acts for the organization
    VIEWER = "viewer"  # reads only
