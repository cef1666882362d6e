"""Trace use cases: codes on shipment lines, product code formats, lookups and histories."""

from procurement.trace.services.formats import register_formats
from procurement.trace.services.ingest import CodesAttached, attach_codes
from procurement.trace.services.lookup import (
    PackageHistory,
    PublicPackage,
    line_codes,
    package_history,
    public_lookup,
)

__all__ = [
    "CodesAttached",
    "PackageHistory",
    "PublicPackage",
    "attach_codes",
    "line_codes",
    "package_history",
    "public_lookup",
    "register_formats",
]
