-- The expert index set for bench/mysql/oltp, written by hand before the advisor ran on this workload.
-- One line per index: the queries it serves and why this shape. InnoDB appends the primary key to every
-- secondary index, so (x) is really (x, id): a trailing id is never written.
-- login: equality on email
ALTER TABLE customers ADD INDEX customers_email (email);
-- recent_customers_country: equality on country, then newest first
ALTER TABLE customers ADD INDEX customers_country_created (country, created_at);
-- subcategories: parent's children in name order
ALTER TABLE categories ADD INDEX categories_parent_name (parent_id, name);
-- product_by_sku: equality lookup
ALTER TABLE products ADD INDEX products_sku (sku);
-- category_page: category + status equality, then the sort column (no filesort, stops at LIMIT 24)
ALTER TABLE products ADD INDEX products_category_status_created (category_id, status, created_at);
-- search_prefix: LIKE 'Blue%' is a range on name
ALTER TABLE products ADD INDEX products_name (name);
-- low_stock: status equality, stock range
ALTER TABLE products ADD INDEX products_status_stock (status, stock);
-- my_orders, has_bought, customer_delivered_count: a customer's orders (the foreign key), newest first
ALTER TABLE orders ADD INDEX orders_customer_created (customer_id, created_at);
-- orders_to_ship, cancel_stale: the paid/pending queues in time order
ALTER TABLE orders ADD INDEX orders_status_created (status, created_at);
-- status_counts_today, product_sales (recent orders): time ranges
ALTER TABLE orders ADD INDEX orders_created (created_at);
-- country_revenue: rare country, then the time range
ALTER TABLE orders ADD INDEX orders_country_created (shipping_country, created_at);
-- product_sales, has_bought: items of one product (the foreign key)
ALTER TABLE order_items ADD INDEX order_items_product (product_id);
-- product_reviews (newest 10) and rating_summary (index-only count/avg): product, time, rating
ALTER TABLE reviews ADD INDEX reviews_product_created_rating (product_id, created_at, rating);
-- my_reviews: a customer's newest reviews
ALTER TABLE reviews ADD INDEX reviews_customer_created (customer_id, created_at);
