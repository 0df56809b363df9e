-- The shop's expert index set for MariaDB, written by hand before any advisor ran on this workload
-- (the MariaDB port of ../../oltp/shop/expert.sql). One line per index: the queries it serves and why
-- this shape. InnoDB appends the primary key to every secondary index ((x) is really (x, id)); MariaDB
-- has no partial indexes (the soft-delete / status filters become leading equality columns:
-- `deleted_at IS NULL` is an index lookup), no INCLUDE (covering columns go at the end), no trigram
-- or JSON indexes (search_name_ilike's '%x%' and filter_attrs' JSON_CONTAINS get no index of their
-- own). The FULLTEXT index search_fulltext needs is in every configuration (schema.sql).
-- login_by_email: equality on email (the _ci collation makes it case-insensitive); LIMIT 1 on an absent e-mail must not scan
ALTER TABLE customers ADD INDEX customers_email (email);
-- product_by_sku: equality lookup (absent SKUs too)
ALTER TABLE products ADD INDEX products_sku (sku);
-- category_page1/next_page: category + the listed filter as equalities, then the keyset column (id is appended by InnoDB)
ALTER TABLE products ADD INDEX products_category_listed (category_id, status, deleted_at, created_at);
-- filter_attrs: JSON_CONTAINS cannot use an index; active products in price order stop at LIMIT 24 when the value is common
ALTER TABLE products ADD INDEX products_status_price (status, price);
-- products_with_tag, tag_counts_for_product: the junction from the tag side ((tag_id, product_id): index-only, product order)
ALTER TABLE product_tags ADD INDEX product_tags_tag (tag_id);
-- my_orders, has_bought: a customer's orders newest first (the foreign key's index, extended by the ORDER BY column)
ALTER TABLE orders ADD INDEX orders_customer_created (customer_id, created_at);
-- orders_to_ship: the paid queue (a sliver of the orders) in queue order; no partial index, so status leads
ALTER TABLE orders ADD INDEX orders_status_created (status, created_at);
-- status_counts_today: the day's orders, index-only with status; product_sales (recent orders of a popular product)
ALTER TABLE orders ADD INDEX orders_created_status (created_at, status);
-- country_revenue: the rare country, then the time range
ALTER TABLE orders ADD INDEX orders_country_created (shipping_country, created_at);
-- product_sales for rare products, has_bought: the foreign key's index
ALTER TABLE order_items ADD INDEX order_items_product (product_id);
-- product_reviews (live reviews newest first, LIMIT 10) and rating_summary (index-only count/avg, rating at the end)
ALTER TABLE reviews ADD INDEX reviews_product_live_created (product_id, deleted_at, created_at, rating);
-- my_reviews: a customer's newest reviews
ALTER TABLE reviews ADD INDEX reviews_customer_created (customer_id, created_at);
-- Not indexed on purpose: categories (600 rows), the primary-key lookups (product_page, order_detail), the writes.
