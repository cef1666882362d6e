"""Outside production, missing BID_SEAL_KEYS and AUDIT_KEYS are generated once into the instance
folder (0600) and reused, never derived from SECRET_KEY: a database copied to another instance
neither opens its sealed bids nor verifies its audit chain there."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet

from procurement.audit import keys
from procurement.audit.services import record, verify_chain
from procurement.bidding.seal import SealError, sealer_from_settings
from procurement.settings import INSTANCE_KEYS_FILE, SettingsError, fill_instance_keys

DEV = {"ENV": "development", "SECRET_KEY": "dev-insecure-change-me"}


@pytest.fixture
def restore_keyring():
    saved = keys.current()
    yield
    keys.install(saved)


def test_the_instance_key_file_is_created_once_with_mode_0600_and_reused(tmp_path):
    first, second = dict(DEV), dict(DEV)
    fill_instance_keys(first, tmp_path)
    path = tmp_path / INSTANCE_KEYS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = path.read_bytes()
    fill_instance_keys(second, tmp_path)
    assert path.read_bytes() == written
    assert first["BID_SEAL_KEYS"] == second["BID_SEAL_KEYS"]
    assert first["AUDIT_KEYS"] == second["AUDIT_KEYS"]
    Fernet(first["BID_SEAL_KEYS"][0])  # a valid Fernet key
    assert len(first["AUDIT_KEYS"][0]) >= keys.MIN_KEY_LENGTH
    assert list(tmp_path.iterdir()) == [path]  # no leftovers of the atomic write


def test_generated_keys_do_not_depend_on_the_secret_key(tmp_path):
    one, other = dict(DEV), dict(DEV)
    fill_instance_keys(one, tmp_path / "a")
    fill_instance_keys(other, tmp_path / "b")
    assert one["BID_SEAL_KEYS"] != other["BID_SEAL_KEYS"]
    assert one["AUDIT_KEYS"] != other["AUDIT_KEYS"]


def test_configured_keys_win_and_production_never_reads_the_instance_folder(tmp_path):
    configured = {**DEV, "BID_SEAL_KEYS": ["configured"], "AUDIT_KEYS": []}
    fill_instance_keys(configured, tmp_path)
    assert configured["BID_SEAL_KEYS"] == ["configured"]
    assert len(configured["AUDIT_KEYS"]) == 1
    production = {"ENV": "production"}
    fill_instance_keys(production, tmp_path / "prod")
    assert "AUDIT_KEYS" not in production
    assert not (tmp_path / "prod").exists()


def test_a_key_file_readable_by_others_is_refused(tmp_path):
    fill_instance_keys(dict(DEV), tmp_path)
    (tmp_path / INSTANCE_KEYS_FILE).chmod(0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        fill_instance_keys(dict(DEV), tmp_path)


def test_a_copied_database_opens_neither_bids_nor_the_chain_under_another_instance(
    db_session, clock, tmp_path, restore_keyring
):
    here, there = dict(DEV), dict(DEV)
    fill_instance_keys(here, tmp_path / "here")
    fill_instance_keys(there, tmp_path / "there")
    sealed = sealer_from_settings(here).seal(b'{"price_per_pack": "47.6000"}')
    keys.install(keys.Keyring(here["AUDIT_KEYS"]))
    record(db_session, action="bid.submitted", subject_type="bid", subject_id=1, now=clock.now())
    db_session.commit()
    assert verify_chain(db_session).ok
    # The same rows, read by another instance with its own generated keys:
    with pytest.raises(SealError):
        sealer_from_settings(there).unseal(sealed)
    elsewhere = verify_chain(db_session, keyring=keys.Keyring(there["AUDIT_KEYS"]))
    assert elsewhere.problems == [
        f"event system#1: signed with audit key {keys.key_id(here['AUDIT_KEYS'][0])}, which is "
        "not in AUDIT_KEYS (put the key back in the list, or the event was forged)"
    ]


def test_short_audit_keys_are_refused_naming_the_limit():
    from procurement.settings import load_settings

    with pytest.raises(SettingsError, match="MIN_KEY_LENGTH"):
        load_settings(environ={"PROCUREMENT_AUDIT_KEYS": '["short"]'})
