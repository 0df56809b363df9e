-- Data for the shop at scale {scale} (the MariaDB port of ../../oltp/shop/generate.sql: the same
-- sizes per scale, skew, soft deletes and status mixes): {customers} customers (order counts skewed:
-- a few heavy buyers), 600 categories (30 top-level), {products} products (Zipf popularity: product 1
-- sells most, a long tail; 5 % drafts, 10 % discontinued, 2 % soft-deleted), 2,000 tags (Zipf),
-- {orders} orders over three years (mostly delivered; the newest pending/paid/shipped), about 3
-- items per order, {reviews} reviews on popular products. Runs after ../words.sql; every random
-- draw is h(tag, x) = conv(left(md5(concat(tag, x)), 8), 16, 10) / 2^32 (the same data every load); a Zipf draw over N
-- values is least(N, floor(exp(h * ln(N + 1)))). initcap(w) is concat(upper(left(w, 1)), substr(w, 2)).
INSERT INTO customers (id, email, name, country, created_at, deleted_at)
SELECT c.seq, concat(upper(left(v1.w, 1)), substr(v1.w, 2), '.', upper(left(v2.w, 1)), substr(v2.w, 2), c.seq, '@Mail', c.seq % 40, '.example.com'),
       concat(upper(left(v1.w, 1)), substr(v1.w, 2), ' ', upper(left(v2.w, 1)), substr(v2.w, 2)),
       elt(least(15, floor(exp(conv(left(md5(concat('cc', c.seq)), 8), 16, 10) / 4294967296 * ln(16)))), 'US','DE','GB','FR','NL','SE','IT','ES','PL','CA','AU','JP','BR','IS','MT'),
       '2021-01-01' + INTERVAL floor(c.seq / {customers} * 1400 * 86400) SECOND,
       IF(conv(left(md5(concat('cd', c.seq)), 8), 16, 10) / 4294967296 < 0.03, '2025-01-01', NULL)
FROM seq_1_to_{customers} c JOIN _vocab v1 ON v1.r = 1 + c.seq % 62 JOIN _vocab v2 ON v2.r = 63 + (c.seq * 7) % 2000;

INSERT INTO categories (id, parent_id, name) SELECT seq, IF(seq > 30, 1 + seq % 30, NULL), concat('Category ', seq) FROM seq_1_to_600;

INSERT INTO tags (id, name) SELECT seq, v.w FROM seq_1_to_2000 JOIN _vocab v ON v.r = seq;

INSERT INTO products (id, category_id, sku, name, description, price, status, attrs, created_at, deleted_at)
SELECT g.p, 31 + floor(conv(left(md5(concat('pc', g.p)), 8), 16, 10) / 4294967296 * 570), concat('SKU-', lpad(lower(hex(g.p * 2654435761 % 4294967296)), 8, '0')),
       concat(upper(left(v1.w, 1)), substr(v1.w, 2), ' ', upper(left(v2.w, 1)), substr(v2.w, 2), ' ',
              upper(left(substring_index(substring_index(s1.s, ' ', 3), ' ', -1), 1)), substr(substring_index(substring_index(s1.s, ' ', 3), ' ', -1), 2)),
       concat(s1.s, '. ', s2.s, '. ', s3.s, '.'),
       round(5 + conv(left(md5(concat('pp1', g.p)), 8), 16, 10) / 4294967296 * conv(left(md5(concat('pp2', g.p)), 8), 16, 10) / 4294967296 * 400, 2),
       CASE WHEN g.x < 0.05 THEN 'draft' WHEN g.x < 0.15 THEN 'discontinued' ELSE 'active' END,
       concat('{{"color": "', elt(least(10, floor(exp(conv(left(md5(concat('pa1', g.p)), 8), 16, 10) / 4294967296 * ln(11)))),
                                 'black','white','blue','red','green','grey','beige','pink','orange','teal'),
              '", "size": "', elt(1 + floor(conv(left(md5(concat('pa2', g.p)), 8), 16, 10) / 4294967296 * 5), 'S','M','L','XL','XXL'),
              '", "material": "', elt(least(5, floor(exp(conv(left(md5(concat('pa3', g.p)), 8), 16, 10) / 4294967296 * ln(6)))), 'cotton','leather','wooden','steel','organic'), '"',
              IF(conv(left(md5(concat('pa4', g.p)), 8), 16, 10) / 4294967296 < 0.05, ', "eco": true', ''),
              IF(conv(left(md5(concat('pa5', g.p)), 8), 16, 10) / 4294967296 < 0.003, ', "limited_edition": true', ''), '}}'),
       '2022-01-01' + INTERVAL floor(g.p / {products} * 1300 * 86400) SECOND,
       IF(conv(left(md5(concat('pd', g.p)), 8), 16, 10) / 4294967296 < 0.02, '2025-06-01', NULL)
FROM (SELECT seq AS p, conv(left(md5(concat('px', seq)), 8), 16, 10) / 4294967296 AS x,
             1 + floor(conv(left(md5(concat('pk1', seq)), 8), 16, 10) / 4294967296 * 20000) AS k1, 1 + floor(conv(left(md5(concat('pk2', seq)), 8), 16, 10) / 4294967296 * 20000) AS k2,
             1 + floor(conv(left(md5(concat('pk3', seq)), 8), 16, 10) / 4294967296 * 20000) AS k3, 1 + floor(conv(left(md5(concat('pw1', seq)), 8), 16, 10) / 4294967296 * 62) AS w1,
             63 + floor(conv(left(md5(concat('pw2', seq)), 8), 16, 10) / 4294967296 * 3000) AS w2
      FROM seq_1_to_{products}) g
