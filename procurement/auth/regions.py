"""GB/T 2260 names of administrative division codes (province, city and county level), from
the table in ``auth/data/regions.csv`` (its source is named in its header)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

# City-level entries that stand for "the districts" or "the counties" of a province-level city
# (110100 市辖区): their name is the province's.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@cache
def _table() -> dict[str, str]:
    text = resources.files("procurement.auth").joinpath("data/regions.csv").read_text("utf-8")
    rows = csv.reader(line for line in text.splitlines() if not line.startswith("#"))
    return {code: name for code, name in rows}


def region_name(code: str | None) -> str | None:
    """The full name of a region: 320000 江苏省, 320100 南京市, 320102 南京市玄武区,
    310101 上海市黄浦区; None for a code not in the table."""
    if not code:
        return None
    table = _table()
    name = table.get(code)
    if name is None:
        return None
    if code.endswith("0000"):
        return name
    parent = province_name = table.get(code[:2] + "0000", "")
    if code.endswith("00"):
        return province_name if name in PLACEHOLDER_NAMES else name
    city = table.get(code[:4] + "00")
    if city is not None and city not in PLACEHOLDER_NAMES:
        parent = city
    return parent + name
