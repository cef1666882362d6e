"""Settings: config/*.toml, then the environment, then the caller's overrides. Validated at start.

Order (later wins):
1. ``config/default.toml``;
2. ``config/<env>.toml`` for ``PROCUREMENT_ENV`` (development, testing, production);
3. the file named by ``PROCUREMENT_CONFIG``, if set;
4. ``DATABASE_URL`` / ``SECRET_KEY`` and every ``PROCUREMENT_<NAME>`` environment variable;
5. ``overrides`` passed to ``create_app``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_SECRET = "dev-insecure-change-me"
ENVIRONMENTS = ("development", "testing", "production")
# Outside production, missing BID_SEAL_KEYS / AUDIT_KEYS are generated once into this file of
# the instance folder (mode 0600) and reused: never derived from the (public) default secret.
INSTANCE_KEYS_FILE = "secret-keys.json"
INSTANCE_KEY_NAMES = ("BID_SEAL_KEYS", "AUDIT_KEYS")
# An OCDS ocid prefix as the Open Contracting Partnership assigns them.
OCID_PREFIX = re.compile(r"ocds-[a-z0-9]{6}")


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _from_environment(environ: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for bare in ("DATABASE_URL", "SECRET_KEY"):
        if environ.get(bare):
            values[bare] = environ[bare]
    for key, raw in environ.items():
        if not key.startswith("PROCUREMENT_") or key in ("PROCUREMENT_ENV", "PROCUREMENT_CONFIG"):
            continue
        try:
            values[key.removeprefix("PROCUREMENT_")] = json.loads(raw)
        except json.JSONDecodeError:
            values[key.removeprefix("PROCUREMENT_")] = raw
    return values


def load_settings(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> dict[str, Any]:
    """Build the settings mapping for one app instance."""
    environ = dict(os.environ if environ is None else environ)
    overrides = dict(overrides or {})
    env_name = overrides.get("ENV") or environ.get("PROCUREMENT_ENV") or "development"
    if env_name not in ENVIRONMENTS:
        raise SettingsError(f"PROCUREMENT_ENV must be one of {', '.join(ENVIRONMENTS)}")
    settings = _read_toml(CONFIG_DIR / "default.toml")
    settings.update(_read_toml(CONFIG_DIR / f"{env_name}.toml"))
    if environ.get("PROCUREMENT_CONFIG"):
        settings.update(_read_toml(Path(environ["PROCUREMENT_CONFIG"])))
    settings.update(_from_environment(environ))
    settings.update(overrides)
    settings["ENV"] = env_name
    validate(settings)
    return settings


def validate(settings: dict[str, Any]) -> None:
    """Fail fast on settings that cannot work."""
    if settings["ENV"] == "production":
        secret = settings.get("SECRET_KEY") or ""
        if secret == DEFAULT_SECRET or len(secret) < 32:
            raise SettingsError(
                "production needs its own SECRET_KEY (32+ random characters); set the "
                "SECRET_KEY environment variable, e.g. from `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`"
            )
        if not settings.get("BID_SEAL_KEYS"):
            raise SettingsError(
                "production needs BID_SEAL_KEYS (a JSON list of Fernet keys, newest first) in "
                "PROCUREMENT_BID_SEAL_KEYS"
            )
        if settings.get("WEBHOOKS_ALLOW_LOOPBACK_HTTP"):
            raise SettingsError("WEBHOOKS_ALLOW_LOOPBACK_HTTP is for testing and development only")
        if not settings.get("AUDIT_KEYS"):
            raise SettingsError(
                "production needs AUDIT_KEYS (a JSON list of secrets of 32+ characters, newest "
                "first, that sign the audit chain) in PROCUREMENT_AUDIT_KEYS, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
    _check_audit_keys(settings.get("AUDIT_KEYS"))
    try:
        ZoneInfo(settings.get("BUSINESS_TIMEZONE") or "")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(
            f"BUSINESS_TIMEZONE must be an IANA time zone such as Asia/Shanghai, not "
            f"{settings.get('BUSINESS_TIMEZONE')!r}"
        ) from error
    settings.setdefault("BABEL_DEFAULT_TIMEZONE", settings["BUSINESS_TIMEZONE"])
    _validate_security(settings)
    _publication(settings)
    url = settings.get("DATABASE_URL", "")
    if url and not url.startswith(("sqlite", "postgresql")):
        raise SettingsError("DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
    _check_job_queue(settings)
    _check_listing_rules(settings.get("LISTING_RULES"))


def _check_listing_rules(raw: Any) -> None:
    from procurement.listing.rules import ListingRules

    if raw is not None and not isinstance(raw, dict):
        raise SettingsError("LISTING_RULES must be a table of named multiples")
    try:
        ListingRules.from_mapping(raw)
    except ValueError as error:
        raise SettingsError(f"LISTING_RULES: {error}") from error


def _check_job_queue(settings: dict[str, Any]) -> None:
    queue = settings.get("JOB_QUEUE") or ""
    if queue not in ("", "procrastinate"):
        raise SettingsError('JOB_QUEUE must be "" (run jobs inline) or "procrastinate"')
    if queue and not str(settings.get("DATABASE_URL", "")).startswith("postgresql"):
        raise SettingsError(
            'JOB_QUEUE = "procrastinate" needs a PostgreSQL DATABASE_URL (its jobs live there)'
        )


def _check_audit_keys(keys: Any) -> None:
    from procurement.audit.keys import AuditKeyError, Keyring

    if keys in (None, []):
        return
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise SettingsError("AUDIT_KEYS must be a JSON list of strings, newest first")
    try:
        Keyring(keys)
    except AuditKeyError as error:
        raise SettingsError(str(error)) from None


def fill_instance_keys(settings: dict[str, Any], instance_path: str | Path) -> None:
    """Outside production, set the missing ``BID_SEAL_KEYS`` / ``AUDIT_KEYS`` from the instance
    folder's key file, generating it (mode 0600) on first use. Production must set its own
    (``validate`` refuses to start without them)."""
    missing = [name for name in INSTANCE_KEY_NAMES if not settings.get(name)]
    if not missing or settings.get("ENV") == "production":
        return
    stored = instance_keys(Path(instance_path))
    for name in missing:
        settings[name] = list(stored[name])


def audit_keys_outside_an_app() -> list[str]:
    """The AUDIT_KEYS an app would install, for a process that records audit events without
    one (a script, a test): the settings plus, outside production, the instance folder's key."""
    from flask import Flask

    config = load_settings()
    fill_instance_keys(config, Flask("procurement").instance_path)
    return list(config.get("AUDIT_KEYS") or [])


