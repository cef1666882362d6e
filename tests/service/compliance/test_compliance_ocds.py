"""OCDS 1.1.5 export validated offline against the official schema and codelists
(tests/data/ocds-1.1.5, copied from the standard's tag 1__1__5 with its license)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from procurement.catalog.lifecycle import TenderStatus
from procurement.compliance.ocds_export import release_package
from procurement.compliance.ocds_feed import Publisher
from procurement.core.errors import NotFound
from procurement.settlement.services import accrue_payables, start_run

DATA = Path(__file__).resolve().parents[2] / "data" / "ocds-1.1.5"


def _schema(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def validator() -> Draft4Validator:
    package, release = _schema("release-package-schema.json"), _schema("release-schema.json")
    registry = Registry().with_resource(release["id"], Resource(release, specification=DRAFT4))
    return Draft4Validator(package, registry=registry)


def codelist(name: str) -> set[str]:
    with (DATA / "codelists" / name).open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def codelist_values(schema, data, root, path="$"):
    """Yield (path, codelist file, value) for every codelist-typed field present in data."""
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].split("/")[-1]]
    if "codelist" in schema and data is not None:
        for value in data if isinstance(data, list) else [data]:
            yield path, schema["codelist"], value
    if isinstance(data, dict):
        for key, sub in (schema.get("properties") or {}).items():
            if key in data:
                yield from codelist_values(sub, data[key], root, f"{path}.{key}")
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(data):
            yield from codelist_values(schema["items"], item, root, f"{path}[{i}]")


@pytest.fixture
def publisher(app):
    return Publisher.from_config(app.config)


@pytest.fixture
def paid_world(db_session, clock, comp_world, deliver, make_actor):
    world = comp_world(hospitals=2, lots=2, agreed=1000)
    deliver(world, world.contract(0, 0), 200)
    fund = make_actor("fund", region_code="310000")
    accrue_payables(db_session, now=clock.now(), actor=fund)
    start_run(
        db_session, cut_off=clock.now().date(), idempotency_key="ocds", now=clock.now(), actor=fund
    )
    return world


def test_release_package_is_valid_ocds_with_codelist_values(
    db_session, clock, paid_world, publisher
):
    package = release_package(
        db_session, tender_id=paid_world.tender.id, actor=None, now=clock.now(), publisher=publisher
    )
    errors = sorted(validator().iter_errors(package), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    release_schema = _schema("release-schema.json")
    checked = 0
    for release in package["releases"]:
        for path, name, value in codelist_values(release_schema, release, release_schema):
            assert value in codelist(name), f"{path}={value!r} not in {name}"
            checked += 1
    assert checked > 10


def test_one_release_per_lot_one_contract_per_hospital_and_winner(
    db_session, clock, paid_world, publisher
):
    package = release_package(
        db_session, tender_id=paid_world.tender.id, actor=None, now=clock.now(), publisher=publisher
    )
    releases = package["releases"]
    assert len({r["ocid"] for r in releases}) == len(releases) == 2
    first = next(r for r in releases if r["tender"]["items"][0]["id"] == paid_world.lots[0].code)
    assert len(first["awards"]) == 1
    assert len(first["contracts"]) == 2
    paid = [c for c in first["contracts"] if "implementation" in c]
    # 200 tablets x 0.2000 = 40.00 paid by the fund
    assert [t["value"]["amount"] for t in paid[0]["implementation"]["transactions"]] == [40.0]
    assert "bids" not in first


def test_the_package_is_not_public_before_award(
    db_session, clock, paid_world, make_actor, publisher
):
    paid_world.tender.status = TenderStatus.BIDDING_OPEN
    db_session.flush()
    with pytest.raises(NotFound):
        release_package(
            db_session,
            tender_id=paid_world.tender.id,
            actor=None,
            now=clock.now(),
            publisher=publisher,
        )
    package = release_package(
        db_session,
        tender_id=paid_world.tender.id,
        actor=paid_world.reg,
        now=clock.now(),
        publisher=publisher,
    )
    assert all(
        "awards" not in r and "numberOfTenderers" not in r["tender"] for r in package["releases"]
    )
