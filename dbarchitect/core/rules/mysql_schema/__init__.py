"""MySQL/MariaDB schema rules (codes MY0xx): run by `core/mysql_review.py` on a snapshot read from
information_schema. Every rule declares `engines={"mysql"}`; none of the PostgreSQL `schema` family
runs on MySQL."""
