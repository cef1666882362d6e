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


class InstitutionType(StrEnum):
    """What sort of buyer an organization of kind ``HOSPITAL`` is (RULES.md 12).

    The kind says which portal an organization uses; every buyer (a hospital, a primary care
    institution, a county medical community, a pharmacy store or chain) uses the buyers' portal:
    it reports demand, orders, receives and is monitored like a hospital. The type says what it
    is, who may be its parent (``Organization.parent_id``) and which rules apply to it."""

    HOSPITAL = "hospital"
    COMMUNITY_HEALTH_CENTRE = "community_health_centre"  # 社区卫生服务中心
    TOWNSHIP_HOSPITAL = "township_hospital"  # 乡镇卫生院
    VILLAGE_CLINIC = "village_clinic"  # 村卫生室
    MEDICAL_COMMUNITY = "medical_community"  # 县域医共体: buys for its members
    PHARMACY_STORE = "pharmacy_store"  # 定点零售药店 (a single store, or a chain's store)
    PHARMACY_CHAIN = "pharmacy_chain"  # 连锁药店总部

    @property
    def parent_types(self) -> frozenset[InstitutionType]:
        """The types its parent may have (empty: it has no parent)."""
        return _PARENTS.get(self, frozenset())


PRIMARY_CARE = frozenset(
    {
        InstitutionType.COMMUNITY_HEALTH_CENTRE,
        InstitutionType.TOWNSHIP_HOSPITAL,
        InstitutionType.VILLAGE_CLINIC,
    }
)
PHARMACIES = frozenset({InstitutionType.PHARMACY_STORE, InstitutionType.PHARMACY_CHAIN})
_PARENTS = {
    # A county medical community's members: its hospitals and its primary care institutions.
    **dict.fromkeys(
        (InstitutionType.HOSPITAL, *PRIMARY_CARE), frozenset({InstitutionType.MEDICAL_COMMUNITY})
    ),
    InstitutionType.PHARMACY_STORE: frozenset({InstitutionType.PHARMACY_CHAIN}),
}


class Role(StrEnum):
    """A user's role inside their organization."""

    ADMIN = "admin"  # manages the organization's users, and acts
    STAFF = "staff"  # acts for the organization
    VIEWER = "viewer"  # reads only
