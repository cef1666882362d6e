"""Traceability codes (药品追溯码, RULES.md 11): which format a code is in, whether it belongs to
a shipment line's product, batch and expiry, and the package key it is stored under.

Pure: the stdlib, ``core`` and ``biip`` (the GS1 parser). Three formats:

- **码上放心** (``mashang``): 20 digits, the first ``MASHANG_PREFIX_LENGTH`` (7) the product
  identifier registered for the product. The code also holds a serial and check digits, but
  the check-digit algorithm is not published (the platform operator, Alibaba Health, keeps
  it), so ``MASHANG_CHECK_DIGITS_VERIFIED`` is False: length, digits and prefix are checked,
  the check digits are not.
- **GS1** element strings (``gs1``, mostly imports): AI (01) GTIN, (21) serial, (10) batch,
  (17) expiry, as scanned (FNC1 written as the GS character, with or without a symbology
  identifier) or in the printed form ``(01)...(21)...``. Parsed by biip; the GTIN's check
  digit is verified. A package is keyed ``01<GTIN>21<serial>`` (its SGTIN), so the same box
  written in either form or AI order is one package.
- a manufacturer's **registered** format (``registered``): a regular expression per product,
  matched whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from biip import ParseError
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin

from procurement.core.messages import N_, Message

MASHANG_LENGTH = 20
MASHANG_PREFIX_LENGTH = 7
# The 码上放心 check-digit algorithm is not public: only length, digits and prefix are checked.
MASHANG_CHECK_DIGITS_VERIFIED = False
MAX_CODE_LENGTH = 100  # characters of one code as sent (a GS1 string with all four AIs: ~60)
MAX_PATTERN_LENGTH = 200  # characters of a registered format's regular expression
GS1_REQUIRED_AIS = ("01", "21", "10", "17")
GROUP_SEPARATOR = "\x1d"  # FNC1 as a scanner types it
SYMBOLOGY_IDS = ("]d2", "]C1", "]Q3")  # DataMatrix, GS1-128, QR with FNC1
_DIGITS = re.compile(r"[0-9]+")


class CodeFormat(StrEnum):
    MASHANG = "mashang"
    GS1 = "gs1"
    REGISTERED = "registered"


@dataclass(frozen=True)
class ProductFormats:
    """What a product's codes may look like (``trace_product_formats``)."""

    product_name: str
    prefix: str | None = None  # 码上放心 product identifier, 7 digits
    gtin: str | None = None  # 14 digits
    pattern: str | None = None  # a registered format, matched whole


@dataclass(frozen=True)
class LineFacts:
    """The shipment line a code must belong to."""

    batch_no: str
    expiry_date: date


@dataclass(frozen=True)
class Parsed:
    key: str  # the package's stored code
    format: CodeFormat


class CodeRefused(Exception):
    def __init__(self, message: Message | str) -> None:
        super().__init__(str(message))
        self.message = message


def check_prefix(prefix: str) -> str | None:
    """Why a 码上放心 product prefix cannot be registered, or None."""
    if len(prefix) != MASHANG_PREFIX_LENGTH or not _DIGITS.fullmatch(prefix):
        return N_("a 码上放心 product prefix is 7 digits")
    return None


def normal_gtin(gtin: str) -> str:
    """The GTIN as 14 digits; raises CodeRefused when it is not a valid GTIN."""
    try:
        return Gtin.parse(gtin.strip()).as_gtin_14()
    except ParseError:
        raise CodeRefused(
            Message("{gtin} is not a valid GTIN (8 to 14 digits, check digit)", gtin=gtin)
        ) from None


