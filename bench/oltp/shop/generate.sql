-- Data for the shop at scale {scale}: {customers} customers (order counts skewed: a few heavy
-- buyers), 600 categories (30 top-level), {products} products (Zipf popularity: product 1 sells most,
-- a long tail; 5 % drafts, 10 % discontinued, 2 % soft-deleted), 2,000 tags (Zipf), {orders} orders
-- over three years (status mostly delivered; a few pending/paid), about 3 items per order,
-- {reviews} reviews on popular products. Deterministic: setseed() first, one session.
INSERT INTO customers (id, email, name, country, created_at, deleted_at)
SELECT c, initcap(v1.w) || '.' || initcap(v2.w) || c || '@Mail' || (c % 40) || '.example.com',
       initcap(v1.w) || ' ' || initcap(v2.w),
       (ARRAY['US','DE','GB','FR','NL','SE','IT','ES','PL','CA','AU','JP','BR','IS','MT'])[least(15, floor(exp(random() * ln(16))))::int],
       '2021-01-01'::timestamptz + (c::float / {customers}) * interval '1400 days',
       CASE WHEN random() < 0.03 THEN '2025-01-01'::timestamptz END
FROM generate_series(1, {customers}) c JOIN vocab v1 ON v1.r = 1 + c % 62 JOIN vocab v2 ON v2.r = 63 + (c * 7) % 2000;

INSERT INTO categories (id, parent_id, name)
SELECT k, CASE WHEN k > 30 THEN 1 + k % 30 END, 'Category ' || k FROM generate_series(1, 600) k ORDER BY k;

INSERT INTO tags (id, name) SELECT k, v.w FROM generate_series(1, 2000) k JOIN vocab v ON v.r = k;

INSERT INTO products (id, category_id, sku, name, description, price, status, attrs, created_at, deleted_at)
SELECT p, 31 + floor(random() * 570)::int, 'SKU-' || lpad(to_hex(p * 2654435761 % 4294967296), 8, '0'),
       initcap(v1.w) || ' ' || initcap(v2.w) || ' ' || initcap(split_part(s1.s, ' ', 3)),
       s1.s || '. ' || s2.s || '. ' || s3.s || '.',
       round((5 + random() * random() * 400)::numeric, 2),
       CASE WHEN g.x < 0.05 THEN 'draft' WHEN g.x < 0.15 THEN 'discontinued' ELSE 'active' END,
       jsonb_strip_nulls(jsonb_build_object(
         'color', (ARRAY['black','white','blue','red','green','grey','beige','pink','orange','teal'])[least(10, floor(exp(random() * ln(11))))::int],
         'size', (ARRAY['S','M','L','XL','XXL'])[1 + floor(random() * 5)::int],
         'material', (ARRAY['cotton','leather','wooden','steel','organic'])[least(5, floor(exp(random() * ln(6))))::int],
         'eco', CASE WHEN random() < 0.05 THEN true END,
         'limited_edition', CASE WHEN random() < 0.003 THEN true END)),
       '2022-01-01'::timestamptz + (p::float / {products}) * interval '1300 days',
       CASE WHEN random() < 0.02 THEN '2025-06-01'::timestamptz END
FROM (SELECT p, random() AS x, 1 + floor(random() * 20000)::int AS k1, 1 + floor(random() * 20000)::int AS k2,
             1 + floor(random() * 20000)::int AS k3, 1 + floor(random() * 62)::int AS w1, 63 + floor(random() * 3000)::int AS w2
      FROM generate_series(1, {products}) p) g
JOIN vocab v1 ON v1.r = g.w1 JOIN vocab v2 ON v2.r = g.w2
JOIN sent s1 ON s1.i = g.k1 JOIN sent s2 ON s2.i = g.k2 JOIN sent s3 ON s3.i = g.k3;

-- 1-5 tags per product, Zipf over 2,000 tags (tag 1 on a sixth of the products, tag 1,500 on a few dozen)
INSERT INTO product_tags (product_id, tag_id)
SELECT p.id, least(2000, floor(exp(random() * ln(2001))))::int
FROM products p, generate_series(1, 1 + (p.id % 5)::int) k
ON CONFLICT DO NOTHING;

-- orders: ids in time order; customers skewed (power 2.5: low ids buy most); the newest orders
-- are still pending/paid/shipped
INSERT INTO orders (id, customer_id, status, total, shipping_country, created_at, updated_at)
SELECT o, 1 + floor({customers} * power(random(), 2.5))::bigint,
       CASE WHEN o > {orders} - {orders} / 200 THEN (ARRAY['pending','paid','paid','shipped'])[1 + floor(random() * 4)::int]
            WHEN random() < 0.04 THEN 'cancelled' WHEN random() < 0.02 THEN 'refunded' ELSE 'delivered' END,
       round((10 + random() * random() * 500)::numeric, 2),
       (ARRAY['US','DE','GB','FR','NL','SE','IT','ES','PL','CA','AU','JP','BR','IS','MT'])[least(15, floor(exp(random() * ln(16))))::int],
       g.created, g.created + random() * interval '5 days'
FROM (SELECT o, '2023-01-01'::timestamptz + (o::float / {orders}) * interval '1000 days' AS created
      FROM generate_series(1, {orders}) o) g;

-- 1-5 lines per order; half the lines Zipf over products (best sellers), half uniform
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o, k, CASE WHEN random() < 0.5 THEN least({products}, floor(exp(random() * ln({products} + 1))))::bigint
                  ELSE 1 + floor(random() * {products})::bigint END,
       1 + floor(random() * random() * 4)::int, round((5 + random() * 200)::numeric, 2)
FROM generate_series(1, {orders}) o, generate_series(1, 1 + (o % 5)::int) k;

-- reviews: Zipf over products; 3 % soft-deleted
INSERT INTO reviews (id, product_id, customer_id, rating, body, created_at, deleted_at)
SELECT r, least({products}, floor(exp(random() * ln({products} + 1))))::bigint, 1 + floor(random() * {customers})::bigint,
       (ARRAY[5,5,5,4,4,3,2,1])[1 + floor(random() * 8)::int], s1.s || '.',
       '2023-01-01'::timestamptz + (r::float / {reviews}) * interval '1000 days',
       CASE WHEN random() < 0.03 THEN '2025-09-01'::timestamptz END
FROM (SELECT r, 1 + floor(random() * 20000)::int AS k1 FROM generate_series(1, {reviews}) r) g
JOIN sent s1 ON s1.i = g.k1;
