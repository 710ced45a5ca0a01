CREATE TABLE a(x, y);
CREATE TABLE b(p, q);
INSERT INTO a VALUES (1, 'one'), (2, 'two'), (3, 'three'), (NULL, 'none'), ('2', 'text two');
INSERT INTO b VALUES (2, 'B2'), (3, 'B3'), (3, 'B3b'), (NULL, 'Bnull'), (4, 'B4'), ('3', 'Btext3');
SELECT a.y, b.q FROM a, b WHERE a.x = b.p ORDER BY 1, 2;
SELECT a.y, b.q FROM a JOIN b ON b.p = a.x WHERE a.x > 1 ORDER BY 1, 2;
SELECT a.y, (SELECT count(*) FROM b WHERE b.p = a.x) FROM a ORDER BY 1;
SELECT a.y, b.q FROM a LEFT JOIN b ON b.p = a.x ORDER BY 1, 2;
