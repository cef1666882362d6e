"""Prepared statements number their placeholders once (``db.backends._numbered``)."""

from procurement.db.backends import _numbered


def test_named_placeholders_become_numbers_in_order_and_a_repeated_name_keeps_its_number():
    sql, names = _numbered(
        "SELECT %(b)s::BIGINT, %(a)s::VARCHAR || '%%', %(b)s::BIGINT WHERE x LIKE 'a%%'"
    )
    assert sql == "SELECT $1::BIGINT, $2::VARCHAR || '%', $1::BIGINT WHERE x LIKE 'a%'"
    assert names == ["b", "a"]


def test_a_statement_without_parameters_is_left_as_it_is():
    assert _numbered("SELECT 1") == ("SELECT 1", [])