JOIN _vocab v1 ON v1.r = g.w1 JOIN _vocab v2 ON v2.r = g.w2
JOIN _sent s1 ON s1.i = g.k1 JOIN _sent s2 ON s2.i = g.k2 JOIN _sent s3 ON s3.i = g.k3;

-- 1-5 tags per product, Zipf over 2,000 tags (tag 1 on a sixth of the products, tag 1,500 on a few dozen)
INSERT IGNORE INTO product_tags (product_id, tag_id)
SELECT p.id, least(2000, floor(exp(conv(left(md5(concat('pt', p.id, '-', k.seq)), 8), 16, 10) / 4294967296 * ln(2001))))
FROM products p JOIN seq_1_to_5 k ON k.seq <= 1 + p.id % 5;

-- orders: ids in time order; customers skewed (power 2.5: low ids buy most); the newest orders
-- are still pending/paid/shipped
INSERT INTO orders (id, customer_id, status, total, shipping_country, created_at, updated_at)
SELECT g.o, 1 + floor({customers} * pow(conv(left(md5(concat('oc', g.o)), 8), 16, 10) / 4294967296, 2.5)),
       CASE WHEN g.o > {orders} - {orders} DIV 200 THEN elt(1 + floor(conv(left(md5(concat('os', g.o)), 8), 16, 10) / 4294967296 * 4), 'pending','paid','paid','shipped')
            WHEN conv(left(md5(concat('os', g.o)), 8), 16, 10) / 4294967296 < 0.04 THEN 'cancelled' WHEN conv(left(md5(concat('or', g.o)), 8), 16, 10) / 4294967296 < 0.02 THEN 'refunded'
            ELSE 'delivered' END,
       round(10 + conv(left(md5(concat('ot1', g.o)), 8), 16, 10) / 4294967296 * conv(left(md5(concat('ot2', g.o)), 8), 16, 10) / 4294967296 * 500, 2),
       elt(least(15, floor(exp(conv(left(md5(concat('on', g.o)), 8), 16, 10) / 4294967296 * ln(16)))), 'US','DE','GB','FR','NL','SE','IT','ES','PL','CA','AU','JP','BR','IS','MT'),
       g.created, g.created + INTERVAL floor(conv(left(md5(concat('ou', g.o)), 8), 16, 10) / 4294967296 * 5 * 86400) SECOND
FROM (SELECT seq AS o, '2023-01-01' + INTERVAL floor(seq / {orders} * 1000 * 86400) SECOND AS created FROM seq_1_to_{orders}) g;

-- 1-5 lines per order; half the lines Zipf over products (best sellers), half uniform
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o.seq, k.seq,
       IF(conv(left(md5(concat('ih', o.seq, '-', k.seq)), 8), 16, 10) / 4294967296 < 0.5,
          least({products}, floor(exp(conv(left(md5(concat('iz', o.seq, '-', k.seq)), 8), 16, 10) / 4294967296 * ln({products} + 1)))),
          1 + floor(conv(left(md5(concat('iu', o.seq, '-', k.seq)), 8), 16, 10) / 4294967296 * {products})),
       1 + floor(conv(left(md5(concat('iq1', o.seq, '-', k.seq)), 8), 16, 10) / 4294967296 * conv(left(md5(concat('iq2', o.seq, '-', k.seq)), 8), 16, 10) / 4294967296 * 4),
       round(5 + conv(left(md5(concat('ip', o.seq, '-', k.seq)), 8), 16, 10) / 4294967296 * 200, 2)
FROM seq_1_to_{orders} o JOIN seq_1_to_5 k ON k.seq <= 1 + o.seq % 5;

-- reviews: Zipf over products; 3 % soft-deleted
INSERT INTO reviews (id, product_id, customer_id, rating, body, created_at, deleted_at)
SELECT g.r, least({products}, floor(exp(conv(left(md5(concat('rp', g.r)), 8), 16, 10) / 4294967296 * ln({products} + 1)))),
       1 + floor(conv(left(md5(concat('rc', g.r)), 8), 16, 10) / 4294967296 * {customers}),
       elt(1 + floor(conv(left(md5(concat('rr', g.r)), 8), 16, 10) / 4294967296 * 8), 5, 5, 5, 4, 4, 3, 2, 1), concat(s1.s, '.'),
       '2023-01-01' + INTERVAL floor(g.r / {reviews} * 1000 * 86400) SECOND,
       IF(conv(left(md5(concat('rd', g.r)), 8), 16, 10) / 4294967296 < 0.03, '2025-09-01', NULL)
FROM (SELECT seq AS r, 1 + floor(conv(left(md5(concat('rk', seq)), 8), 16, 10) / 4294967296 * 20000) AS k1 FROM seq_1_to_{reviews}) g
JOIN _sent s1 ON s1.i = g.k1;

-- The application's FULLTEXT index (search_fulltext's MATCH needs it; built once after the load)
ALTER TABLE products ADD FULLTEXT INDEX products_fulltext (name, description);
DROP TABLE _vocab, _sent;
