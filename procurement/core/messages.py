"""Messages translated when they are shown, in the reader's language: msgids marked with
:func:`N_` and :class:`Message` (a sentence with named parameters that reads as its English
text, e.g. stored or sent by the API, and is translated from its template on a page).

The domain has no Flask: the web layer installs the translator (``use_translator``); without
one (CLI, logs) messages stay English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    """Mark a message for the catalog; it is translated when shown, in the reader's language."""
    return message


class _Translator:
    """The function that translates a msgid (the identity until the web layer installs one)."""

    translate: Callable[[str], str] = staticmethod(lambda message: message)


def use_translator(translate: Callable[[str], str]) -> None:
    """Install the message translator (``web/i18n.py`` installs the request's language)."""
    _Translator.translate = staticmethod(translate)


def translate(message: str) -> str:
    return _Translator.translate(message)


class _Fields(dict[str, Any]):
    """Template values; a field nobody gave stays as it is written (``{name}``), so a message
    never fails for want of a value."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_message(template: str, params: dict[str, Any]) -> str:
    """The template filled with ``params``; the template itself if it cannot be filled."""
    try:
        return template.format_map(_Fields(params))
    except (IndexError, ValueError, AttributeError, TypeError):
        return template


def fill(template: str, params: dict[str, Any]) -> str:
    """The template, translated and filled (parameters that are :class:`Message` too); the
    English template if a translation is malformed."""
    shown = {k: v.translated() if isinstance(v, Message) else v for k, v in params.items()}
    try:
        return translate(template).format_map(_Fields(shown))
    except (IndexError, ValueError, AttributeError, TypeError):
        return format_message(template, shown)


class Message(str):
    """A message with named parameters: reads as its English text, and is translated from its
    template when shown (``Message("Line {line}: no such contract.", line=2)``)."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        self = super().__new__(cls, format_message(template, params) if params else template)
        self.template, self.params = template, params
        return self

    def translated(self) -> str:
        return fill(self.template, self.params)


def translated(message: str) -> str:
    """A field message (plain or :class:`Message`) in the current language."""
    if isinstance(message, Message):
        return message.translated()
    return translate(message)
