import pytest

from procurement.settings import DEFAULT_SECRET, SettingsError, load_settings

GOOD_SECRET = "x" * 40
SEAL_KEYS = '["q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="]'
AUDIT_KEYS = '["a-production-audit-key-of-32-chars-or-more"]'


def test_without_environment_the_development_defaults_apply():
    settings = load_settings(environ={})
    assert settings["ENV"] == "development"
    assert settings["SECRET_KEY"] == DEFAULT_SECRET
    assert settings["DATABASE_URL"] == ""
    assert settings["AUTO_MIGRATE"] is True
    assert settings["OPENAPI_SWAGGER_UI_URL"] == "/static/swagger-ui/"


def test_the_testing_file_overrides_the_defaults():
    settings = load_settings(environ={"PROCUREMENT_ENV": "testing"})
    assert settings["TESTING"] is True
    assert settings["WTF_CSRF_ENABLED"] is False


def test_environment_variables_override_the_files_and_json_values_are_parsed():
    settings = load_settings(
        environ={
            "DATABASE_URL": "postgresql+psycopg://u@db/p",
            "SECRET_KEY": "from-env",
            "PROCUREMENT_AUTO_MIGRATE": "false",
            "PROCUREMENT_MAX_CONTENT_LENGTH": "1024",
            "PROCUREMENT_API_TITLE": "Shanghai VBP",
        }
    )
    assert settings["DATABASE_URL"] == "postgresql+psycopg://u@db/p"
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["AUTO_MIGRATE"] is False
    assert settings["MAX_CONTENT_LENGTH"] == 1024
    assert settings["API_TITLE"] == "Shanghai VBP"


def test_overrides_win_over_the_environment():
    settings = load_settings({"SECRET_KEY": "override"}, environ={"SECRET_KEY": "env"})
    assert settings["SECRET_KEY"] == "override"


def test_a_config_file_named_by_procurement_config_is_read(tmp_path):
    extra = tmp_path / "site.toml"
    extra.write_text('API_TITLE = "From file"\nBABEL_DEFAULT_LOCALE = "en"\n')
    settings = load_settings(environ={"PROCUREMENT_CONFIG": str(extra)})
    assert (settings["API_TITLE"], settings["BABEL_DEFAULT_LOCALE"]) == ("From file", "en")


def test_production_refuses_the_default_secret_key():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings(
            environ={"PROCUREMENT_ENV": "production", "PROCUREMENT_BID_SEAL_KEYS": SEAL_KEYS}
        )


def test_production_refuses_a_short_secret_key():
    environ = {
        "PROCUREMENT_ENV": "production",
        "SECRET_KEY": "short",
        "PROCUREMENT_BID_SEAL_KEYS": SEAL_KEYS,
    }
    with pytest.raises(SettingsError, match="32"):
        load_settings(environ=environ)


def test_production_refuses_to_start_without_bid_seal_keys():
    with pytest.raises(SettingsError, match="BID_SEAL_KEYS"):
        load_settings(environ={"PROCUREMENT_ENV": "production", "SECRET_KEY": GOOD_SECRET})


def test_production_starts_with_its_own_secret_and_seal_keys():
    settings = load_settings(
        environ={
            "PROCUREMENT_ENV": "production",
            "SECRET_KEY": GOOD_SECRET,
            "PROCUREMENT_BID_SEAL_KEYS": SEAL_KEYS,
            "PROCUREMENT_AUDIT_KEYS": AUDIT_KEYS,
        }
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["BID_SEAL_KEYS"] == [SEAL_KEYS[2:-2]]


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(SettingsError, match="development, testing, production"):
        load_settings(environ={"PROCUREMENT_ENV": "staging"})


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgres.example.org/db"])
def test_a_database_url_that_is_not_sqlite_or_postgresql_is_refused(url):
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(environ={"DATABASE_URL": url})


def test_the_business_time_zone_defaults_to_shanghai_and_pages_follow_it():
    settings = load_settings(environ={})
    assert settings["BUSINESS_TIMEZONE"] == "Asia/Shanghai"
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"


def test_an_unknown_business_time_zone_is_refused_at_start():
    with pytest.raises(SettingsError, match="BUSINESS_TIMEZONE"):
        load_settings(environ={"PROCUREMENT_BUSINESS_TIMEZONE": "Mars/Olympus"})
