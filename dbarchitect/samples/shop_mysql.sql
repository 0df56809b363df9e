-- The MariaDB/MySQL sample for `make demo`: a small shop with the mistakes a MySQL architect catches.
CREATE TABLE customers (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email varchar(255) NOT NULL,
  name varchar(100) NOT NULL,
  UNIQUE KEY customers_email (email(100))
);
CREATE TABLE orders (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id int unsigned NOT NULL,
  coupon_id int unsigned NULL,
  total float NOT NULL,
  status varchar(20) NOT NULL,
  created_at timestamp NOT NULL DEFAULT current_timestamp(),
  KEY orders_customer (customer_id),
  KEY orders_customer_created (customer_id, created_at),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE TABLE coupons (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, code varchar(20) NOT NULL) DEFAULT CHARSET=utf8mb3;
CREATE TABLE audit_log (happened_at datetime NOT NULL, actor varchar(100) NOT NULL, action varchar(200) NOT NULL) ENGINE=MyISAM;
INSERT INTO customers (email, name) SELECT concat('user', seq, '@example.com'), concat('User ', seq) FROM seq_1_to_2000;
INSERT INTO orders (customer_id, coupon_id, total, status, created_at)
  SELECT 1 + seq % 2000, IF(seq % 10 = 0, 1 + seq % 5, NULL), (seq % 500) / 3, ELT(1 + seq % 3, 'new', 'paid', 'shipped'),
         '2024-01-01' + INTERVAL seq MINUTE
    FROM seq_1_to_30000;
INSERT INTO coupons (code) VALUES ('WELCOME'), ('SPRING'), ('SUMMER'), ('AUTUMN'), ('WINTER');
ANALYZE TABLE customers, orders, coupons;
