"""Rows of a frozen dataclass held as columns (`Columns`): a sequence that reads as a tuple of
the rows but is built, pickled to a worker process and read by the optimizer column by column.
Lots of 200,000 buyers (issue 19) then cost no 200,000 objects until someone reads the rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Generic, TypeVar, overload

T = TypeVar("T")


class Columns(Sequence[T], Generic[T]):
    """Rows of `kind` (a dataclass whose fields are `names`, in order) as one tuple per field."""

    __slots__ = ("columns",)
    kind: ClassVar[type]
    names: ClassVar[tuple[str, ...]]

    def __init__(self, *columns: Sequence[Any]) -> None:
        if len(columns) != len(self.names) or len({len(c) for c in columns}) > 1:
            raise ValueError(f"{type(self).__name__} needs columns {self.names} of one length")
        self.columns = tuple(tuple(c) for c in columns)

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[T, ...]: ...

    def __getitem__(self, i: int | slice) -> T | tuple[T, ...]:
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self))))
        row: T = self.kind(*(c[i] for c in self.columns))
        return row

    def __iter__(self) -> Iterator[T]:
        return map(self.kind, *self.columns)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Columns) and other.kind is self.kind:
            return self.columns == other.columns
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} rows)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self.columns)


def columns_of(rows: Sequence[Any], kind: type[Columns[Any]]) -> tuple[Sequence[Any], ...]:
    """The rows' columns (`kind.names`): as stored when they are a `kind`, else read off."""
    if isinstance(rows, kind):
        return rows.columns
    return tuple([getattr(r, name) for r in rows] for name in kind.names)
