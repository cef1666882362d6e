"""The problem types the API can return, documented: ``/problems`` lists them all (code, status,
title, when each happens) and ``/problems/<code>`` is the page a problem's ``type`` URI names.

The list is built from the problem classes themselves (every class with a ``when``), so a new
class is documented as soon as it exists."""

from __future__ import annotations

import importlib
import importlib.util
import string
from dataclasses import dataclass

from flask import Blueprint, Flask, abort, current_app, render_template

from procurement.core.errors import DomainError, problem_types, translate

bp = Blueprint("problem_docs", __name__)

# Modules that define problem classes outside an area's errors.py.
EXTRA_MODULES = (
    "procurement.auth.services.ratelimit",
    "procurement.auth.services.logins",
    "procurement.web.errors",
)


@dataclass(frozen=True)
class Situation:
    name: str
    when: str
    template: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class ProblemType:
    code: str
    status: int
    title: str
    situations: tuple[Situation, ...]


def documented_classes() -> list[type[DomainError]]:
    """Every problem class of the platform that says when it happens."""
    from procurement import AREAS

    for area in AREAS:
        if importlib.util.find_spec(f"procurement.{area}.errors") is not None:
            importlib.import_module(f"procurement.{area}.errors")
    for module in EXTRA_MODULES:
        importlib.import_module(module)
    return [
        cls
        for cls in problem_types()
        if cls.__module__.startswith("procurement.") and cls.__dict__.get("when")
    ]


def problem_catalog() -> dict[str, ProblemType]:
    """The documented problem types by code, each with its situations, in the current language."""
    from procurement.web.problems import status_for

    by_code: dict[str, list[type[DomainError]]] = {}
    for cls in documented_classes():
        by_code.setdefault(cls.code, []).append(cls)
    catalog = {}
    for code in sorted(by_code):
        classes = sorted(by_code[code], key=lambda cls: cls.__name__)
        catalog[code] = ProblemType(
            code=code,
            status=status_for(classes[0]),
            title=translate(classes[0].title),
            situations=tuple(_situation(cls) for cls in classes),
        )
    return catalog


def _situation(cls: type[DomainError]) -> Situation:
    names = [name for _text, name, _spec, _conv in string.Formatter().parse(cls.template) if name]
    return Situation(
        name=cls.__name__,
        when=translate(cls.when),
        template=translate(cls.template),
        members=tuple(dict.fromkeys(names)),
    )


@bp.get("/problems")
def problem_list():
    """Every problem type the API can return."""
    return render_template(
        "problems/index.html",
        problems=problem_catalog().values(),
        base=current_app.config["PROBLEM_TYPE_BASE"],
    )


@bp.get("/problems/<code>")
def problem_detail(code: str):
    """One problem type: its status, title, and each situation that raises it."""
    problem = problem_catalog().get(code)
    if problem is None:
        abort(404)
    return render_template(
        "problems/detail.html", problem=problem, base=current_app.config["PROBLEM_TYPE_BASE"]
    )


def register(app: Flask) -> None:
    app.register_blueprint(bp)