def check_pattern(pattern: str) -> str | None:
    """Why a registered format cannot be registered, or None."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return N_("a registered format has at most 200 characters")
    try:
        compiled = re.compile(pattern)
    except re.error:
        return N_("not a valid regular expression")
    if compiled.fullmatch(""):
        return N_("the format matches an empty code")
    return None


def parse_code(text: str, product: ProductFormats, line: LineFacts) -> Parsed:
    """The package key of ``text`` if it is a code of ``product`` in ``line``'s batch and
    expiry; raises CodeRefused saying what is wrong otherwise."""
    code = text.strip()
    if not code:
        raise CodeRefused(N_("an empty code"))
    if len(code) > MAX_CODE_LENGTH:
        raise CodeRefused(N_("longer than 100 characters: not a traceability code"))
    if product.pattern and re.fullmatch(product.pattern, code):
        return Parsed(code, CodeFormat.REGISTERED)
    if _DIGITS.fullmatch(code) and len(code) == MASHANG_LENGTH:
        return Parsed(_mashang(code, product), CodeFormat.MASHANG)
    if code.startswith(("(", "01", *SYMBOLOGY_IDS)):
        return Parsed(_gs1(code, product, line), CodeFormat.GS1)
    raise CodeRefused(
        N_(
            "not a 20-digit 码上放心 code, a GS1 element string (01, 21, 10, 17) or the "
            "product's registered format"
        )
    )


def kept_as_sent(product: ProductFormats) -> Callable[[str], object] | None:
    """A test true exactly of the stripped codes that ``parse_code`` accepts as the package key
    they are (a 码上放心 code with the product's prefix, or one matching its registered format
    whole), for checking a large file code by code at C speed; None when the product has
    neither format. A code it is false of goes through ``parse_code`` (GS1, or a refusal)."""
    mashang = (
        re.compile(re.escape(product.prefix) + f"[0-9]{{{MASHANG_LENGTH - MASHANG_PREFIX_LENGTH}}}")
        if product.prefix and check_prefix(product.prefix) is None
        else None
    )
    if not product.pattern:
        return mashang.fullmatch if mashang else None
    registered = re.compile(product.pattern)

    def test(code: str) -> object:
        return (mashang and mashang.fullmatch(code)) or (
            0 < len(code) <= MAX_CODE_LENGTH and registered.fullmatch(code)
        )

    return test


def _mashang(code: str, product: ProductFormats) -> str:
    prefix = code[:MASHANG_PREFIX_LENGTH]
    if product.prefix is None:
        raise CodeRefused(
            Message("{product} has no registered 码上放心 prefix", product=product.product_name)
        )
    if prefix != product.prefix:
        raise CodeRefused(
            Message(
                "product prefix {prefix} is not {expected}, the prefix of {product}",
                prefix=prefix,
                expected=product.prefix,
                product=product.product_name,
            )
        )
    return code


def _gs1(code: str, product: ProductFormats, line: LineFacts) -> str:
    values = _gs1_values(code)
    missing = [ai for ai in GS1_REQUIRED_AIS if ai not in values]
    if missing:
        raise CodeRefused(
            Message(
                "a GS1 code needs AIs (01), (21), (10) and (17); missing {missing}",
                missing=", ".join(f"({ai})" for ai in missing),
            )
        )
    gtin, serial, batch, expiry = (values[ai] for ai in GS1_REQUIRED_AIS)
    if product.gtin is None or gtin[0] != product.gtin:
        raise CodeRefused(
            Message(
                "GTIN {gtin} is not {expected}, the GTIN of {product}",
                gtin=gtin[0],
                expected=product.gtin or "—",
                product=product.product_name,
            )
        )
    if batch[0] != line.batch_no:
        raise CodeRefused(
            Message(
                "batch {batch} is not the line's batch {expected}",
                batch=batch[0],
                expected=line.batch_no,
            )
        )
    if expiry[1] != line.expiry_date:
        raise CodeRefused(
            Message(
                "expiry {expiry} is not the line's expiry {expected}",
                expiry=expiry[1],
                expected=line.expiry_date,
            )
        )
    return f"01{gtin[0]}21{serial[0]}"


def _gs1_values(code: str) -> dict[str, tuple[str, date | None]]:
    try:
        if code.startswith("("):
            message = GS1Message.parse_hri(code)
        else:
            for symbology in SYMBOLOGY_IDS:
                code = code.removeprefix(symbology)
            message = GS1Message.parse(code)
    except ParseError:
        raise CodeRefused(N_("not a readable GS1 element string")) from None
    values: dict[str, tuple[str, date | None]] = {}
    for element in message.element_strings:
        if element.ai.ai == "01" and element.gtin_error:
            raise CodeRefused(Message("GTIN {gtin} has a wrong check digit", gtin=element.value))
        values[element.ai.ai] = (element.value, element.date)
    return values


def lookup_key(text: str) -> str | None:
    """The package key a code stands for, as anyone may type or scan it (no product known):
    a GS1 string becomes ``01<GTIN>21<serial>``; other codes are kept as typed."""
    code = text.strip()
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    if code.startswith(("(", *SYMBOLOGY_IDS)) or (
        code.startswith("01") and not _DIGITS.fullmatch(code)
    ):
        try:
            values = _gs1_values(code)
        except CodeRefused:
            return code
        if "01" in values and "21" in values:
            return f"01{values['01'][0]}21{values['21'][0]}"
    return code