def instance_keys(instance_path: Path) -> dict[str, list[str]]:
    """The instance folder's generated keys: read the file, or create it once. Two processes
    starting together agree: the file is written aside and linked into place (link fails if
    it exists), so nobody reads a half-written file."""
    path = instance_path / INSTANCE_KEYS_FILE
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        keys = {
            "BID_SEAL_KEYS": [base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()],
            "AUDIT_KEYS": [secrets.token_urlsafe(32)],
        }
        aside = instance_path / f".{INSTANCE_KEYS_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(keys, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    if path.stat().st_mode & 0o077:
        raise SettingsError(f"{path} holds keys: make it readable by its owner only (chmod 600)")
    stored = json.loads(path.read_text())
    if not all(isinstance(stored.get(name), list) and stored[name] for name in INSTANCE_KEY_NAMES):
        raise SettingsError(f"{path} must hold BID_SEAL_KEYS and AUDIT_KEYS lists: restore it")
    return stored


def _validate_security(settings: dict[str, Any]) -> None:
    from procurement.core.rates import Rate

    proxies = settings.get("TRUSTED_PROXIES", 0)
    if not isinstance(proxies, int) or isinstance(proxies, bool) or proxies < 0:
        raise SettingsError(
            "TRUSTED_PROXIES must be the number of reverse proxies in front of the app (0 = none)"
        )
    for name in (
        "LOGIN_MAX_FAILURES",
        "LOGIN_MAX_FAILURES_PER_ADDRESS",
        "LOGIN_FAILURE_WINDOW_SECONDS",
        "LOGIN_LOCKOUT_SECONDS",
    ):
        value = settings.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SettingsError(f"{name} must be a whole number of at least 1")
    try:
        Rate.parse(str(settings.get("API_RATE_LIMIT", "")))
    except ValueError:
        raise SettingsError(
            'API_RATE_LIMIT must be a rate such as "600 per minute" or "10/second"'
        ) from None


def _publication(settings: dict[str, Any]) -> None:
    """The public address and what published data links with it: a checked ``PUBLIC_BASE_URL``
    (no trailing slash), and the links left empty filled from it (problem types, the OCDS
    publisher and publication policy)."""
    base = str(settings.get("PUBLIC_BASE_URL") or "").rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            "PUBLIC_BASE_URL must be the platform's public address, such as "
            f"https://vbp.example.gov.cn, not {settings.get('PUBLIC_BASE_URL')!r}"
        )
    settings["PUBLIC_BASE_URL"] = base
    for name, default in (
        ("PROBLEM_TYPE_BASE", f"{base}/problems/"),
        ("OCDS_PUBLISHER_URI", base),
        ("OCDS_PUBLICATION_POLICY", f"{base}/public/results"),
    ):
        if not settings.get(name):
            settings[name] = default
    prefix = settings.get("OCDS_OCID_PREFIX")
    if not isinstance(prefix, str) or not OCID_PREFIX.fullmatch(prefix):
        raise SettingsError(
            'OCDS_OCID_PREFIX must be "ocds-" and 6 lowercase letters or digits, as registered '
            f"with the Open Contracting Partnership, not {prefix!r}"
        )
