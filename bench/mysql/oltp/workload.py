"""The bench/mysql/oltp workload: an online store's statements as the application sends them (values
written in: MySQL has no $n), with traffic weights (relative calls per unit of time). Skewed values are
chosen on purpose: the heavy customer (id 1-20 order most), the popular products (1-3)."""

from __future__ import annotations

SIZES = {"customers": 200_000, "products": 50_000, "orders": 800_000, "reviews": 400_000}

QUERIES: list[tuple[str, float, str]] = [
    ("login", 100, "SELECT id, name, country FROM customers WHERE email = 'user123457@example.com'"),
    ("product_by_sku", 80, "SELECT id, name, price, status FROM products WHERE sku = 'SKU-0004321'"),
    ("product_page", 400, "SELECT p.id, p.name, p.description, p.price, c.name FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = 777"),
    ("category_page", 200, "SELECT id, name, price FROM products WHERE category_id = 42 AND status = 'active' ORDER BY created_at DESC LIMIT 24"),
    ("search_prefix", 50, "SELECT id, name, price FROM products WHERE name LIKE 'Golden lamp%' LIMIT 20"),
    ("low_stock", 10, "SELECT id, sku, stock FROM products WHERE status = 'active' AND stock < 2"),
    ("my_orders", 120, "SELECT id, status, total, created_at FROM orders WHERE customer_id = 4242 ORDER BY created_at DESC LIMIT 20"),
    ("my_orders_heavy", 30, "SELECT id, status, total, created_at FROM orders WHERE customer_id = 3 ORDER BY created_at DESC LIMIT 20"),
    ("order_detail", 150, "SELECT oi.line_no, oi.quantity, oi.unit_price, p.name FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id = 123456 ORDER BY oi.line_no"),
    ("product_reviews", 200, "SELECT id, rating, body, created_at FROM reviews WHERE product_id = 2 ORDER BY created_at DESC LIMIT 10"),
    ("rating_summary", 200, "SELECT count(*), avg(rating) FROM reviews WHERE product_id = 2"),
    ("rating_summary_rare", 100, "SELECT count(*), avg(rating) FROM reviews WHERE product_id = 40000"),
    ("my_reviews", 15, "SELECT id, product_id, rating, created_at FROM reviews WHERE customer_id = 777 ORDER BY created_at DESC LIMIT 20"),
    ("has_bought", 40, "SELECT 1 FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE o.customer_id = 4242 AND oi.product_id = 17 AND o.status = 'delivered' LIMIT 1"),
    ("customer_delivered_count", 40, "SELECT count(*) FROM orders WHERE customer_id = 4242 AND status = 'delivered'"),
    ("orders_to_ship", 20, "SELECT id, customer_id, total, created_at FROM orders WHERE status = 'paid' ORDER BY created_at LIMIT 100"),
    ("status_counts_today", 10, "SELECT status, count(*) FROM orders WHERE created_at >= '2024-05-01' GROUP BY status"),
    ("product_sales", 15, "SELECT sum(oi.quantity) FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE oi.product_id = 30000 AND o.created_at >= '2024-01-01'"),
    ("country_revenue", 5, "SELECT count(*), sum(total) FROM orders WHERE shipping_country = 'MT' AND created_at >= '2024-01-01'"),
    ("subcategories", 60, "SELECT id, name FROM categories WHERE parent_id = 7 ORDER BY name"),
    ("recent_customers_country", 10, "SELECT id, email FROM customers WHERE country = 'MT' ORDER BY created_at DESC LIMIT 50"),
    ("ship_order", 30, "UPDATE orders SET status = 'shipped' WHERE id = 799000"),
    ("cancel_stale", 5, "UPDATE orders SET status = 'cancelled' WHERE status = 'pending' AND created_at < '2023-01-10'"),
    ("delete_review", 5, "DELETE FROM reviews WHERE customer_id = 31337 AND product_id = 5"),
]
