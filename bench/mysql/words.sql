-- Shared text pools for shop/ and tracker/ (MariaDB port of ../oltp/words.sql), as ordinary tables
-- (MariaDB cannot open a TEMPORARY table twice in one statement; the generator joins them several
-- times) that generate.sql drops at its end. _vocab(r, w): bench/oltp/common.vocabulary() in Zipf
-- rank order, 62 common real words then 8,000 pseudo-words built from the same 20 syllables;
-- _sent(i, s): 20,000 sentences of 8 words, word rank k drawn with P(k) ~ 1/k.
-- h(tag, x) = conv(left(md5(concat(tag, x)), 8), 16, 10) / 2^32 is a deterministic uniform draw in [0, 1) (same data every load; not CRC32, whose draws for tags of one length are correlated: CRC is linear).
CREATE TABLE _vocab (r int PRIMARY KEY, w varchar(20) NOT NULL);
INSERT INTO _vocab SELECT seq, elt(seq, 'error','crash','login','page','slow','timeout','update','payment','user','report',
  'export','import','search','button','email','mobile','server','database','cache','deploy','build','release','test','broken',
  'missing','feature','request','support','invoice','account','password','dashboard','sync','upload','download','notification',
  'permission','settings','profile','order','checkout','shipping','delivery','refund','price','discount','cotton','leather',
  'wooden','steel','organic','vintage','wireless','portable','kitchen','garden','office','travel','outdoor','premium','classic',
  'compact') FROM seq_1_to_62;
INSERT INTO _vocab SELECT 63 + k.seq, concat(elt(1 + k.seq % 20, 'ka','lo','mi','ne','ru','ta','vo','zi','pe','sa','do','fu','gri','bla','tor','vex','qui','mon','dar','lix'), elt(1 + (k.seq DIV 20) % 20, 'ka','lo','mi','ne','ru','ta','vo','zi','pe','sa','do','fu','gri','bla','tor','vex','qui','mon','dar','lix'),
  elt(1 + (k.seq DIV 400) % 20, 'ka','lo','mi','ne','ru','ta','vo','zi','pe','sa','do','fu','gri','bla','tor','vex','qui','mon','dar','lix'), 'x') FROM seq_0_to_7999 k;
CREATE TABLE _sent (i int PRIMARY KEY, s varchar(400) NOT NULL);
INSERT INTO _sent SELECT g.i, group_concat(v.w ORDER BY g.j SEPARATOR ' ')
FROM (SELECT a.seq AS i, b.seq AS j, least(8062, floor(exp(conv(left(md5(concat('w', a.seq, '-', b.seq)), 8), 16, 10) / 4294967296 * ln(8063)))) AS r
      FROM seq_1_to_20000 a JOIN seq_1_to_8 b) g
JOIN _vocab v ON v.r = g.r GROUP BY g.i;
