-- An online store on MariaDB/MySQL: primary keys only, no secondary indexes (the advisor's starting point).
CREATE TABLE customers  (id int PRIMARY KEY, email varchar(120) NOT NULL, name varchar(100) NOT NULL, country char(2) NOT NULL,
                         created_at datetime NOT NULL);
CREATE TABLE categories (id int PRIMARY KEY, parent_id int, name varchar(100) NOT NULL);
CREATE TABLE products   (id int PRIMARY KEY, category_id int NOT NULL, sku varchar(20) NOT NULL, name varchar(200) NOT NULL,
                         description text NOT NULL, price decimal(10,2) NOT NULL, stock int NOT NULL, status varchar(10) NOT NULL,
                         created_at datetime NOT NULL);
CREATE TABLE orders     (id int PRIMARY KEY, customer_id int NOT NULL, status varchar(10) NOT NULL, total decimal(12,2) NOT NULL,
                         shipping_country char(2) NOT NULL, created_at datetime NOT NULL);
CREATE TABLE order_items (order_id int NOT NULL, line_no smallint NOT NULL, product_id int NOT NULL, quantity int NOT NULL,
                          unit_price decimal(10,2) NOT NULL, PRIMARY KEY (order_id, line_no));
CREATE TABLE reviews    (id int PRIMARY KEY, product_id int NOT NULL, customer_id int NOT NULL, rating tinyint NOT NULL,
                         body varchar(500) NOT NULL, created_at datetime NOT NULL);
