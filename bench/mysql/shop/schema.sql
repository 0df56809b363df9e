-- The shop of bench/oltp/shop on MariaDB: primary keys only. The one secondary index that exists in
-- every configuration is the FULLTEXT index generate.sql adds at the end: search_fulltext's
-- MATCH … AGAINST cannot run on InnoDB without it (error 1191), so it is part of the application's
-- schema, not an index choice. Strings use the server's utf8mb4_general_ci: case-insensitive
-- comparisons (the PostgreSQL workload's lower(email) = lower($1) and ILIKE are plain = and LIKE here).
CREATE TABLE customers  (id bigint AUTO_INCREMENT PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL,
                         country char(2) NOT NULL, created_at datetime NOT NULL, deleted_at datetime NULL);
CREATE TABLE categories (id int PRIMARY KEY, parent_id int, name varchar(100) NOT NULL);
CREATE TABLE products   (id bigint AUTO_INCREMENT PRIMARY KEY, category_id int NOT NULL, sku varchar(20) NOT NULL,
                         name varchar(200) NOT NULL, description text NOT NULL, price decimal(10,2) NOT NULL,
                         status varchar(20) NOT NULL, attrs json NOT NULL DEFAULT '{}', created_at datetime NOT NULL,
                         deleted_at datetime NULL);
CREATE TABLE tags       (id int PRIMARY KEY, name varchar(40) NOT NULL);
CREATE TABLE product_tags (product_id bigint NOT NULL, tag_id int NOT NULL, PRIMARY KEY (product_id, tag_id));
CREATE TABLE orders     (id bigint AUTO_INCREMENT PRIMARY KEY, customer_id bigint NOT NULL, status varchar(20) NOT NULL,
                         total decimal(12,2) NOT NULL, shipping_country char(2) NOT NULL, created_at datetime NOT NULL,
                         updated_at datetime NOT NULL);
CREATE TABLE order_items (order_id bigint NOT NULL, line_no smallint NOT NULL, product_id bigint NOT NULL, quantity int NOT NULL,
                          unit_price decimal(10,2) NOT NULL, PRIMARY KEY (order_id, line_no));
CREATE TABLE reviews    (id bigint AUTO_INCREMENT PRIMARY KEY, product_id bigint NOT NULL, customer_id bigint NOT NULL,
                         rating smallint NOT NULL, body varchar(400) NOT NULL, created_at datetime NOT NULL, deleted_at datetime NULL);
