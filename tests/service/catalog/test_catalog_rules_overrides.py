"""Every rules section is a per-tender override (issue 16 item 7): how overrides are named,
each refusal (per field), and the snapshot a tender freezes whole when it leaves draft."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from procurement.auth.services import actor_of
from procurement.catalog import rules_sections, services
from procurement.catalog.errors import RulesOverridesNotValid, TenderNotDraft, UnknownRulesFields
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.catalog.services import overrides
from procurement.compliance import rules as compliance_rules
from procurement.core.errors import ValidationFailed
from procurement.orders.rules import ServiceLevels
from procurement.pharmacy.rules import PharmacyRules
from procurement.settlement.rules import SettlementRules

D = Decimal
# RULES.md 11: reconciliation off unless turned on (on in national-2025), 10 days, silence
# confirms
RECONCILIATION_DEFAULTS = {
    "reconciliation": False,
    "reconciliation_days": 10,
    "reconciliation_auto_confirm": True,
}


def test_a_field_is_named_by_section_or_by_its_unique_bare_name_or_in_a_section_mapping():
    rules = services.build_rules(
        "national-2024",
        {
            "on_track_factor": "0.9",  # bare: only compliance has it
            "advance_ratio": "0.5",  # bare: only settlement has it
            "settlement.payment_deadline_days": 15,
            "compliance.payment_deadline_days": 20,
            "service_levels": {"confirm_hours": 12, "deliver_hours": {"city": 8}},
            "selection.win_multiple": "1.5",
            "min_share": "0.1",
        },
    )
    assert rules["compliance"]["on_track_factor"] == "0.9"
    assert rules["compliance"]["payment_deadline_days"] == 20
    assert rules["settlement"] == {
        "advance_ratio": "0.5",
        "payment_deadline_days": 15,
        **RECONCILIATION_DEFAULTS,
    }
    # a partial mapping keeps the other keys
    assert rules["service_levels"]["deliver_hours"] == {"city": 8, "county": 48, "remote": 72}
    assert rules["service_levels"]["confirm_hours"] == 12
    assert (rules["selection"]["win_multiple"], rules["allocation"]["min_share"]) == ("1.5", "0.1")


def test_the_bare_payment_deadline_is_ambiguous_and_unknown_names_are_refused():
    with pytest.raises(UnknownRulesFields) as caught:
        services.build_rules(
            "national-2024",
            {"payment_deadline_days": 15, "compliance.nonsense": 1, "billing.x": 1, "y": 2},
        )
    errors = caught.value.extra["errors"]
    assert set(errors) == {
        "rules_overrides.payment_deadline_days",
        "rules_overrides.compliance.nonsense",
        "rules_overrides.billing.x",
        "rules_overrides.y",
    }
    assert errors["rules_overrides.payment_deadline_days"] == [
        "in more than one section: name it "
        "compliance.payment_deadline_days / settlement.payment_deadline_days"
    ]


REFUSALS = [
    ("compliance.on_track_factor", "1.5", "a ratio from 0 to 1"),
    ("compliance.on_track_factor", "-0.1", "a ratio from 0 to 1"),
    ("compliance.on_track_factor", "abc", "a decimal number, e.g. 0.8"),
    ("compliance.on_track_factor", True, "a decimal number, e.g. 0.8"),
    ("compliance.fund_payment_ratio", "NaN", "a decimal number, e.g. 0.8"),
    ("settlement.advance_ratio", "1.01", "a ratio from 0 to 1"),
    ("settlement.payment_deadline_days", 0, "from 1 to 180 (MAX_DEADLINE_DAYS)"),
    ("settlement.payment_deadline_days", 181, "from 1 to 180 (MAX_DEADLINE_DAYS)"),
    ("settlement.payment_deadline_days", "15.5", "a whole number"),
    ("compliance.credit_window_days", 1096, "from 1 to 1095 (MAX_CREDIT_WINDOW_DAYS)"),
    ("compliance.checks_from_month", 13, "from 0 to 12 (MAX_CHECKS_FROM_MONTH)"),
    ("service_levels.confirm_hours", 0, "from 1 to 720 (MAX_SERVICE_HOURS)"),
    ("service_levels.emergency_hours", 721, "from 1 to 720 (MAX_SERVICE_HOURS)"),
    ("service_levels.deliver_hours", {"city": 0}, "from 1 to 720 (MAX_SERVICE_HOURS)"),
    ("service_levels.deliver_hours", {"village": 5}, "hours by region class: city, county, remote"),
    ("compliance.late_delivery_min_hours", "-1", "from 0 to 720 (MAX_SERVICE_HOURS)"),
    ("compliance.retention_scheme", "points", "one of: grades, tiers"),
    (
        "compliance.grades",
        [["A", "70", "0.5"], ["B", "80", "0.4"]],
        "grades best first: minimum scores strictly descending",
    ),
    (
        "compliance.grades",
        [["A", "80", "0.5"], ["B", "80", "0.4"]],
        "grades best first: minimum scores strictly descending",
    ),
    ("compliance.grades", [["A", "101", "0.5"]], "minimum scores from 0 to 100"),
    ("compliance.grades", [["A", "80", "1.5"]], "a ratio from 0 to 1"),
    ("compliance.grades", [["A", "80"]], 'a list of rows like [["A", "80", "0.5"]]'),
    ("compliance.grades", [["7", "80", "0.5"]], "each grade needs a name such as A"),
    (
        "compliance.tiers",
        [["0.10", "1"], ["0.05", "0.7"]],
        "tiers lowest first: upper bounds strictly ascending",
    ),
    ("compliance.tiers", [["0.05", "2"]], "a ratio from 0 to 1"),
    (
        "compliance.score_weights",
        ["60", "20", "30"],
        "three weights of at least 0 adding up to 100",
    ),
    ("compliance.score_weights", ["60", "40"], "three weights, e.g. [60, 20, 20]"),
    ("compliance.credit_thresholds", [10, 5, 40], "thresholds strictly ascending"),
    ("compliance.credit_thresholds", [0, 5, 40], "from 1 to 1000 (MAX_CREDIT_THRESHOLD)"),
    (
        "compliance.credit_points",
        {"bribery": 5},
        "points by kind: late_delivery, order_rejected_or_unconfirmed, "
        "region_unsupplied_7d, gave_up_win",
    ),
    ("compliance.credit_points", {"late_delivery": 101}, "from 0 to 100 (MAX_CREDIT_POINTS)"),
    ("compliance.require_full_completion", "yes", "true or false"),
]


@pytest.mark.parametrize(("key", "value", "message"), REFUSALS)
def test_each_refusal_names_its_field_and_why(key, value, message):
    with pytest.raises(RulesOverridesNotValid) as caught:
        services.build_rules("national-2024", {key: value})
    errors = caught.value.extra["errors"]
    assert list(errors) == [f"rules_overrides.{key}"]
    (given,) = errors[f"rules_overrides.{key}"]
    assert str(given) == message


def test_limits_are_named_and_inclusive():
    rules = services.build_rules(
        "national-2024",
        {
            "settlement.payment_deadline_days": rules_sections.MAX_DEADLINE_DAYS,
            "service_levels.confirm_hours": rules_sections.MAX_SERVICE_HOURS,
            "compliance.on_track_factor": "1",
            "compliance.at_risk_factor": "0",
        },
    )
    assert rules["settlement"]["payment_deadline_days"] == 180
    assert rules["service_levels"]["confirm_hours"] == 720


def test_the_at_risk_factor_may_not_exceed_the_on_track_factor():
    with pytest.raises(RulesOverridesNotValid) as caught:
        services.build_rules("national-2024", {"on_track_factor": "0.4"})  # at risk stays 0.5
    assert list(caught.value.extra["errors"]) == ["rules_overrides.compliance.at_risk_factor"]


def test_every_refusal_of_one_request_is_reported_together():
    with pytest.raises(ValidationFailed) as caught:
        services.build_rules(
            "national-2024",
            {"on_track_factor": "2", "granularity": "by-city", "confirm_hours": -1},
        )
    assert set(caught.value.extra["errors"]) == {
        "rules_overrides.compliance.on_track_factor",
        "rules_overrides.allocation.granularity",
        "rules_overrides.service_levels.confirm_hours",
    }


def test_the_sections_defaults_are_the_readers_defaults():
    """The platform's defaults live once per reader; the catalog's copy must not drift."""
    frozen = services.build_rules("national-2024", {})
    assert compliance_rules.from_snapshot(frozen) == compliance_rules.ComplianceRules()
    assert SettlementRules.from_snapshot(frozen) == SettlementRules()
    assert ServiceLevels.from_snapshot(frozen) == ServiceLevels()
    compliance_fields = {f.name for f in dataclasses.fields(compliance_rules.ComplianceRules)}
    assert set(frozen["compliance"]) == compliance_fields  # every field, whole
    assert set(frozen["settlement"]) == {f.name for f in dataclasses.fields(SettlementRules)}
    assert PharmacyRules.from_snapshot(frozen) == PharmacyRules()
    assert set(frozen["pharmacy"]) == {f.name for f in dataclasses.fields(PharmacyRules)}


def test_reconciliation_is_on_in_the_national_2025_preset_only_and_a_tender_may_turn_it_off():
    """RULES.md 11: the national-2025 preset reconciles monthly before the fund pays; the
    older presets keep the platform default (off); either way it is a per-tender override."""
    recent = services.build_rules("national-2025", {})
    assert SettlementRules.from_snapshot(recent).reconciliation is True
    assert recent["settlement"] == {
        "advance_ratio": "0.30",
        "payment_deadline_days": 30,
        **RECONCILIATION_DEFAULTS,
        "reconciliation": True,
    }
    for preset in ("national-2021", "national-2024"):
        assert services.build_rules(preset, {})["settlement"]["reconciliation"] is False
    off = services.build_rules("national-2025", {"settlement.reconciliation": False})
    assert SettlementRules.from_snapshot(off).reconciliation is False
    assert overrides.rules_view("national-2025")["settlement"]["reconciliation"] is True


def test_a_tender_freezes_every_section_with_its_overrides_when_it_leaves_draft(
    db_session, clock, make_tender, regulator, monkeypatch
):
    overrides = {
        "compliance.on_track_factor": "0.9",
        "compliance.retention_scheme": "tiers",
        "settlement.payment_deadline_days": 15,
        "service_levels.confirm_hours": 12,
    }
    tender = make_tender("demand_open", rules_overrides=overrides)
    snapshot = db_session.get(Tender, tender.id).rules_snapshot
    assert snapshot["compliance"]["on_track_factor"] == "0.9"
    assert snapshot["compliance"]["retention_scheme"] == "tiers"
    assert snapshot["compliance"]["grades"] == [
        ["A", "80", "0.5"],
        ["B", "70", "0.4"],
        ["C", "60", "0.3"],
    ]
    assert snapshot["settlement"] == {
        "advance_ratio": "0.30",
        "payment_deadline_days": 15,
        **RECONCILIATION_DEFAULTS,
    }
    assert snapshot["service_levels"]["confirm_hours"] == 12
    # the readers take the frozen values
    assert compliance_rules.from_snapshot(snapshot).on_track_factor == D("0.9")
    assert SettlementRules.from_snapshot(snapshot).payment_deadline_days == 15
    assert ServiceLevels.from_snapshot(snapshot).confirm_hours == 12
    # later code changes of a default never reach a frozen tender: the snapshot holds them all
    moved = rules_sections.Field("0.7", rules_sections.ratio)
    monkeypatch.setitem(rules_sections.SECTIONS["compliance"], "on_track_factor", moved)
    assert services.build_rules("national-2024", {})["compliance"]["on_track_factor"] == "0.7"
    assert compliance_rules.from_snapshot(snapshot).on_track_factor == D("0.9")
    assert tender.status == TenderStatus.DEMAND_OPEN
    with pytest.raises(TenderNotDraft) as refused:
        services.update_tender(
            db_session,
            tender_id=tender.id,
            changes={"rules_overrides": {}},
            expected_version=None,
            now=clock.now(),
            actor=actor_of(regulator),
        )
    assert refused.value.code == "tender-not-draft"
    assert db_session.get(Tender, tender.id).rules_overrides == overrides


def test_a_refused_edit_changes_nothing(db_session, clock, make_tender, regulator):
    tender = make_tender("draft", rules_overrides={"settlement.payment_deadline_days": 15})
    version = tender.version
    with pytest.raises(RulesOverridesNotValid):
        services.update_tender(
            db_session,
            tender_id=tender.id,
            changes={"rules_overrides": {"settlement.payment_deadline_days": 0}},
            expected_version=version,
            now=clock.now(),
            actor=actor_of(regulator),
        )
    db_session.rollback()
    db_session.expire_all()
    stored = db_session.get(Tender, tender.id)
    assert stored.rules_overrides == {"settlement.payment_deadline_days": 15}
    assert stored.version == version
