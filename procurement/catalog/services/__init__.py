"""Catalog use cases. One public function per use case; each commits once (reads never do).

``transition`` is the exception: it applies a lifecycle move inside the caller's transaction,
so the bidding, award and contracts services can move the tender together with their work.
"""

from procurement.catalog.services.confirmation import (
    BrandPart,
    ConfirmedDemand,
    DemandTotals,
    LotTotal,
    RegionTotal,
    brand_parts,
    confirm_demand,
    confirmed_demand,
    demand_totals,
    demand_view,
)
from procurement.catalog.services.demand import (
    demand_query,
    get_demand_report,
    list_demand,
    submit_demand,
)
from procurement.catalog.services.demand_floor import confirm_low_report, demand_floors
from procurement.catalog.services.demand_upload import demand_template, import_demand
from procurement.catalog.services.lots import (
    add_lot,
    delete_lot,
    get_lot,
    import_lots,
    list_lots,
    update_lot,
)
from procurement.catalog.services.products import (
    get_product,
    list_products,
    own_product,
    products_query,
    register_product,
)
from procurement.catalog.services.tenders import (
    build_rules,
    create_tender,
    get_tender,
    list_tenders,
    rules_of,
    tenders_query,
    update_tender,
)
from procurement.catalog.services.transitions import (
    change_tender_status,
    close_bidding,
    open_bidding,
    open_demand,
    transition,
)

__all__ = [
    "BrandPart",
    "ConfirmedDemand",
    "DemandTotals",
    "LotTotal",
    "RegionTotal",
    "add_lot",
    "brand_parts",
    "build_rules",
    "change_tender_status",
    "close_bidding",
    "confirm_demand",
    "confirm_low_report",
    "confirmed_demand",
    "create_tender",
    "delete_lot",
    "demand_floors",
    "demand_query",
    "demand_template",
    "demand_totals",
    "demand_view",
    "get_demand_report",
    "get_lot",
    "get_product",
    "get_tender",
    "import_demand",
    "import_lots",
    "list_demand",
    "list_lots",
    "list_products",
    "list_tenders",
    "open_bidding",
    "open_demand",
    "own_product",
    "products_query",
    "register_product",
    "rules_of",
    "submit_demand",
    "tenders_query",
    "transition",
    "update_lot",
    "update_tender",
]
