"""The dependency rules of STYLE.md section 2, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "procurement"
# Upstream order: an area may import only areas to its left (and itself).
ORDER = [
    "auth",
    "audit",
    "catalog",
    "bidding",
    "award",
    "contracts",
    "orders",
    "settlement",
    "compliance",
    "portal",
    "demo",
]
SHARED = {"core", "web", "db", "settings", "migrate", "models", "cli"}
PURE_FORBIDDEN = ("flask", "sqlalchemy", "procurement.web", "procurement.db")


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "procurement" else None


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_areas_import_only_upstream_areas(path):
    own = path.relative_to(PACKAGE).parts[0]
    if own not in ORDER or own == "demo":
        return
    allowed = set(ORDER[: ORDER.index(own) + 1]) | SHARED
    # auth and audit depend on each other's models only through the audit actor (an object)
    allowed |= {"auth", "audit"}
    bad = [m for m in imports_of(path) if area_of(m) and area_of(m) not in allowed]
    assert not bad, f"{path.name} imports downstream areas: {bad}"


PURE_NAMES = {
    "rules.py",
    "lifecycle.py",
    "yearend.py",
    "selection.py",
    "volumes.py",
    "allocation.py",
    "ranking.py",
    "seal.py",
}
PURE = [
    p
    for p in modules()
    if "services" not in p.parts
    and (p.name in PURE_NAMES or p.name.startswith("optimizer") or p.parent.name == "core")
]


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_modules_import_neither_flask_nor_sqlalchemy(path):
    bad = [m for m in imports_of(path) if m.startswith(PURE_FORBIDDEN)]
    assert not bad, f"{path.name} is meant to be pure but imports {bad}"


def test_core_imports_only_the_standard_library():
    for path in (PACKAGE / "core").glob("*.py"):
        for module in imports_of(path):
            root = module.split(".")[0]
            assert (
                root in {"__future__", "procurement"}
                or root in __import__("sys").stdlib_module_names
            ), f"core/{path.name} imports {module}"
