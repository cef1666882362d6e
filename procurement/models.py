"""Imports every area's models so that ``Base.metadata`` is complete (Alembic, tests)."""

from procurement import AREAS, _area_module
from procurement.db import Base

for _area in AREAS:
    _area_module(_area, "models")

metadata = Base.metadata
