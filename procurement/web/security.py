"""Security headers on every response, the trusted-proxy setting, and the API rate limit."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

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
LIMITER = "api_limiter"
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

    header = request.headers.get("Authorization", "")
    try:
        actor = api_actor(optional=True)
    except Unauthenticated:  # the view answers 401; count the caller by address meanwhile
        actor = None
    if actor is not None:
        secret = header.removeprefix("Bearer ").strip()
        return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "unknown")


def _api_rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def limit_api_blueprint(app: Flask, blueprint) -> None:
    """Apply API_RATE_LIMIT to every operation of an API blueprint."""
    limiter: Limiter = app.extensions[LIMITER]
    # One budget across every API operation (a plain limit would count each endpoint apart).
    limiter.shared_limit(_api_rate_limit, scope="api", error_message=_rate_limit_message)(blueprint)


def _rate_limit_message() -> str:
    return (
        f"Too many API requests ({current_app.config['API_RATE_LIMIT']}, API_RATE_LIMIT, "
        "per token or per client address without one); wait for Retry-After seconds."
    )


def handle_rate_limited(error: RateLimitExceeded) -> Response:
    from procurement.web.problems import problem_response

    return problem_response(
        429,
        code="rate-limited",
        title="Too many requests",
        detail=error.description or _rate_limit_message(),
        limit=current_app.config["API_RATE_LIMIT"],
        setting="API_RATE_LIMIT",
    )


def register(app: Flask) -> None:
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.after_request(add_security_headers)
    # One limiter per app: a blueprint's limits are kept on the limiter, and tests build many apps.
    app.extensions[LIMITER] = Limiter(key_func=_api_rate_key, app=app)
    app.register_error_handler(RateLimitExceeded, handle_rate_limited)
