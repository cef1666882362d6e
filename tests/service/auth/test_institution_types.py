"""Buyers beyond hospitals (RULES.md 12): a buyer's institution type, its parent and address."""

from __future__ import annotations

import pytest

from procurement.auth import services
from procurement.auth.models import InstitutionType
from procurement.core.errors import ValidationFailed


def _create(db_session, clock, code, kind="hospital", **extra):
    return services.create_org(
        db_session, code=code, name=code, kind=kind, region_code="430121", now=clock.now(), **extra
    )


def test_a_medical_community_has_members_and_a_chain_has_stores(db_session, clock):
    community = _create(db_session, clock, "YGT", institution_type="medical_community")
    clinic = _create(
        db_session,
        clock,
        "VC-1",
        institution_type="village_clinic",
        parent_code="YGT",
        address="长沙县黄兴镇某村 1 号",
    )
    chain = _create(db_session, clock, "CHAIN", institution_type="pharmacy_chain")
    store = _create(
        db_session, clock, "STORE-1", institution_type="pharmacy_store", parent_code="CHAIN"
    )
    assert (clinic.buyer_type, clinic.parent_id, clinic.address) == (
        InstitutionType.VILLAGE_CLINIC,
        community.id,
        "长沙县黄兴镇某村 1 号",
    )
    assert (store.buyer_type, store.parent_id) == (InstitutionType.PHARMACY_STORE, chain.id)


def test_a_buyer_without_a_type_is_a_hospital_and_other_kinds_have_none(db_session, clock):
    assert _create(db_session, clock, "H").buyer_type is InstitutionType.HOSPITAL
    assert _create(db_session, clock, "M", kind="manufacturer").buyer_type is None


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("village_clinic", "pharmacy_chain"),  # a clinic belongs to a medical community
        ("pharmacy_store", "medical_community"),  # a store belongs to a chain
        ("medical_community", "medical_community"),  # communities do not nest
        ("village_clinic", "NOPE"),  # no such organization
    ],
)
def test_a_parent_of_the_wrong_type_is_a_field_error(db_session, clock, child, parent):
    for kind in ("pharmacy_chain", "medical_community"):
        _create(db_session, clock, kind, institution_type=kind)
    with pytest.raises(ValidationFailed) as caught:
        _create(db_session, clock, "X", institution_type=child, parent_code=parent)
    assert list(caught.value.extra["errors"]) == ["parent_code"]


def test_an_unknown_type_or_a_type_on_a_manufacturer_is_refused(db_session, clock):
    with pytest.raises(ValidationFailed) as caught:
        _create(db_session, clock, "X", institution_type="spa")
    assert caught.value.extra["errors"] == {"institution_type": ["unknown type 'spa'"]}
    with pytest.raises(ValidationFailed):
        _create(db_session, clock, "Y", kind="manufacturer", institution_type="hospital")
