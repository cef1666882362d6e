"""Settings: config/*.toml, then the environment, then the caller's overrides. Validated at start.

Order (later wins):
1. ``config/default.toml``;
2. ``config/<env>.toml`` for ``PROCUREMENT_ENV`` (development, testing, production);
3. the file named by ``PROCUREMENT_CONFIG``, if set;
4. ``DATABASE_URL`` / ``SECRET_KEY`` and every ``PROCUREMENT_<NAME>`` environment variable;
5. ``overrides`` passed to ``create_app``.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_SECRET = "dev-insecure-change-me"
ENVIRONMENTS = ("development", "testing", "production")


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
    try:
        ZoneInfo(settings.get("BUSINESS_TIMEZONE") or "")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(
            f"BUSINESS_TIMEZONE must be an IANA time zone such as Asia/Shanghai, not "
            f"{settings.get('BUSINESS_TIMEZONE')!r}"
        ) from error
    settings.setdefault("BABEL_DEFAULT_TIMEZONE", settings["BUSINESS_TIMEZONE"])
    url = settings.get("DATABASE_URL", "")
    if url and not url.startswith(("sqlite", "postgresql")):
        raise SettingsError("DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
