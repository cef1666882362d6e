"""Column helpers shared by the compliance models."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def _enum(cls: type[StrEnum], length: int = 30) -> Enum:
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
