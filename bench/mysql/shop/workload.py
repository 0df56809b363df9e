"""The shop workload on MariaDB: bench/oltp/shop/workload.py's 26 queries with the same names,
weights and parameter draws (imported, not copied), the statements MySQL writes differently translated
by hand: `lower(email) = lower($1)` → `email = $1` and `ILIKE` → `LIKE` (utf8mb4_general_ci compares
case-insensitively), `to_tsvector(…) @@ plainto_tsquery(…)` → `MATCH (name, description) AGAINST ($1)`,
`attrs @> $1::jsonb` → `JSON_CONTAINS(attrs, $1)`, casts dropped."""

from __future__ import annotations

from bench.mysql.common import port
from bench.oltp.shop import workload as pg
from bench.oltp.shop.workload import sizes

__all__ = ["QUERIES", "sizes"]

QUERIES = port(pg.QUERIES, {
    "login_by_email": "SELECT id, name, country FROM customers WHERE email = $1 AND deleted_at IS NULL LIMIT 1",
    "category_next_page":
        "SELECT id, name, price FROM products WHERE category_id = $1 AND status = 'active' AND deleted_at IS NULL "
        "AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT 24",
    "search_fulltext":
        "SELECT id, name, price FROM products WHERE status = 'active' AND MATCH (name, description) AGAINST ($1) LIMIT 24",
    "search_name_ilike": "SELECT id, name, price FROM products WHERE name LIKE $1 AND deleted_at IS NULL LIMIT 20",
    "filter_attrs":
        "SELECT id, name, price FROM products WHERE JSON_CONTAINS(attrs, $1) AND status = 'active' ORDER BY price LIMIT 24",
    "status_counts_today": "SELECT status, count(*) FROM orders WHERE created_at >= $1 GROUP BY status",
    "product_sales":
        "SELECT sum(oi.quantity) FROM order_items oi JOIN orders o ON o.id = oi.order_id "
        "WHERE oi.product_id = $1 AND o.created_at >= $2",
    "country_revenue": "SELECT count(*), sum(total) FROM orders WHERE shipping_country = $1 AND created_at >= $2",
})  # fmt: skip
