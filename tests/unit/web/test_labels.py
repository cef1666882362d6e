"""Every code a page shows has a label, and every label a Chinese translation."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from procurement.web.labels import LABELS

CATALOG = (
    Path(__file__).resolve().parents[3] / "procurement/translations/zh/LC_MESSAGES/messages.po"
)


@pytest.mark.parametrize("name", sorted(LABELS))
def test_each_value_of_a_labelled_enum_has_a_label(name):
    module, _, cls = name.rpartition(".")
    enum = getattr(importlib.import_module(module), cls)
    assert set(LABELS[name]) == {member.value for member in enum}


def test_every_label_is_translated_into_chinese():
    text = CATALOG.read_text(encoding="utf-8")
    translated = dict(re.findall(r'msgctxt "label"\nmsgid "([^"]*)"\nmsgstr "([^"]*)"', text))
    for labels in LABELS.values():
        for label in labels.values():
            source = label._args[1]  # lazy_pgettext("label", source)
            assert translated.get(source), f"no Chinese for the label {source!r}"
