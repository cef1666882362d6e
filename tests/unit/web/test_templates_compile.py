"""Every page template compiles (a template error is otherwise found only when its page is
opened, as a 500)."""

from __future__ import annotations

import pytest

from procurement import create_app


@pytest.fixture(scope="module")
def jinja():
    return create_app({"ENV": "testing", "DATABASE_URL": "sqlite://"}).jinja_env


def test_every_template_compiles(jinja):
    names = [n for n in jinja.list_templates() if n.endswith(".html")]
    assert "settlement/payment_notice.html" in names
    for name in names:
        jinja.get_template(name)  # raises TemplateSyntaxError / TemplateAssertionError
