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


def test_the_trace_group_is_on_the_rules_form_in_chinese_and_saves_like_the_others(
    client, db_session, login, regulator, make_tender
):
    """require_trace_codes, trace_codes_from, receive_without_code and expiry_alert_days:
    labelled in Chinese with the preset's value, saved as overrides, refusals beside the
    field in Chinese with the input kept."""
    tender = make_tender("draft")
    login(regulator)
    url = f"/regulator/tenders/{tender.id}/rules"
    html = client.get(url, headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert 'data-testid="rules-trace"' in html
    assert "<legend>追溯码</legend>" in html
    for name, label in [
        ("require_trace_codes", "医保基金只结算已扫码验收的药品"),
        ("trace_codes_from", "自该日起验收须扫追溯码"),
        ("receive_without_code", "允许无码验收（须说明原因）"),
        ("expiry_alert_days", "近效期预警（到期前天数）"),
    ]:
        assert f'name="rules_overrides.trace.{name}"' in html
        assert label in html
    assert "预设：2025-07-01" in html
    assert 'name="rules_overrides.trace.trace_codes_from" type="date"' in html
    bad = {
        "version": str(tender.version),
        "rules_overrides.trace.expiry_alert_days": "0",
        "rules_overrides.trace.receive_without_code": "true",
    }
    refused = client.post(url, data=bad, headers={"Accept-Language": "zh"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert (
        'id="in-rules_overrides-trace-expiry_alert_days-error">至少一个天数，每个不小于 1' in page
    )
    assert 'name="rules_overrides.trace.expiry_alert_days" type="text" value="0"' in page
    form = {
        "version": str(tender.version),
        "rules_overrides.trace.require_trace_codes": "false",
        "rules_overrides.trace.trace_codes_from": "2026-01-01",
        "rules_overrides.trace.receive_without_code": "true",
        "rules_overrides.trace.expiry_alert_days": "120, 60",
    }
    saved = client.post(url, data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Tender, tender.id).rules_overrides == {
        "trace.require_trace_codes": False,
        "trace.trace_codes_from": "2026-01-01",
        "trace.receive_without_code": True,
        "trace.expiry_alert_days": [120, 60],
    }
    again = client.get(url).get_data(as_text=True)
    assert 'name="rules_overrides.trace.expiry_alert_days" type="text" value="120, 60"' in again
