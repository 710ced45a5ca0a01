-- Reproductions once listed as known bugs by tests/differential.rs
-- (features in_lists and group_by), kept as regressions.
CREATE TABLE t(c4 INTEGER COLLATE NOCASE);
INSERT INTO t VALUES('ABC'), (5);
SELECT DISTINCT 'abc' NOT IN (100, 1.0, c4, x'31') FROM t;
SELECT 'abc' IN (c4, 5), 5 IN (c4, 'x'), NULL IN (c4) FROM t ORDER BY rowid;
CREATE TABLE g(k, v);
INSERT INTO g VALUES(0, 'a'), (-0.0, 'b'), (0.0, 'c'), (NULL, 'd'), (NULL, 'e');
INSERT INTO g VALUES(2, 'f');
SELECT k, count(*) FROM g GROUP BY k ORDER BY 2;
SELECT k, typeof(k), count(*), max(v) FROM g GROUP BY k ORDER BY 3;
SELECT k, (SELECT count(*) FROM g AS h WHERE h.k IS g.k), sum(length(v)) FROM g GROUP BY k ORDER BY 3;
SELECT max(v), (SELECT count(*) FROM g AS h WHERE h.k IS g.k) FROM g;
SELECT count(*), (SELECT group_concat(v) FROM g AS h WHERE h.k IS g.k) FROM g WHERE k > 1;
SELECT k, (SELECT count(*) + g.k FROM g AS h WHERE h.k = g.k) FROM g GROUP BY k;
SELECT k FROM g GROUP BY k HAVING (SELECT count(*) FROM g AS h WHERE h.k IS g.k) > 1;
SELECT k, EXISTS (SELECT 1 FROM g AS h WHERE h.v > g.v AND h.k IS g.k) FROM g GROUP BY k ORDER BY (SELECT max(v) FROM g AS h WHERE h.k IS g.k);
SELECT k, k IN (SELECT h.k FROM g AS h WHERE h.v = 'f') FROM g GROUP BY k;
