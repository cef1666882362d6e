"""API: sealed bids, receipts, verification, opening, summaries, exports, bidding bans and
related-bidder groups."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, current_app, request
from flask.views import MethodView
from werkzeug.exceptions import PreconditionRequired

from procurement.bidding import services
from procurement.bidding.errors import BadBidETag
from procurement.bidding.export import COLUMNS, bid_rows, to_csv, to_xlsx
from procurement.bidding.schemas import (
    BanSchema,
    BanUpdateSchema,
    BidCreateSchema,
    BidSchema,
    BidSummarySchema,
    CostBreakdownSchema,
    CostDisclosureSchema,
    ExportArgs,
    GroupCreateSchema,
    GroupDesignationSchema,
    GroupMemberSchema,
    GroupSchema,
    OpeningSchema,
    ReceiptSchema,
    SubmittedSchema,
    VerificationSchema,
    VerifyArgs,
)
from procurement.bidding.seal import Sealer, sealer_from_settings
from procurement.core.messages import N_
from procurement.web.api import CSV, ETAG_HEADER, IF_MATCH, Blueprint, download_doc
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now
from procurement.web.tabular_export import XLSX_MIMETYPE

blp = Blueprint("bidding", __name__, description="Sealed bids, opening, ranking, bidding bans")


def sealer() -> Sealer:
    return sealer_from_settings(current_app.config)


def etag(bid) -> dict[str, str]:
    return {"ETag": f'"{bid.version}"'}


def if_match(required: bool) -> int | None:
    raw = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not raw:
        if required:
            raise PreconditionRequired()
        return None
    if not raw.isdigit():
        raise BadBidETag(errors={"If-Match": [N_("not an ETag")]})
    return int(raw)


def submitted_body(result: services.Submitted) -> dict:
    receipt = services.bid_receipt(get_session(), bid_id=result.bid.id, actor=api_actor())
    content = result.content.to_dict() | {
        "unit_price": result.prices.unit_price,
        "comparable_price": result.prices.comparable_price,
    }
    return {
        "bid": result.bid,
        "receipt": receipt,
        "submitted": content,
        "warnings": list(result.warnings),
    }


@blp.route("/lots/<int:lot_id>/bids")
class LotBids(MethodView):
    @blp.response(200, BidSchema(many=True))
    def get(self, lot_id):
        """A lot's bids: your own (manufacturer); all, ranked, after opening (regulator)."""
        return services.list_lot_bids(get_session(), lot_id=lot_id, actor=api_actor())

    @blp.arguments(BidCreateSchema)
    @blp.response(201, SubmittedSchema, headers=ETAG_HEADER)
    def post(self, data, lot_id):
        """Submit a sealed bid on a lot; the response carries its receipt."""
        result = services.submit_bid(
            get_session(), lot_id=lot_id, data=data, now=now(), actor=api_actor(), sealer=sealer()
        )
        return submitted_body(result), 201, etag(result.bid)


@blp.route("/bids")
class MyBids(MethodView):
    @blp.response(200, BidSchema(many=True))
    def get(self):
        """Your organization's bids (manufacturer)."""
        return services.my_bids(get_session(), actor=api_actor())


@blp.route("/bids/<int:bid_id>")
class BidById(MethodView):
    @blp.response(200, BidSchema, headers=ETAG_HEADER)
    def get(self, bid_id):
        """One bid (sealed fields are null until opening)."""
        bid = services.get_bid(get_session(), bid_id=bid_id, actor=api_actor())
        return bid, 200, etag(bid)

    @blp.arguments(BidCreateSchema)
    @blp.response(200, SubmittedSchema, headers=ETAG_HEADER)
    @blp.doc(parameters=[IF_MATCH])
    def put(self, data, bid_id):
        """Amend your bid before the deadline (send the whole bid, with If-Match)."""
        result = services.amend_bid(
            get_session(),
            bid_id=bid_id,
            data=data,
            expected_version=if_match(required=True),
            now=now(),
            actor=api_actor(),
            sealer=sealer(),
        )
        return submitted_body(result), 200, etag(result.bid)

    @blp.response(200, BidSchema, headers=ETAG_HEADER)
    @blp.doc(parameters=[{**IF_MATCH, "required": False}])
    def delete(self, bid_id):
        """Withdraw your bid before the deadline (its versions are kept)."""
        bid = services.withdraw_bid(
            get_session(),
            bid_id=bid_id,
            expected_version=if_match(required=False),
            now=now(),
            actor=api_actor(),
        )
        return bid, 200, etag(bid)


