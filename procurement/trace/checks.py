"""Check a whole code file for one shipment line, before anything is stored. Pure.

Every code is parsed (``codes.parse_code``); a code twice in the file, a case code that is also
a box, and a box count other than the line's packs are refused too. All refusals are collected
(the first MAX_CODE_REFUSALS are reported, each naming its row and code), so the sender fixes
the file in one go.

A large file is usually plain: every code a 码上放心 (or registered-format) code of the product,
no cases, no repeats, one code per pack. That is checked first by whole lists (one compiled
expression over every code, one set for repeats: ~0.5 s for a million codes, against ~6 s code
by code); any doubt, and the file is checked row by row, which names every refusal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from procurement.core.messages import Message
from procurement.trace.codes import (
    CodeRefused,
    LineFacts,
    ProductFormats,
    kept_as_sent,
    parse_code,
)
from procurement.trace.files import CodeRow, gc_paused

MAX_CODE_REFUSALS = 100  # refusals listed in one answer; the count says how many there were


@dataclass(frozen=True)
class NewPackage:
    """A case: its key, row and the boxes it stands for."""

    key: str
    row: int
    boxes: int


@dataclass
class Checked:
    """The file's boxes as columns (their keys, rows and cases, in file order; not one object a
    box) and the cases that stand for them."""

    keys: list[str] = field(default_factory=list)
    box_rows: list[int] = field(default_factory=list)
    box_cases: list[str | None] = field(default_factory=list)
    cases: list[NewPackage] = field(default_factory=list)
    refusals: dict[str, list[str]] = field(default_factory=dict)
    refused: int = 0

    def refuse(self, where: str, message: str) -> None:
        self.refused += 1
        if len(self.refusals) < MAX_CODE_REFUSALS:
            self.refusals.setdefault(where, []).append(message)

    def add_box(self, key: str, row: int, case_key: str | None) -> None:
        self.keys.append(key)
        self.box_rows.append(row)
        self.box_cases.append(case_key)

    @property
    def rows(self) -> dict[str, int]:
        rows = dict(zip(self.keys, self.box_rows, strict=True))
        rows.update((p.key, p.row) for p in self.cases)
        return rows


def check_rows(
    rows: list[CodeRow], product: ProductFormats, line: LineFacts, *, packs: int
) -> Checked:
    """The packages of ``rows`` (boxes, and the cases that stand for them) and every refusal."""
    plain = _plain_file(rows, product, packs)
    if plain is not None:
        return plain
    with gc_paused():
        return _row_by_row(rows, product, line, packs)


def _plain_file(rows: list[CodeRow], product: ProductFormats, packs: int) -> Checked | None:
    """The boxes of a file of the line's count of distinct codes, each stored as sent (no
    cases); None if the file is anything else (then it is checked row by row)."""
    test = kept_as_sent(product)
    if test is None or len(rows) != packs or any(row.case for row in rows):
        return None
    keys = [row.code.strip() for row in rows]
    if not all(map(test, keys)) or len(set(keys)) != len(keys):
        return None
    return Checked(keys, [row.row for row in rows], [None] * len(keys))


def _row_by_row(
    rows: list[CodeRow], product: ProductFormats, line: LineFacts, packs: int
) -> Checked:
    checked = Checked()
    first_row: dict[str, int] = {}
    case_keys: dict[str, str | None] = {}
    case_rows: dict[str, int] = {}
    for item in rows:
        key = _parse(checked, item.row, item.code, product, line)
        case_key = None
        if item.case:
            if item.case not in case_keys:
                case_keys[item.case] = _parse(checked, item.row, item.case, product, line)
                case_rows.setdefault(case_keys[item.case] or "", item.row)
            case_key = case_keys[item.case]
        if key is None:
            continue
        if key in first_row:
            checked.refuse(
                _at(item.row, item.code),
                Message("the same code as row {first}", first=first_row[key]),
            )
            continue
        first_row[key] = item.row
        checked.add_box(key, item.row, case_key)
    _check_cases(checked, first_row, case_rows)
    if len(rows) != packs:
        checked.refuse(
            "line",
            Message(
                "{boxes} box codes for a line of {packs} packs: one code per pack",
                boxes=len(rows),
                packs=packs,
            ),
        )
    return checked


def _check_cases(checked: Checked, box_rows: dict[str, int], case_rows: dict[str, int]) -> None:
    counts = Counter(key for key in checked.box_cases if key)
    for key, boxes in sorted(counts.items()):
        if key in box_rows:
            checked.refuse(
                _at(case_rows[key], key),
                Message("a case code that is also a box (row {row})", row=box_rows[key]),
            )
            continue
        checked.cases.append(NewPackage(key, case_rows[key], boxes=boxes))


def _parse(
    checked: Checked, row: int, text: str, product: ProductFormats, line: LineFacts
) -> str | None:
    try:
        return parse_code(text, product, line).key
    except CodeRefused as refused:
        checked.refuse(_at(row, text), refused.message)
        return None


def _at(row: int, code: str) -> str:
    return f"row {row}: {code.strip()[:100]}"
