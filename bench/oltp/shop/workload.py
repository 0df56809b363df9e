"""The shop workload: an online store (catalogue, search, orders, reviews).

Each query is what the application sends, with $n parameters and a traffic weight (relative calls
per unit of time). `draw` picks the parameters from the loaded data with a seeded random generator:
a common and a rare value where the distribution is skewed, the absent key for lookups."""

from __future__ import annotations

from bench.oltp.common import Draw, Query


def sizes(scale: float) -> dict:
    return {"scale": scale, "customers": max(5000, round(500_000 * scale)), "products": max(2000, round(200_000 * scale)),
            "orders": max(10_000, round(3_000_000 * scale)), "reviews": max(3000, round(1_000_000 * scale))}  # fmt: skip


def popular_product(d: Draw) -> int:
    return d.rng.randint(1, 3)  # Zipf: products 1-3 sell and are reviewed most


def rare_product(d: Draw) -> int:
    p = d.sizes["products"]
    return d.rng.randint(p // 2, p)


def heavy_customer(d: Draw) -> int:
    return d.rng.randint(1, 20)  # power-law ids: the lowest ids order most


def light_customer(d: Draw) -> int:
    c = d.sizes["customers"]
    return d.rng.randint(c - c // 5, c)


def category(d: Draw) -> int:
    return d.rng.randint(31, 600)


def keyset(d: Draw, cat: int):
    row = d.row("SELECT created_at, id FROM products WHERE category_id = $1 AND status = 'active' AND deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 23", cat)  # fmt: skip
    return (cat, d.timestamp(row[0]), row[1]) if row else (cat, "2030-01-01", 0)


def bought(d: Draw):
    row = d.row("SELECT o.customer_id, oi.product_id FROM orders o JOIN order_items oi ON oi.order_id = o.id "
                "WHERE o.id = $1 AND o.status = 'delivered' LIMIT 1", d.rng.randint(1, d.sizes["orders"] // 2))  # fmt: skip
    if row is None:
        return (heavy_customer(d), popular_product(d))
    return tuple(row)


QUERIES = [
    Query("login_by_email", 100,
          "SELECT id, name, country FROM customers WHERE lower(email) = lower($1) AND deleted_at IS NULL LIMIT 1",
          lambda d: [("existing", (d.one("SELECT email FROM customers WHERE id = $1", d.rng.randint(1, d.sizes["customers"])),)),
                     ("absent", ("nobody.%d@nowhere.example.com" % d.rng.randint(1, 10**6),))]),
    Query("product_by_sku", 80, "SELECT id, name, price, status FROM products WHERE sku = $1 LIMIT 1",
          lambda d: [("existing", (d.one("SELECT sku FROM products WHERE id = $1", d.rng.randint(1, d.sizes["products"])),)),
                     ("absent", ("SKU-NOPE%04d" % d.rng.randint(0, 9999),))]),
    Query("product_page", 400,
          "SELECT p.id, p.name, p.description, p.price, p.attrs, c.name AS category FROM products p "
          "JOIN categories c ON c.id = p.category_id WHERE p.id = $1",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["products"]),))]),
    Query("category_page1", 200,
          "SELECT id, name, price FROM products WHERE category_id = $1 AND status = 'active' AND deleted_at IS NULL "
          "ORDER BY created_at DESC, id DESC LIMIT 24",
          lambda d: [("category", (category(d),))]),
    Query("category_next_page", 80,
          "SELECT id, name, price FROM products WHERE category_id = $1 AND status = 'active' AND deleted_at IS NULL "
          "AND (created_at, id) < ($2::timestamptz, $3::bigint) ORDER BY created_at DESC, id DESC LIMIT 24",
          lambda d: [("category", keyset(d, category(d)))]),
    Query("products_with_tag", 60,
          "SELECT p.id, p.name, p.price FROM product_tags pt JOIN products p ON p.id = pt.product_id "
          "WHERE pt.tag_id = $1 AND p.status = 'active' AND p.deleted_at IS NULL ORDER BY pt.product_id DESC LIMIT 48",
          lambda d: [("common tag", (d.rng.randint(1, 3),)), ("rare tag", (d.rng.randint(1200, 2000),))]),
    Query("tag_counts_for_product", 30,
          "SELECT t.name, count(*) FROM product_tags pt JOIN tags t ON t.id = pt.tag_id "
          "WHERE pt.tag_id IN (SELECT tag_id FROM product_tags WHERE product_id = $1) GROUP BY t.name",
          lambda d: [("product", (rare_product(d),))]),
    Query("search_fulltext", 60,
          "SELECT id, name, price FROM products WHERE status = 'active' "
          "AND to_tsvector('english', name || ' ' || description) @@ plainto_tsquery('english', $1) LIMIT 24",
          lambda d: [("rare word", (d.word(2000, 4000),)), ("common word", (d.word(1, 10),))]),
    Query("search_name_ilike", 50,
          "SELECT id, name, price FROM products WHERE name ILIKE $1 AND deleted_at IS NULL LIMIT 20",
          lambda d: [("rare fragment", ("%" + d.word(1500, 2500)[1:7] + "%",)), ("common word", ("%" + d.word(1, 10) + "%",))]),
    Query("filter_attrs", 40,
          "SELECT id, name, price FROM products WHERE attrs @> $1::jsonb AND status = 'active' ORDER BY price LIMIT 24",
          lambda d: [("rare key", ('{"limited_edition": true}',)), ("common value", ('{"color": "black", "size": "M"}',))]),
    Query("my_orders", 120,
          "SELECT id, status, total, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20",
          lambda d: [("heavy buyer", (heavy_customer(d),)), ("light buyer", (light_customer(d),))]),
    Query("order_detail", 150,
          "SELECT oi.line_no, oi.quantity, oi.unit_price, p.id, p.name FROM order_items oi "
          "JOIN products p ON p.id = oi.product_id WHERE oi.order_id = $1 ORDER BY oi.line_no",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["orders"]),))]),
    Query("product_reviews", 200,
          "SELECT id, rating, body, created_at FROM reviews WHERE product_id = $1 AND deleted_at IS NULL "
          "ORDER BY created_at DESC LIMIT 10",
          lambda d: [("popular product", (popular_product(d),)), ("rare product", (rare_product(d),))]),
    Query("rating_summary", 200,
          "SELECT count(*), avg(rating) FROM reviews WHERE product_id = $1 AND deleted_at IS NULL",
          lambda d: [("popular product", (popular_product(d),)), ("rare product", (rare_product(d),))]),
    Query("my_reviews", 15,
          "SELECT id, product_id, rating, created_at FROM reviews WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20",
          lambda d: [("customer", (d.rng.randint(1, d.sizes["customers"]),))]),
    Query("has_bought", 40,
          "SELECT 1 FROM orders o JOIN order_items oi ON oi.order_id = o.id "
          "WHERE o.customer_id = $1 AND oi.product_id = $2 AND o.status = 'delivered' LIMIT 1",
          lambda d: [("bought", bought(d)), ("never bought", (light_customer(d), rare_product(d)))]),
    Query("orders_to_ship", 20,
          "SELECT id, customer_id, total, created_at FROM orders WHERE status = 'paid' ORDER BY created_at LIMIT 100",
          lambda d: [("queue", ())]),
    Query("status_counts_today", 10,
          "SELECT status, count(*) FROM orders WHERE created_at >= $1::timestamptz GROUP BY status",
          lambda d: [("last day", ("2025-09-26",))]),
    Query("product_sales", 15,
          "SELECT sum(oi.quantity) FROM order_items oi JOIN orders o ON o.id = oi.order_id "
          "WHERE oi.product_id = $1 AND o.created_at >= $2::timestamptz",
          lambda d: [("popular product", (popular_product(d), "2025-08-27")), ("rare product", (rare_product(d), "2025-08-27"))]),
    Query("country_revenue", 5,
          "SELECT count(*), sum(total) FROM orders WHERE shipping_country = $1 AND created_at >= $2::timestamptz",
          lambda d: [("common country", ("US", "2025-09-01")), ("rare country", ("MT", "2025-01-01"))]),
    Query("subcategories", 60, "SELECT id, name FROM categories WHERE parent_id = $1 ORDER BY name",
          lambda d: [("top category", (d.rng.randint(1, 30),))]),
    Query("place_order", 30,
          "INSERT INTO orders (customer_id, status, total, shipping_country, created_at, updated_at) "
          "VALUES ($1, 'pending', $2, 'DE', now(), now())",
          lambda d: [("new", (light_customer(d), 49.90))]),
    Query("add_order_item", 90,
          "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES ($1, 9, $2, 1, 19.99)",
          lambda d: [("new", (d.sizes["orders"] - d.rng.randint(0, 100), popular_product(d)))]),
    Query("ship_order", 30, "UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = $1",
          lambda d: [("existing", (d.sizes["orders"] - d.rng.randint(0, 1000),))]),
    Query("write_review", 10,
          "INSERT INTO reviews (product_id, customer_id, rating, body, created_at) VALUES ($1, $2, 5, $3, now())",
          lambda d: [("new", (popular_product(d), light_customer(d), "Great quality, fast shipping."))]),
    Query("update_price", 10, "UPDATE products SET price = $2 WHERE id = $1",
          lambda d: [("existing", (rare_product(d), 24.99))]),
]
