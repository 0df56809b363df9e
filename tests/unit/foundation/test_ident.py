"""Generated SQL quotes identifiers exactly when PostgreSQL needs it, reserved words included."""

import pytest

from dbarchitect.core.describe import table_ddl
from dbarchitect.core.models import Column, Table
from dbarchitect.core.sql.ident import quote_ident, quote_qualified


@pytest.mark.parametrize(
    "name,expected",
    [("users", "users"), ("user", '"user"'), ("order", '"order"'), ("Order", '"Order"'), ("a b", '"a b"'),
     ("1st", '"1st"'), ('x"y', '"x""y"'), ("_ok", "_ok"), ("name", "name")],
)  # fmt: skip
def test_quote_ident(name, expected):
    assert quote_ident(name) == expected


def test_qualified_and_ddl_use_it():
    assert quote_qualified("public", "user") == 'public."user"'
    t = Table(schema="public", name="t", columns=[Column(name="order", position=1, type="integer")])
    assert '"order" integer' in table_ddl(t)
