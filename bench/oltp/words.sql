-- Shared text pools (temporary, this session only). vocab(r, w): the vocabulary in Zipf rank order
-- (common.vocabulary(): a few very common real words, then thousands of rarer pseudo-words), passed
-- in as {vocab}; sent(i, s): 20,000 sentences of 8 words, each word drawn with P(rank k) ~ 1/k, so
-- titles and bodies have popular and rare words for full-text and ILIKE search. Generators join
-- these by random keys (hash joins): subscripting a large array per row would detoast it each time.
CREATE TEMP TABLE vocab AS SELECT r::int AS r, w FROM unnest({vocab}::text[]) WITH ORDINALITY u(w, r);
CREATE TEMP TABLE sent AS
SELECT g.i, string_agg(v.w, ' ' ORDER BY g.j) AS s
FROM (SELECT i, j, least((SELECT count(*) FROM vocab), floor(exp(random() * ln((SELECT count(*) FROM vocab) + 1))))::int AS r
      FROM generate_series(1, 20000) i, generate_series(1, 8) j) g
JOIN vocab v ON v.r = g.r GROUP BY g.i;
ANALYZE vocab;
ANALYZE sent;