@blp.route("/bids/<int:bid_id>/receipt")
class BidReceipt(MethodView):
    @blp.response(200, ReceiptSchema)
    def get(self, bid_id):
        """The receipt of your bid: public reference, version, commitment digest, times."""
        return services.bid_receipt(get_session(), bid_id=bid_id, actor=api_actor())


@blp.route("/bids/<int:bid_id>/cost-breakdown")
class BidCostBreakdown(MethodView):
    @blp.response(200, CostDisclosureSchema)
    def get(self, bid_id):
        """A bid's cost disclosure (after opening): the bidder its own, the regulator any."""
        return services.get_cost_breakdown(get_session(), bid_id=bid_id, actor=api_actor())

    @blp.arguments(CostBreakdownSchema)
    @blp.response(200, CostDisclosureSchema)
    def put(self, data, bid_id):
        """File the cost breakdown asked of your bid, by its deadline (batch 11 rules)."""
        return services.file_cost_breakdown(
            get_session(), bid_id=bid_id, data=data, now=now(), actor=api_actor()
        )


@blp.route("/tenders/<int:tender_id>/cost-breakdowns")
class TenderCostBreakdowns(MethodView):
    @blp.response(200, CostDisclosureSchema(many=True))
    def get(self, tender_id):
        """Every cost disclosure asked in a tender, filed or not (its regulator)."""
        return services.tender_cost_disclosures(
            get_session(), tender_id=tender_id, actor=api_actor()
        )


@blp.route("/bids/by-reference/<string:reference>/verify")
class BidVerify(MethodView):
    @blp.arguments(VerifyArgs, location="query")
    @blp.response(200, VerificationSchema)
    def get(self, args, reference):
        """After opening, check an opened bid (by its receipt's reference) against its
        commitment and a receipt digest; before that, 404 as for a reference that does not
        exist."""
        return services.verify_bid(get_session(), reference=reference, digest=args["digest"])


@blp.route("/tenders/<int:tender_id>/open")
class TenderOpening(MethodView):
    @blp.response(200, OpeningSchema)
    def post(self, tender_id):
        """Open the tender's bids (regulator, at or after the opening time); idempotent."""
        return services.open_bids(
            get_session(), tender_id=tender_id, now=now(), actor=api_actor(), sealer=sealer()
        )


@blp.route("/tenders/<int:tender_id>/bids/summary")
class TenderBidSummary(MethodView):
    @blp.response(200, BidSummarySchema)
    def get(self, tender_id):
        """Bid totals (regulator): the total before opening, per lot after."""
        return services.bid_summary(get_session(), tender_id=tender_id, actor=api_actor())


@blp.route("/tenders/<int:tender_id>/bids/export")
class TenderBidExport(MethodView):
    @blp.arguments(ExportArgs, location="query")
    @blp.doc(**download_doc(CSV, XLSX_MIMETYPE))
    def get(self, args, tender_id):
        """Export the opened bids as CSV or XLSX (regulator, after opening only)."""
        bids = services.opened_bids(get_session(), tender_id=tender_id, actor=api_actor())
        return export_response(bids, args["format"], f"tender-{tender_id}-bids")


def export_response(bids, fmt: str, stem: str, header: Sequence[str] = COLUMNS) -> Response:
    """The bids as a CSV or XLSX download (``header``: the column names, or the page's)."""
    rows = bid_rows(bids)
    if fmt == "xlsx":
        body, mimetype = to_xlsx(rows, header), XLSX_MIMETYPE
    else:
        body, mimetype = to_csv(rows, header), "text/csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@blp.route("/bidding-bans")
