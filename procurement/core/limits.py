"""Every limit on what one request may ask of the platform, in one place.

Each limit is a named constant; a refusal names it (the problem's ``limit`` member and its
detail), so a client can tell a rule from an accident. Request body sizes are settings instead
(``MAX_CONTENT_LENGTH`` for uploads, ``MAX_JSON_CONTENT_LENGTH`` for everything else, in
``config/default.toml``) because operators tune them with their proxy's limits.

Stdlib only: services, pure rules and the web layer all read these.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from procurement.core import money

# Integers: ids and counts are BIGINT in the database. A larger id in a URL is a 404, a larger
# number in a body or query a 422 (never an overflow inside the driver).
DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1

# JSON bodies: nesting deeper than this is refused before any field is read.
MAX_JSON_DEPTH = 32

# Dates anywhere in the API: nothing the platform plans happens outside these years.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2099, 12, 31)

# A tender's dates (deadlines, opening, contract start) lie within this many days of today.
TENDER_HORIZON_DAYS = 3 * 366

# Money on the wire: a unit or pack price keeps at most 4 decimal places, an amount 2, and no
# figure reaches a trillion yuan (Numeric(18, x) columns keep 12 integer digits).
PRICE_PLACES = money.UNIT_PRICE_DECIMALS
AMOUNT_PLACES = money.AMOUNT_DECIMALS
MAX_MONEY = Decimal("999999999999")
# An off-contract unit price below one hundredth of a fen is a typo, not a price.
MIN_UNIT_PRICE = money.UNIT_PRICE_PLACES

# Packs on one order line, and smallest units in one pack: their product, a line's quantity,
# stays far inside BIGINT. A line's amount and an order's total stay within MAX_MONEY.
MAX_PACKS_PER_LINE = 10_000_000
MAX_PACK_SIZE = 100_000

# Lines in one order: placing one costs a statement (SQLite) or a few bind parameters
# (PostgreSQL, at most 65,535 a statement) per line, all in one transaction.
MAX_ORDER_LINES = 200

# Uploads (CSV and XLSX), checked row by row while the file is read: data rows per file, blank
# rows per file (they are skipped, but reading them still costs), and cells per row.
MAX_UPLOAD_ROWS = 50_000
MAX_UPLOAD_BLANK_ROWS = 10_000
MAX_UPLOAD_COLUMNS = 100
# An XLSX is a zip: the sum of its parts' unpacked sizes, checked before it is opened.
MAX_UPLOAD_XLSX_UNPACKED_BYTES = 32 * 2**20

# Work a request hands to a job (procurement.jobs) rather than doing itself: an upload larger
# than this is imported by a job, and an export of more lines than this is made by one.
INLINE_UPLOAD_BYTES = 256 * 2**10
INLINE_EXPORT_LINES = 5_000

# API tokens: the longest lifetime a token may be given.
MAX_TOKEN_VALID_DAYS = 366

# The OCDS change feed (GET /api/v1/ocds/releases): releases on one page, at most and unless asked.
MAX_FEED_PAGE = 100
DEFAULT_FEED_PAGE = 50

# The online procurement rate (网采率) covers at most this many months in one report.
MAX_RATE_MONTHS = 36
