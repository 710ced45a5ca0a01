-- Scripted sqlite3 shell session, run by tests/shell/run.sh once on the
-- system libsqlite3 and once on loom's; outputs must be byte-identical.
-- "-- SECTION name" lines split the output into compared sections.
.print -- SECTION ddl
CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INT, score REAL, photo BLOB);
INSERT INTO people VALUES(1,'Ann',31,4.5,x'00ff10'),(2,'Bob',NULL,3.25,NULL),(3,'Cé',27,NULL,x''),(4,'O''Hara',45,-0.5,NULL);
CREATE INDEX people_age ON people(age);
CREATE UNIQUE INDEX people_name ON people(name);
CREATE TABLE pets(id INTEGER PRIMARY KEY, owner INT REFERENCES people(id), kind TEXT DEFAULT 'cat');
INSERT INTO pets(owner, kind) VALUES(1,'dog'),(1,NULL),(4,'fish');
CREATE TRIGGER pets_ins AFTER INSERT ON pets BEGIN UPDATE people SET age = age + 1 WHERE id = new.owner; END;
.print -- SECTION tables
.tables
.tables pe%
.print -- SECTION schema
.schema
.schema pets
.schema --indent people
.print -- SECTION indexes
.indexes
.indexes people
.print -- SECTION modes
.headers on
.mode box
SELECT id, name, age, score FROM people ORDER BY id;
.mode csv
SELECT * FROM people ORDER BY id;
.mode json
SELECT id, name, age, score, photo FROM people ORDER BY id;
.mode line
SELECT * FROM pets ORDER BY id;
.mode table
SELECT p.name, count(x.id) AS pets FROM people p LEFT JOIN pets x ON x.owner = p.id GROUP BY p.id ORDER BY p.id;
.headers off
.mode list
SELECT name, age FROM people ORDER BY name;
.mode column
.headers on
SELECT id, name, score FROM people ORDER BY id;
.mode insert people2
SELECT * FROM people ORDER BY id;
.mode quote
SELECT * FROM people ORDER BY id;
.mode markdown
SELECT id, name FROM people ORDER BY id;
.mode tabs
SELECT id, name FROM people ORDER BY id;
.mode html
SELECT id, name FROM people WHERE id < 3 ORDER BY id;
.mode list
.headers off
.print -- SECTION import
.import --csv @HERE@/cities.csv cities
.schema cities
SELECT * FROM cities ORDER BY name;
SELECT typeof(population), count(*) FROM cities GROUP BY 1 ORDER BY 1;
CREATE TABLE city2(name TEXT, country TEXT, population INT, area REAL);
.import --csv --skip 1 @HERE@/cities.csv city2
SELECT name, population, typeof(population), area FROM city2 ORDER BY rowid;
.print -- SECTION read
.read @HERE@/extra.sql
SELECT * FROM notes ORDER BY id;
.print -- SECTION dump
-- (views come after .schema: the shell's .schema annotates views by running
-- PRAGMA table_info inside a SQL function, which loom refuses: re-entrant
-- execution on one connection is not supported yet.)
CREATE VIEW adults AS SELECT name, age FROM people WHERE age >= 18;
SELECT * FROM adults ORDER BY name;
.dump
.dump pets
.print -- SECTION fullschema
.fullschema
.print -- SECTION backup
.backup main @TMP@/backup.db
DELETE FROM pets;
DROP TABLE notes;
SELECT count(*) FROM pets;
.restore main @TMP@/backup.db
SELECT count(*) FROM pets;
SELECT count(*) FROM notes;
.tables
.print -- SECTION errors
SELECT * FROM nosuch;
INSERT INTO people(id, name) VALUES(1, 'dup');
SELECT 1 +;
.print -- SECTION misc
.show
.nullvalue NULL
SELECT NULL, 1;
.separator ;
SELECT 1, 2;
.separator |
.width 5 10
.mode column
SELECT 'abcdefg', 'x';
.mode list
PRAGMA user_version = 7;
PRAGMA user_version;
