"""OCDS Cardinal's own test fixtures through the platform's indicator code: each ``.jsonl`` (one
compiled release per line) gives exactly its ``.expected`` (the "Meta" key aside), run the way
Cardinal's test suite runs them: only the indicator named by the file's first part, default
settings, ``no_price_comparison_procurement_methods = NPC`` and
``exclusions.procurement_method_details = EXC``. Copied from open-contracting/cardinal-rs (MIT,
tests/data/cardinal/LICENSE)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procurement.compliance.redflags.cardinal import FIXTURE_SETTINGS, indicators

FIXTURES = Path(__file__).parents[2] / "data" / "cardinal"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))


def _releases(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def test_every_indicator_has_a_fixture():
    assert {n.split("-")[0] for n in NAMES} == {
        "R018", "R024", "R025", "R028", "R035", "R036", "R038", "R058",
    }  # fmt: skip # the eight codes on one line, as the issue lists them


@pytest.mark.parametrize("name", NAMES)
def test_fixture_gives_cardinals_expected_output(name):
    expected = json.loads((FIXTURES / f"{name}.expected").read_text(encoding="utf-8"))
    expected.pop("Meta", None)
    result = indicators(
        _releases(FIXTURES / f"{name}.jsonl"),
        codes=[name.split("-")[0]],
        settings=FIXTURE_SETTINGS,
    )
    assert result.results == expected
