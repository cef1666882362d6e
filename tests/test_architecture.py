"""The dependency rules of STYLE.md section 2, checked by walking every module's imports.

Which rules bind a module follows from where it sits, never from a hand-kept list:

- An area is a package of `procurement` named in `ORDER` (auth ... compliance). `core/` is the
  shared kernel; `web/`, `demo/` and the top-level modules (`db.py`, `cli.py`, `settings.py`,
  ...) are glue and programs on top of the areas, outside the area rules.
- Inside an area, a module's layer is named by its path: the first folder or file below the
  area whose name is a layer in `LAYERS` (`models`, `services`, `api`, `pages`, ...) or ends in
  `_<layer>` (`rollup_models.py`). So `orders/services/placing.py` is a service and
  `compliance/rollup_models.py` holds models.
- Every other module of an area is **pure**: `rules.py`, `lifecycle.py`, `award/optimizer/`,
  `bidding/seal.py`, ... A new module is pure unless its name says which layer it belongs to.

The rules (each a function below returning what breaks it):

1. an area imports only itself, the areas upstream of it and the shared modules;
2. a pure module imports no framework (Flask, SQLAlchemy, ...) and no layer module of any area
   (models, services, ...), nor `procurement.web` or `procurement.db`;
3. `models` and `services` modules import no Flask (services never read `request`, `g` or
   `current_app`; models never touch the web);
4. `core/` imports only the standard library and itself.

Relative imports are resolved to the absolute module they name before any rule is applied.
`test_each_planted_break_is_reported` plants one break of each kind in a copy of the package
and asserts the checker reports it, so a rule that cannot fail shows up there.
"""

from __future__ import annotations

import ast
import functools
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "procurement"
# Upstream order: an area may import only areas to its left (and itself). auth and audit may
# import each other (the audit trail records an actor; the auth services record events).
ORDER = [
    *("auth", "audit", "events", "catalog", "bidding", "award", "contracts", "listing"),
    *("orders", "trace", "settlement", "pharmacy", "compliance", "simulation", "portal"),
]
PEERS = {"auth": {"audit"}, "audit": {"auth"}}
SHARED = {"core", "web", "db", "settings", "migrate", "models", "cli", "jobs"}
LAYERS = (
    "models",  # SQLAlchemy entities
    "services",  # use cases: load, check, write, commit
    "queries",  # read-side selects
    "api",  # flask-smorest blueprints
    "pages",  # server-rendered pages
    "schemas",  # marshmallow
    "forms",  # page forms
    "export",  # CSV/XLSX downloads
    "commands",  # Click commands
)
FRAMEWORKS = ("flask", "flask_", "werkzeug", "sqlalchemy", "marshmallow", "psycopg", "click")
WEB_ONLY = ("flask", "flask_", "werkzeug", "procurement.web")
# Plain functions that merely ship with a framework: password hashing is no web access.
NOT_FRAMEWORK = ("werkzeug.security",)


