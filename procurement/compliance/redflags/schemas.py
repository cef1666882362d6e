"""Red flags on the wire: every flag with its lots, bidders, value and reason; the tender's
lots and opened bidders with how many flags concern each."""

from __future__ import annotations

from marshmallow import fields

from procurement.web.api import Schema


def _value(flag) -> str | None:
    return None if flag.value is None else str(flag.value)


class FlagSchema(Schema):
    code = fields.Function(lambda f: f.code.value)
    lots = fields.List(fields.String())
    bidders = fields.List(fields.Integer())
    value = fields.Function(_value)
    reason = fields.String()


class RedFlagReportSchema(Schema):
    tender_id = fields.Function(lambda r: r.tender.id)
    tender_code = fields.Function(lambda r: r.tender.code)
    flags = fields.List(fields.Nested(FlagSchema))
    lots = fields.Function(
        lambda r: [
            {"code": c, "generic_name": n, "flags": len(r.of_lot(c))} for c, n in r.lots.items()
        ]
    )
    bidders = fields.Function(
        lambda r: [{"id": i, "name": n, "flags": len(r.of_bidder(i))} for i, n in r.bidders.items()]
    )
