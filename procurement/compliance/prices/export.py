"""Price monitoring's tables as CSV and XLSX (through ``compliance/export.py``): amounts and
prices as their exact decimal text, names never a formula."""

from __future__ import annotations

from typing import Any

from procurement.compliance.prices.calc import spec

PRODUCTS_HEADER = (
    "product_id",
    "generic_name",
    "dosage_form",
    "specification",
    "manufacturer",
    "institutions",
    "quantity",
    "amount",
    "average_unit_price",
    "lowest_unit_price",
    "highest_unit_price",
)


def product_rows(overview) -> list[list[Any]]:
    return [
        [
            r.product.id,
            r.product.generic_name,
            r.product.dosage_form,
            spec(r.product),
            r.product.manufacturer.name,
            r.institutions,
            r.quantity,
            r.amount,
            r.average,
            r.lowest,
            r.highest,
        ]
        for r in overview.products
    ]


PAID_HEADER = (
    "product_id",
    "institution_id",
    "institution",
    "region_code",
    "quantity",
    "amount",
    "average_unit_price",
    "lowest_unit_price",
    "highest_unit_price",
    "deliveries",
    "region_lowest_average",
    "above_region_lowest",
)


def paid_rows(report) -> list[list[Any]]:
    return [
        [
            report.product.id,
            r.institution.id,
            r.institution.name,
            r.paid.region,
            r.paid.quantity,
            r.paid.amount,
            r.average,
            r.paid.lowest,
            r.paid.highest,
            r.paid.lines,
            r.lowest_in_region,
            r.excess,
        ]
        for r in report.rows
    ]


INDEX_HEADER = (
    "generic_name",
    "dosage_form",
    "month",
    "quantity",
    "amount",
    "average_unit_price",
    "index",
    "products_compared",
    "base_month",
)


def index_rows(group) -> list[list[Any]]:
    return [
        [
            group.generic_name,
            group.dosage_form,
            p.month,
            p.quantity,
            p.amount,
            p.average,
            p.index,
            p.products,
            group.index.base,
        ]
        for p in group.index.points
    ]


OUTLIERS_HEADER = (
    "institution_id",
    "institution",
    "region_code",
    "lot_id",
    "product_id",
    "generic_name",
    "specification",
    "quantity",
    "amount",
    "paid",
    "region_lowest",
    "lowest_institution",
    "excess",
    "margin",
)


def outlier_rows(found) -> list[list[Any]]:
    return [
        [
            f.institution.id,
            f.institution.name,
            f.outlier.region,
            f.outlier.lot_id,
            f.product.id,
            f.product.generic_name,
            spec(f.product),
            f.outlier.quantity,
            f.outlier.amount,
            f.outlier.paid,
            f.outlier.lowest,
            f.lowest_institution.name,
            f.outlier.excess,
            f.outlier.margin,
        ]
        for f in found
    ]
