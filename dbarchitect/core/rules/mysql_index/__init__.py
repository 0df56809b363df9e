"""MySQL/MariaDB index rules (codes MY4xx): run by `core/mysql_index_review.py` (review_indexes on a
`mysql://` connection) over a snapshot plus the index facts of `MySQLIndexFacts` (usage counters and
cardinality). Every rule declares `engines={"mysql"}`."""
