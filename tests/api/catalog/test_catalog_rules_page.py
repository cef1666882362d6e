"""The tender's rules page: every section by field with the preset's value, saved as the tender's
overrides in draft (errors beside their fields, nothing typed lost), read-only once frozen."""

from procurement.catalog.models import Tender


def test_the_rules_form_saves_overrides_of_each_section(
    client, db_session, login, regulator, make_tender
):
    tender = make_tender("draft")
    login(regulator)
    page = client.get(f"/regulator/tenders/{tender.id}/rules")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="rules_overrides.compliance.on_track_factor"' in html
    form = {
        "version": str(tender.version),
        "rules_overrides.compliance.on_track_factor": "0.9",
        "rules_overrides.compliance.retention_scheme": "tiers",
        "rules_overrides.compliance.grades": "A 85 0.6; B 70 0.4",
        "rules_overrides.compliance.credit_points.late_delivery": "2",
        "rules_overrides.settlement.payment_deadline_days": "15",
        "rules_overrides.service_levels.deliver_hours.city": "12",
        "rules_overrides.allocation.every_winner_gets_a_region": "false",
    }
    saved = client.post(f"/regulator/tenders/{tender.id}/rules", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Tender, tender.id).rules_overrides == {
        "compliance.on_track_factor": "0.9",
        "compliance.retention_scheme": "tiers",
        "compliance.grades": [["A", "85", "0.6"], ["B", "70", "0.4"]],
        "compliance.credit_points": {"late_delivery": 2},
        "settlement.payment_deadline_days": 15,
        "service_levels.deliver_hours": {"city": 12},
        "allocation.every_winner_gets_a_region": False,
    }


def test_a_refused_rules_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(
    client, db_session, login, regulator, make_tender
):
    tender = make_tender("draft", rules_overrides={"settlement.payment_deadline_days": 20})
    login(regulator)
    form = {
        "version": str(tender.version),
        "rules_overrides.compliance.on_track_factor": "1.5",
        "rules_overrides.compliance.grades": "A 70 0.5; B 80 0.4",
        "rules_overrides.settlement.payment_deadline_days": "15",
        "rules_overrides.service_levels.deliver_hours.city": "0",
    }
    refused = client.post(
        f"/regulator/tenders/{tender.id}/rules", data=form, headers={"Accept-Language": "zh"}
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="in-rules_overrides-compliance-on_track_factor-error">0 到 1 之间的比例' in html
    assert "从最好的一档起：最低分须严格递减" in html
    assert "1 到 720 之间（MAX_SERVICE_HOURS）" in html
    assert 'value="A 70 0.5; B 80 0.4"' in html  # nothing typed is lost
    assert 'name="rules_overrides.settlement.payment_deadline_days" type="text" value="15"' in html
    db_session.expire_all()
    stored = db_session.get(Tender, tender.id)
    assert stored.rules_overrides == {"settlement.payment_deadline_days": 20}
    assert stored.version == tender.version


def test_the_frozen_rules_are_read_only_beside_the_preset(
    client, db_session, login, regulator, make_tender
):
    tender = make_tender("demand_open", rules_overrides={"compliance.on_track_factor": "0.9"})
    login(regulator)
    html = client.get(f"/regulator/tenders/{tender.id}/rules").get_data(as_text=True)
    assert 'data-testid="rules-form"' not in html
    assert 'data-testid="frozen-compliance-on_track_factor"><strong>0.9</strong>' in html
    assert 'data-testid="frozen-settlement-payment_deadline_days">30<' in html
    version = str(tender.version)
    refused = client.post(f"/regulator/tenders/{tender.id}/rules", data={"version": version})
    assert refused.status_code == 422  # shown again with the refusal on top
    assert "not &#39;draft&#39;: its catalog is frozen" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Tender, tender.id).rules_overrides == {
        "compliance.on_track_factor": "0.9"
    }
