-- read by .read from session.sql
CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);
INSERT INTO notes(body) VALUES('first'), ('second line'), (NULL);
SELECT count(*) AS n_notes FROM notes;