@dataclass(frozen=True, order=True)
class Break:
    module: str  # path relative to the package root, e.g. "orders/rules.py"
    rule: str
    imported: str

    def __str__(self) -> str:
        return f"{self.module}: {self.rule}: {self.imported}"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(root: Path, path: Path) -> list[str]:
    """Every module `path` imports, relative imports resolved; `from x import y` gives both
    `x` and `x.y` (y may be a submodule)."""
    package = module_name(root, path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    return list(_imports(path.read_text(encoding="utf-8"), package))


@functools.cache
def _imports(source: str, package: str) -> tuple[str, ...]:
    """(Cached: the planted-break cases check copies in which one file differs.)"""
    tree = ast.parse(source)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    return tuple(found)


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "procurement" else None


def layer_of(module: str) -> str | None:
    """The layer a module of an area belongs to by its name, or None when it is pure."""
    for part in module.split(".")[2:]:
        for layer in LAYERS:
            if part == layer or part.endswith("_" + layer):
                return layer
    return None


def is_pure(module: str) -> bool:
    return area_of(module) in ORDER and layer_of(module) is None


def _starts(module: str, prefixes: tuple[str, ...]) -> bool:
    if prefixes is not NOT_FRAMEWORK and _starts(module, NOT_FRAMEWORK):
        return False
    return any(
        module == p or module.startswith(p if p.endswith("_") else p + ".") for p in prefixes
    )


def upstream_breaks(module: str, imported: list[str]) -> list[str]:
    own = area_of(module)
    if own not in ORDER:
        return []
    allowed = set(ORDER[: ORDER.index(own) + 1]) | SHARED | PEERS.get(own, set())
    return [m for m in imported if area_of(m) and area_of(m) not in allowed]


def pure_breaks(module: str, imported: list[str]) -> list[str]:
    if not is_pure(module):
        return []
    return [
        m
        for m in imported
        if _starts(m, FRAMEWORKS)
        or _starts(m, ("procurement.web", "procurement.db"))
        or (area_of(m) in ORDER and layer_of(m) is not None)
    ]


def web_breaks(module: str, imported: list[str]) -> list[str]:
    if layer_of(module) not in ("models", "services") or area_of(module) not in ORDER:
        return []
    return [m for m in imported if _starts(m, WEB_ONLY)]


def core_breaks(module: str, imported: list[str]) -> list[str]:
    if area_of(module) != "core":
        return []
    roots = {m.split(".")[0] for m in imported}
    outside = [r for r in roots if r not in sys.stdlib_module_names | {"procurement"}]
    upward = [m for m in imported if m.startswith("procurement.") and area_of(m) != "core"]
    return sorted(outside + upward)


RULES = {
    "imports a downstream area": upstream_breaks,
    "pure module imports a framework or layer": pure_breaks,
    "models/services import the web": web_breaks,
    "core imports beyond the standard library": core_breaks,
}


def check(root: Path) -> list[Break]:
    """Every break of every rule in the package at `root` (a folder named `procurement`)."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        imported = imports_of(root, path)
        relative = str(path.relative_to(root))
        for rule, breaks in RULES.items():
            bad = breaks(module, imported)
            # `from x import y` is reported as x alone when x itself breaks the rule
            found |= {Break(relative, rule, m) for m in bad if m.rpartition(".")[0] not in bad}
    return sorted(found)


def test_the_package_keeps_every_dependency_rule():
    breaks = check(PACKAGE)
    assert not breaks, "\n".join(map(str, breaks))


def test_the_convention_classifies_the_modules_style_names():
    assert layer_of("procurement.orders.services.placing") == "services"
    assert layer_of("procurement.compliance.rollup_models") == "models"
    assert layer_of("procurement.settlement.export") == "export"
    assert is_pure("procurement.orders.rules")
    assert is_pure("procurement.award.optimizer.highs")
    assert is_pure("procurement.catalog.lifecycle")
    assert not is_pure("procurement.core.money")  # core has its own, stricter rule
    assert not is_pure("procurement.demo.world")  # a program on top of the areas
    pure = [p for p in PACKAGE.rglob("*.py") if is_pure(module_name(PACKAGE, p))]
    assert len(pure) >= 20, "the convention found almost no pure modules"


def _copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "procurement"
    shutil.copytree(
        PACKAGE,
        root,
        ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "translations"),
    )
    return root


PLANTED = {
    "relative import of a downstream area": (
        "catalog/services/lots.py",
        "from ...orders.models import PurchaseOrder\n",
        Break("catalog/services/lots.py", "imports a downstream area", "procurement.orders.models"),
    ),
    "relative import of a model into a pure module": (
        "orders/rules.py",
        "from .models import PurchaseOrder\n",
        Break(
            "orders/rules.py",
            "pure module imports a framework or layer",
            "procurement.orders.models",
        ),
    ),
    "Flask imported in a models.py": (
        "contracts/models.py",
        "from flask import g\n",
        Break("contracts/models.py", "models/services import the web", "flask"),
    ),
    "current_app used in a service": (
        "orders/services/shipping.py",
        "from flask import current_app\nLIMIT = current_app.config\n",
        Break("orders/services/shipping.py", "models/services import the web", "flask"),
    ),
    "current_app reached through the flask module in a service package": (
        "settlement/services/runs.py",
        "import flask\nLIMIT = flask.current_app.config\n",
        Break("settlement/services/runs.py", "models/services import the web", "flask"),
    ),
    "a pure module importing a model": (
        "award/selection.py",
        "from procurement.award.models import AwardRun\n",
        Break(
            "award/selection.py",
            "pure module imports a framework or layer",
            "procurement.award.models",
        ),
    ),
    "a pure module importing SQLAlchemy": (
        "award/optimizer/model.py",
        "import sqlalchemy\n",
        Break("award/optimizer/model.py", "pure module imports a framework or layer", "sqlalchemy"),
    ),
    "core importing a model": (
        "core/clock.py",
        "from procurement.orders.models import PurchaseOrder\n",
        Break(
            "core/clock.py",
            "core imports beyond the standard library",
            "procurement.orders.models",
        ),
    ),
    "core importing a third-party library": (
        "core/money.py",
        "import numpy\n",
        Break("core/money.py", "core imports beyond the standard library", "numpy"),
    ),
}


@pytest.mark.parametrize("case", PLANTED, ids=list(PLANTED))
def test_each_planted_break_is_reported(tmp_path, case):
    relative, line, expected = PLANTED[case]
    root = _copy_package(tmp_path)
    before = set(check(root))
    target = root / relative
    target.write_text(target.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    assert expected in set(check(root)) - before
