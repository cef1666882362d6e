"""The tender's rules page: every section by field with the preset's value, saved as the tender's
overrides in draft (errors beside their fields, nothing typed lost), read-only once frozen."""

from procurement.catalog.models import Tender


def test_the_rules_form_saves_overrides_of_each_section(client, db_session, login, regulator, make_tender):
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
