"""The MariaDB spawner says what to install when the binaries are missing; mysql:// URLs are parsed
and their passwords scrubbed like PostgreSQL's."""

from __future__ import annotations

import pytest

from dbarchitect.core.dsn import dsn_password, redact
from dbarchitect.live.mysql import server as server_mod
from dbarchitect.live.mysql.database import connect_params


def test_missing_binaries_say_what_to_install(monkeypatch):
    monkeypatch.setattr(server_mod, "_which", lambda *names: None)
    with pytest.raises(server_mod.ServerError, match="apt-get install mariadb-server mariadb-client"):
        server_mod.find_binaries()


def test_mysql_urls():
    url = "mysql://app:s%40cret@db.example.com:3307/shop?unix_socket=/run/mysqld.sock&ssl_ca=/ca.pem"
    p = connect_params(url, 5)
    assert (p["host"], p["port"], p["user"], p["password"], p["database"]) == ("db.example.com", 3307, "app", "s@cret", "shop")
    assert p["unix_socket"] == "/run/mysqld.sock" and p["ssl"] == {"ca": "/ca.pem"} and p["local_infile"] is False
    assert connect_params("mariadb://root@127.0.0.1/", 5)["database"] is None
    assert dsn_password("mysql://app:pw123@h/db") == "pw123"
    assert redact("failed for mysql://app:pw123@h/db") == "failed for mysql://app:***@h/db"
