"""A shipment of 3 boxes with codes: boxes 1 and 2 in CASE, box 3 loose (receiving by scan)."""

from __future__ import annotations

import pytest

from procurement.trace import services as trace
from procurement.trace.files import CodeRow

CASE = "81234569000000000001"


@pytest.fixture
def coded(make_shipped, db_session, clock):
    shipped = make_shipped(packs=3)
    rows = [
        CodeRow(2, shipped.mashang(1), CASE),
        CodeRow(3, shipped.mashang(2), CASE),
        CodeRow(4, shipped.mashang(3)),
    ]
    trace.attach_codes(
        db_session,
        shipment_line_id=shipped.line.id,
        rows=rows,
        now=clock.now(),
        actor=shipped.world.m,
    )
    return shipped
