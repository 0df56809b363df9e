-- Skewed data from MariaDB's sequence engine; {customers}, {products}, {orders}, {reviews} are row counts.
-- h(x) = CRC32(x) / 2^32 is a deterministic uniform draw in [0, 1); POW(h, k) skews towards low ids.
INSERT INTO categories SELECT seq, IF(seq <= 30, NULL, 1 + seq % 30), concat('category ', seq) FROM seq_1_to_600;
INSERT INTO customers SELECT seq, concat('user', seq, '@example.com'), concat('Customer ', seq),
  IF(CRC32(concat('c', seq)) % 1000 = 0, 'MT', elt(1 + CRC32(concat('k', seq)) % 8, 'US', 'US', 'US', 'DE', 'GB', 'FR', 'IT', 'ES')),
  '2020-01-01' + INTERVAL (seq * 7) MINUTE FROM seq_1_to_{customers};
INSERT INTO products SELECT seq, 31 + CRC32(concat('cat', seq)) % 570, concat('SKU-', LPAD(seq, 7, '0')),
  concat(elt(1 + seq % 12, 'Blue', 'Red', 'Green', 'Black', 'White', 'Silver', 'Golden', 'Tiny', 'Large', 'Smart', 'Classic', 'Eco'),
         ' ', elt(1 + CRC32(concat('n', seq)) % 10, 'lamp', 'chair', 'mug', 'shirt', 'phone case', 'kettle', 'desk', 'pen', 'bag', 'clock'), ' ', seq),
  repeat('A fine product. ', 8), 5 + (CRC32(concat('p', seq)) % 20000) / 100, CRC32(concat('s', seq)) % 500,
  IF(CRC32(concat('st', seq)) % 10 = 0, 'retired', 'active'), '2021-01-01' + INTERVAL seq * 13 MINUTE FROM seq_1_to_{products};
INSERT INTO orders SELECT seq, 1 + FLOOR(POW(CRC32(concat('oc', seq)) / 4294967296, 3) * {customers}),
  IF(seq > {orders} - 2000, elt(1 + seq % 3, 'pending', 'paid', 'paid'), IF(seq % 500 = 0, 'pending', 'delivered')),
  10 + CRC32(concat('t', seq)) % 50000 / 100,
  IF(CRC32(concat('oc', seq)) % 1000 = 0, 'MT', elt(1 + seq % 5, 'US', 'US', 'DE', 'GB', 'FR')),
  '2023-01-01' + INTERVAL seq * 90 SECOND FROM seq_1_to_{orders};
INSERT INTO order_items SELECT o.seq, l.seq, 1 + FLOOR(POW(CRC32(concat(o.seq, '-', l.seq)) / 4294967296, 4) * {products}),
  1 + (o.seq + l.seq) % 3, 9.99 FROM seq_1_to_{orders} o JOIN seq_1_to_3 l;
INSERT INTO reviews SELECT seq, 1 + FLOOR(POW(CRC32(concat('rp', seq)) / 4294967296, 4) * {products}),
  1 + CRC32(concat('rc', seq)) % {customers}, 1 + seq % 5, repeat('Good. ', 10), '2023-01-01' + INTERVAL seq * 3 MINUTE
  FROM seq_1_to_{reviews};
