"""PyMySQL vs mysqlclient on a spawned MariaDB: fetch 100k rows, and the catalog queries of a snapshot.

    PYTHONPATH=. .venv/bin/python bench/mysql/drivers.py

Needs mysqlclient installed (pip install mysqlclient; it builds against libmariadb-dev). Prints a
markdown table: best of 5 runs per measurement.
"""

from __future__ import annotations

import time

import MySQLdb
import pymysql

from dbarchitect.live.mysql.server import LocalMariaDB

CATALOG = [
    "SELECT * FROM information_schema.tables WHERE table_schema = 'bench'",
    "SELECT * FROM information_schema.columns WHERE table_schema = 'bench'",
    "SELECT * FROM information_schema.statistics WHERE table_schema = 'bench'",
    "SELECT * FROM information_schema.key_column_usage WHERE table_schema = 'bench'",
]


def best(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> None:
    with LocalMariaDB.temporary() as srv:
        c = pymysql.connect(host="127.0.0.1", port=srv.port, user="root", autocommit=True)
        cur = c.cursor()
        cur.execute("CREATE DATABASE bench")
        cur.execute("USE bench")
        cur.execute("CREATE TABLE bench.r (id int PRIMARY KEY, a varchar(40), b decimal(10,2), c datetime)")
        cur.execute(
            "INSERT INTO bench.r SELECT seq, concat('name-', seq), seq / 7, '2024-01-01' + INTERVAL seq SECOND"
            " FROM seq_1_to_100000"
        )
        for i in range(300):
            cur.execute(f"CREATE TABLE bench.t{i} (id int PRIMARY KEY, a int, b varchar(20), KEY (a), KEY (b, a))")
        drivers = {
            "PyMySQL": lambda: pymysql.connect(host="127.0.0.1", port=srv.port, user="root"),
            "mysqlclient": lambda: MySQLdb.connect(host="127.0.0.1", port=srv.port, user="root"),
        }
        print("| driver | connect (ms) | fetch 100k rows x 4 cols (ms) | catalog queries, 300 tables (ms) |")
        print("| --- | ---: | ---: | ---: |")
        for name, connect in drivers.items():
            conn_ms = best(lambda: connect().close())
            conn = connect()

            def fetch():
                k = conn.cursor()
                k.execute("SELECT id, a, b, c FROM bench.r")
                assert len(k.fetchall()) == 100000

            def catalog():
                k = conn.cursor()
                for q in CATALOG:
                    k.execute(q)
                    k.fetchall()

            print(f"| {name} | {conn_ms:.1f} | {best(fetch):.0f} | {best(catalog):.0f} |")


if __name__ == "__main__":
    main()
