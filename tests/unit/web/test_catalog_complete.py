"""The Chinese catalog translates every message of the code and the templates: none missing,
none empty, none fuzzy (Babel's extraction, with the mapping and keywords of babel.cfg)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "procurement"
CATALOG = PACKAGE / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
# Enum labels are translated in the "label" context (web/labels.py wraps lazy_pgettext in _l).
CONTEXT_BY_FILE = {"web/labels.py": "label"}


def extracted() -> dict[tuple[str | None, str], str]:
    """Every message of the code and templates -> where it was first found."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        PACKAGE, method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        context = context or CONTEXT_BY_FILE.get(filename.replace("\\", "/"))
        found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


def test_every_message_of_the_code_and_templates_has_a_chinese_translation():
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="zh")
    missing, untranslated, fuzzy = [], [], []
    for (context, msgid), where in sorted(extracted().items(), key=lambda item: item[1]):
        entry = catalog.get(msgid, context=context)
        shown = f"{where}: {msgid!r}" + (f" (context {context})" if context else "")
        if entry is None:
            missing.append(shown)
        elif entry.fuzzy:
            fuzzy.append(shown)
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            untranslated.append(shown)
    assert not missing, f"{len(missing)} messages missing from messages.po:\n" + "\n".join(missing)
    assert not untranslated, f"{len(untranslated)} untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy:\n" + "\n".join(fuzzy)


def test_the_catalog_has_no_fuzzy_or_empty_entry_at_all():
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="zh")
    bad = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert not bad, f"fuzzy or empty entries: {bad}"
