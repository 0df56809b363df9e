-- The shop's expert index set, written by hand before any advisor ran on this workload.
-- One line per index: the queries it serves and why this shape.
CREATE EXTENSION IF NOT EXISTS pg_trgm;  -- for the trigram index below (needs CREATE on the database)
-- login_by_email: expression lookup; LIMIT 1 on a rare or absent e-mail must not scan the table; partial = live customers
CREATE INDEX customers_lower_email ON customers (lower(email)) WHERE deleted_at IS NULL;
-- product_by_sku: equality lookup (absent SKUs too)
CREATE INDEX products_sku ON products (sku);
-- category_page1/next_page: category, then the keyset columns (row comparison on (created_at, id)); partial: what is listed
CREATE INDEX products_category_listed ON products (category_id, created_at, id) WHERE status = 'active' AND deleted_at IS NULL;
-- products_with_tag, tag_counts_for_product: the junction from the rare side, index-only in product order
CREATE INDEX product_tags_tag_product ON product_tags (tag_id, product_id);
-- search_fulltext: GIN on exactly the query's expression; partial: the query only searches active products
CREATE INDEX products_fts_active ON products USING gin (to_tsvector('english', name || ' ' || description)) WHERE status = 'active';
-- search_name_ilike: ILIKE '%x%' can only use trigrams; partial: the soft-delete filter
CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL;
-- filter_attrs: jsonb @> with jsonb_path_ops; partial: active products only
CREATE INDEX products_attrs_active ON products USING gin (attrs jsonb_path_ops) WHERE status = 'active';
-- my_orders, has_bought: a customer's orders newest first (the foreign key's index, extended by the ORDER BY column)
CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
-- orders_to_ship: the paid queue is a sliver of 3M orders; partial, in queue order
CREATE INDEX orders_paid_created ON orders (created_at) WHERE status = 'paid';
-- status_counts_today, country_revenue, product_sales (popular products: recent orders first): time ranges
CREATE INDEX orders_created ON orders (created_at);
-- product_sales for rare products: the foreign key's index
CREATE INDEX order_items_product ON order_items (product_id);
-- product_reviews (ORDER BY created_at DESC LIMIT 10) and rating_summary (INCLUDE rating: index-only count/avg even for
-- a best seller's 50k reviews); partial: the soft-delete filter both have
CREATE INDEX reviews_product_created ON reviews (product_id, created_at) INCLUDE (rating) WHERE deleted_at IS NULL;
-- my_reviews: a customer's newest reviews
CREATE INDEX reviews_customer_created ON reviews (customer_id, created_at);
-- Not indexed on purpose: categories (600 rows), the primary-key lookups (product_page, order_detail), the writes.
