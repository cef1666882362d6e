"""One way to list things on a page: filters, sorting and pages, on the server.

A page declares what can be filtered and sorted, and hands its query to :func:`paginate`::

    LISTING = Listing(
        filters=(
            Choice("status", _l("Status"), OrderStatus, lambda q, v: q.where(Order.status == v)),
            Text("q", _l("Order number or drug"), lambda q, v: q.where(...)),
            DateFrom("from", _l("Placed from"), Order.placed_at),
            DateTo("to", _l("Placed until"), Order.placed_at),
        ),
        sorts=(Sort("placed", _l("Placed"), Order.placed_at), Sort("number", ...)),
        default_sort="-placed",
    )
    page = LISTING.paginate(get_session(), select(Order).where(...))

The filter values are GET parameters, so a filtered list can be bookmarked, and they survive
paging and sorting (``page.url(page=3)``, ``page.sort_url("number")``). A value that does not
parse (a date such as ``2026-13-01``, an unknown status) is ignored and shown beside its field
in the filter form, never a 500. Templates render the form, the headings and the pager with
the macros in ``web/templates/_listing.html``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Select, func, select
from sqlalchemy.orm import Session

from procurement.core.clock import day_start

PAGE_SIZE = 50  # rows a list shows at once (STYLE 11: 50 a page)
MAX_PAGE_NUMBER = 1_000_000  # a larger ?page= shows the last page
MAX_TEXT_FILTER = 100  # characters of a search box that are used

Apply = Callable[[Select, Any], Select]


class Invalid(ValueError):
    """A filter value that does not parse; its message is shown beside the field."""


@dataclass(frozen=True)
class Filter:
    """A GET parameter that narrows the list. ``parse`` turns the text into a value."""

    name: str
    label: Any
    apply: Apply

    kind = "text"

    def parse(self, raw: str) -> Any:
        return raw[:MAX_TEXT_FILTER]

    def options(self) -> Sequence[tuple[str, Any]]:
        return ()


@dataclass(frozen=True)
class Text(Filter):
    """Free text (a number, a name); the apply function decides how it matches."""


@dataclass(frozen=True, init=False)
class Choice(Filter):
    """One of a fixed set: an enum (labels through ``web.labels``) or a function giving
    (value, label) pairs. ``Choice("status", _l("Status"), OrderStatus, apply)``."""

    choices: type[enum.Enum] | Callable[[], Iterable[tuple[Any, Any]]]

    kind = "choice"

    def __init__(self, name: str, label: Any, choices: Any, apply: Apply) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "apply", apply)

    def options(self) -> Sequence[tuple[str, Any]]:
        from procurement.web.labels import label

        if isinstance(self.choices, type) and issubclass(self.choices, enum.Enum):
            return [(member.value, label(member)) for member in self.choices]
        return [(str(value), text) for value, text in self.choices()]

    def parse(self, raw: str) -> Any:
        if isinstance(self.choices, type) and issubclass(self.choices, enum.Enum):
            try:
                return self.choices(raw)
            except ValueError:
                raise Invalid(_l("Not one of the choices.")) from None
        if raw not in {value for value, _text in self.options()}:
            raise Invalid(_l("Not one of the choices."))
        return raw


@dataclass(frozen=True)
class Number(Filter):
    """A whole number (an id chosen elsewhere, a line count)."""

    kind = "number"

    def parse(self, raw: str) -> int:
        if not raw.isdigit() or len(raw) > 12:
            raise Invalid(_l("Enter a whole number."))
        return int(raw)


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_l("Enter a date as YYYY-MM-DD.")) from None


@dataclass(frozen=True)
class DateFrom(Filter):
    """On or after a business day. ``apply`` may be a column: a date column is compared with
    the day, a timestamp column with the start of that day in the business time zone."""

    kind = "date"
    apply: Any

    def parse(self, raw: str) -> date:
        return _day(raw)

    def narrow(self, statement: Select, day: date) -> Select:
        if callable(self.apply) and not hasattr(self.apply, "type"):
            return self.apply(statement, day)
        return statement.where(self.apply >= _bound(self.apply, day))


@dataclass(frozen=True)
class DateTo(DateFrom):
    """On or before a business day (the whole day included)."""

    def narrow(self, statement: Select, day: date) -> Select:
        if callable(self.apply) and not hasattr(self.apply, "type"):
            return self.apply(statement, day)
        return statement.where(self.apply < _bound(self.apply, day + timedelta(days=1)))


def _bound(column: Any, day: date) -> date | datetime:
    kind = column.type
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return day_start(day)
    return day


@dataclass(frozen=True)
class Sort:
    """A sortable column: ``?sort=name`` ascending, ``?sort=-name`` descending. ``columns`` are
    the ORDER BY terms (a tie-breaker such as the id is added by the listing)."""

    name: str
    label: Any
    columns: tuple[Any, ...]

    def __init__(self, name: str, label: Any, *columns: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "columns", columns)


@dataclass
class Page:
    """One page of a list, with what is needed to render its form, headings and pager."""

    items: list[Any]
    total: int
    number: int
    size: int
    values: dict[str, str]  # the filter values as typed (kept in the form)
    errors: dict[str, str]  # filter name -> why its value was ignored
    sort: str
    listing: Listing
    endpoint: str = ""
    view_args: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first(self) -> int:
        """The 1-based position of the first row shown (0 when the list is empty)."""
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.size)

    @property
    def filtered(self) -> bool:
        return any(self.values.values())

    def url(self, **changes: Any) -> str:
        """This list's address with some parameters changed (``page=2``, ``status=None``)."""
        args = {k: v for k, v in self.values.items() if v}
        if self.sort != self.listing.default_sort:
            args["sort"] = self.sort
        if self.number > 1:
            args["page"] = str(self.number)
        for name, value in changes.items():
            if value in (None, ""):
                args.pop(name, None)
            else:
                args[name] = str(value)
        if args.get("page") == "1":
            args.pop("page")
        return url_for(self.endpoint, **self.view_args, **args)

    def sort_url(self, name: str) -> str:
        """The heading's link: ascending first, descending when already ascending; back to
        page 1."""
        return self.url(sort=f"-{name}" if self.sort == name else name, page=None)

    def sorted_by(self, name: str) -> str | None:
        """``ascending``/``descending`` for the heading that sorts the list (aria-sort)."""
        if self.sort == name:
            return "ascending"
        if self.sort == f"-{name}":
            return "descending"
        return None

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last, and ``around`` each side of this one;
        None marks a gap."""
        keep = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown = sorted(n for n in keep if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


@dataclass(frozen=True)
class Listing:
    """What a list can be filtered and sorted by; :meth:`paginate` applies the request's."""

    filters: tuple[Filter, ...] = ()
    sorts: tuple[Sort, ...] = ()
    default_sort: str = ""
    size: int = PAGE_SIZE
    tiebreak: Any = None  # a unique column, so pages never overlap or skip a row

    def read(self) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
        """(as typed, parsed, errors) for this request's filter parameters."""
        typed: dict[str, str] = {}
        parsed: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for flt in self.filters:
            raw = request.args.get(flt.name, "").strip()
            typed[flt.name] = raw
            if not raw:
                continue
            try:
                parsed[flt.name] = flt.parse(raw)
            except Invalid as problem:
                errors[flt.name] = str(problem.args[0])
        return typed, parsed, errors

    def _sort(self) -> str:
        wanted = request.args.get("sort", "")
        names = {s.name for s in self.sorts}
        return wanted if wanted.removeprefix("-") in names else self.default_sort

    def _order(self, sort: str) -> list[Any]:
        if not sort:
            return [self.tiebreak] if self.tiebreak is not None else []
        chosen = next(s for s in self.sorts if s.name == sort.removeprefix("-"))
        descending = sort.startswith("-")
        terms = [c.desc() if descending else c.asc() for c in chosen.columns]
        if self.tiebreak is not None:
            terms.append(self.tiebreak.desc() if descending else self.tiebreak.asc())
        return terms

    def narrow(self, statement: Select) -> tuple[Select, dict[str, str], dict[str, str]]:
        """The statement with this request's filters applied (no order, no limit)."""
        typed, parsed, errors = self.read()
        for flt in self.filters:
            if flt.name in parsed:
                value = parsed[flt.name]
                statement = (
                    flt.narrow(statement, value)
                    if isinstance(flt, DateFrom)
                    else flt.apply(statement, value)
                )
        return statement, typed, errors

    def paginate(self, session: Session, statement: Select, **view_args: Any) -> Page:
        """The request's page of ``statement`` (a select of one entity or of rows).

        ``view_args`` are the endpoint's URL arguments (``tender_id=...``) for the links."""
        statement, typed, errors = self.narrow(statement)
        total = session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        size = self.size
        pages = max(1, math.ceil((total or 0) / size))
        number = min(page_number(), pages)
        sort = self._sort()
        ordered = statement.order_by(None).order_by(*self._order(sort))
        result = session.execute(ordered.limit(size).offset((number - 1) * size))
        items = (
            list(result.unique().scalars()) if len(result.keys()) == 1 else list(result.unique())
        )
        return Page(
            items,
            total or 0,
            number,
            size,
            typed,
            errors,
            sort,
            self,
            request.endpoint or "",
            view_args,
        )

    def page_of(self, rows: Sequence[Any], **view_args: Any) -> Page:
        """A page of rows computed in Python (a report), for lists that are not one query.
        Filters are the caller's to apply (use :meth:`read`); sorting is by ``Sort.columns[0]``
        as a key function of the row."""
        typed, _parsed, errors = self.read()
        sort = self._sort()
        if sort:
            chosen = next(s for s in self.sorts if s.name == sort.removeprefix("-"))
            key = chosen.columns[0]
            rows = sorted(rows, key=lambda row: _sortable(key(row)), reverse=sort[0] == "-")
        pages = max(1, math.ceil(len(rows) / self.size))
        number = min(page_number(), pages)
        start = (number - 1) * self.size
        return Page(
            list(rows[start : start + self.size]),
            len(rows),
            number,
            self.size,
            typed,
            errors,
            sort,
            self,
            request.endpoint or "",
            view_args,
        )


def _sortable(value: Any) -> tuple[int, Any]:
    """None sorts last; everything else by itself."""
    return (1, 0) if value is None else (0, value)


def page_number() -> int:
    """The request's ``page`` (1 when missing or not a number, at most MAX_PAGE_NUMBER)."""
    raw = request.args.get("page", "1")
    if not raw.isdigit():
        return 1
    return max(1, min(int(raw), MAX_PAGE_NUMBER))


__all__ = [
    "PAGE_SIZE",
    "Choice",
    "DateFrom",
    "DateTo",
    "Filter",
    "Invalid",
    "Listing",
    "Number",
    "Page",
    "Sort",
    "Text",
    "page_number",
]
