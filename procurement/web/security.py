"""Security headers on every response, the trusted-proxy setting, and the API rate limit."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from procurement.auth.services.ratelimit import Rate, RateLimited, RateMeter
from procurement.core.errors import Unauthenticated

# No inline script or style anywhere (templates load static files), so the policy names only
# this site. Swagger UI is served from /static/swagger-ui and draws its icons from data: URIs.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["ENV"] == "production":
        response.headers.setdefault(
            "Strict-Transport-Security",
            f"max-age={int(current_app.config['HSTS_MAX_AGE'])}; includeSubDomains",
        )
    return response


def _api_rate_key() -> str:
    """Per API token; per client address for calls without a (valid) token."""
    from procurement.web.auth import api_actor

    try:
        actor = api_actor(optional=True)
    except Unauthenticated:  # the view answers 401; count the caller by address meanwhile
        actor = None
    if actor is not None:
        secret = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "unknown")[:150]


def check_api_rate() -> None:
    """Before every API operation: count it, refuse it with a 429 over API_RATE_LIMIT."""
    from procurement.web.session import get_session, now

    rate = Rate.parse(current_app.config["API_RATE_LIMIT"])
    meter = current_app.extensions["procurement"]["rate_meter"]
    meter.count(get_session(), key=_api_rate_key(), rate=rate, now=now())


def handle_rate_limited(error: RateLimited) -> Response:
    return retry_later(error)


def retry_later(error) -> Response:
    """A 429 problem for a refusal that carries ``retry_after`` seconds (rate limit, login
    throttle), with ``Retry-After``."""
    from procurement.web.problems import handle_domain_error

    return handle_domain_error(error)  # a Throttled problem: 429 with Retry-After


def limit_api_blueprint(blueprint) -> None:
    """Apply API_RATE_LIMIT to every operation of an API blueprint (once per blueprint: the
    blueprints are module objects that every app instance shares)."""
    if check_api_rate not in blueprint.before_request_funcs.get(None, []):
        blueprint.before_request(check_api_rate)


def register(app: Flask) -> None:
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.after_request(add_security_headers)
    app.register_error_handler(RateLimited, handle_rate_limited)
    app.extensions["procurement"]["rate_meter"] = RateMeter()