class Bans(MethodView):
    @blp.response(200, BanSchema(many=True))
    def get(self):
        """Bidding bans: all (regulator) or your own (manufacturer)."""
        return services.list_bans(get_session(), actor=api_actor())

    @blp.arguments(BanSchema)
    @blp.response(201, BanSchema)
    def post(self, data):
        """Bar a manufacturer, or one of its products, from bidding (regulator). Without
        ``until`` the ban lasts 12 months from ``starts_at`` (VIOLATION_BAN_MONTHS, RULES.md 8)."""
        data = {k: v for k, v in data.items() if not (k == "starts_at" and v is None)}
        return services.create_ban(get_session(), data=data, now=now(), actor=api_actor())


@blp.route("/bidding-bans/<int:ban_id>")
class BanById(MethodView):
    @blp.response(200, BanSchema)
    def get(self, ban_id):
        """One bidding ban."""
        return services.get_ban(get_session(), ban_id=ban_id, actor=api_actor())

    @blp.arguments(BanUpdateSchema)
    @blp.response(200, BanSchema)
    def patch(self, data, ban_id):
        """Change a ban's level, period or reason (regulator)."""
        return services.update_ban(
            get_session(), ban_id=ban_id, data=data, now=now(), actor=api_actor()
        )

    @blp.response(200, BanSchema)
    def delete(self, ban_id):
        """Lift a ban now (regulator); the record is kept."""
        return services.lift_ban(get_session(), ban_id=ban_id, now=now(), actor=api_actor())


@blp.route("/bidder-groups")
class Groups(MethodView):
    @blp.response(200, GroupSchema(many=True))
    def get(self):
        """Related-bidder groups: all (regulator) or your own (manufacturer)."""
        return services.list_groups(get_session(), actor=api_actor())

    @blp.arguments(GroupCreateSchema)
    @blp.response(201, GroupSchema)
    def post(self, data):
        """Record a group of manufacturers under common control (regulator)."""
        return services.create_group(get_session(), data=data, now=now(), actor=api_actor())


@blp.route("/bidder-groups/<int:group_id>")
class GroupById(MethodView):
    @blp.response(200, GroupSchema)
    def get(self, group_id):
        """One related-bidder group (a manufacturer: its own)."""
        return services.get_group(get_session(), group_id=group_id, actor=api_actor())


@blp.route("/bidder-groups/<int:group_id>/members")
class GroupMembers(MethodView):
    @blp.arguments(GroupMemberSchema)
    @blp.response(201, GroupSchema)
    def post(self, data, group_id):
        """Add a manufacturer to a group; it may be in no other group (regulator)."""
        return services.add_member(
            get_session(), group_id=group_id, now=now(), actor=api_actor(), **data
        )


@blp.route("/bidder-groups/<int:group_id>/members/<int:manufacturer_id>")
class GroupMemberById(MethodView):
    @blp.response(200, GroupSchema)
    def delete(self, group_id, manufacturer_id):
        """Take a manufacturer out of a group (regulator)."""
        return services.remove_member(
            get_session(),
            group_id=group_id,
            manufacturer_id=manufacturer_id,
            now=now(),
            actor=api_actor(),
        )


@blp.route("/bidder-groups/<int:group_id>/designations")
class GroupDesignations(MethodView):
    @blp.arguments(GroupDesignationSchema)
    @blp.response(201, GroupDesignationSchema)
    def post(self, data, group_id):
        """Name the member bidding for a group on a tender or lot, before opening (regulator)."""
        return services.name_bidder(
            get_session(), group_id=group_id, data=data, now=now(), actor=api_actor()
        )


@blp.route("/bidder-groups/<int:group_id>/designations/<int:designation_id>")
class GroupDesignationById(MethodView):
    @blp.response(200, GroupSchema)
    def delete(self, group_id, designation_id):
        """Withdraw a group's named bidding member, before opening (regulator)."""
        return services.unname_bidder(
            get_session(),
            group_id=group_id,
            designation_id=designation_id,
            now=now(),
            actor=api_actor(),
        )
