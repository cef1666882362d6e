"""Bilingual pages (Simplified Chinese, English): chosen by ?lang=, then a cookie, then the
browser's Accept-Language. Money is shown as yuan with separators; dates as the locale writes
them."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, current_app, request
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale

from procurement.core.messages import use_translator
from procurement.core.money import plain, round_places
from procurement.web.fieldnames import field_label
from procurement.web.labels import label, preset_label
from procurement.web.messages import translate_message
from procurement.web.regions import region_class_label, region_label

LOCALES = ("zh", "en")


def select_locale() -> str:
    """The API speaks English unless Accept-Language asks for Chinese; pages follow ?lang=, the
    cookie, then Accept-Language."""
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LOCALES) or "en"
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(LOCALES)
    return best or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")


def yuan(value: Decimal | int | None, places: int = 2) -> str:
    """¥1,234.50 (4 places for unit prices); a negative amount is -¥12.00."""
    if value is None:
        return "—"
    pattern = "#,##0." + "0" * places
    rounded = round_places(Decimal(value), places)
    sign = "-" if rounded < 0 else ""
    return sign + "¥" + format_decimal(abs(rounded), format=pattern)


def register(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    use_translator(translate_message)
    app.jinja_env.globals.update(get_locale=get_locale, LOCALES=LOCALES, preset_label=preset_label)
    app.jinja_env.filters.update(
        yuan=yuan,
        date=lambda v: format_date(v, "medium") if v else "—",
        datetime=lambda v: format_datetime(v, "medium") if v else "—",
        number=lambda v: format_decimal(v) if v is not None else "—",
        plain=lambda v: plain(v) if v is not None else "—",
        label=label,
        preset=preset_label,
        field_label=field_label,
        region=region_label,
        region_class=region_class_label,
        msg=translate_message,
    )

    @app.after_request
    def remember_language(response):
        lang = request.args.get("lang")
        if lang in LOCALES:
            response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response
