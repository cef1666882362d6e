"""Search keys of a generic name for the public finder: the name itself, its full pinyin
without tones or spaces (阿莫西林 -> amoxilin) and its initials (amxl), built with pypinyin
once when a product is signed up and stored in ``finder_names``, never per request.

The vowel ü (氯 lü) has two spellings a patient may type: ``v``, as pinyin keyboards take it
(lvbigelei), and ``u``, as it is often written without the dots (lubigelei). Both are keys; a
typed ``ü`` is read as ``v``."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

MAX_QUERY = 40  # characters of a finder query
_KEEP = re.compile(r"[a-z0-9\u3400-\u9fff]")


def normalize(text: str) -> str:
    """Lower case, ``ü`` as ``v``, only letters, digits and CJK characters (spaces and
    punctuation dropped)."""
    return "".join(_KEEP.findall((text or "").lower().replace("ü", "v")))


def search_keys(generic_name: str) -> set[str]:
    """The keys a patient may type a prefix of to find ``generic_name``."""
    name = normalize(generic_name)
    full = normalize("".join(lazy_pinyin(generic_name)))
    initials = normalize("".join(lazy_pinyin(generic_name, style=Style.FIRST_LETTER)))
    return {k for k in (name, full, full.replace("v", "u"), initials) if k}
