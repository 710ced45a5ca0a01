<?php
// PHP's sqlite3 extension (SQLite3 class): connect, DDL, parameterised DML,
// SELECT, transactions, a user function, error reporting.
$db = new SQLite3(':memory:');
$db->enableExceptions(true);
$r = $db->querySingle("SELECT sqlite_source_id()");
echo "SOURCE $r\n";
echo "version ", SQLite3::version()['versionString'], "\n";
$db->exec("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, price REAL, qty INT, data BLOB)");
$st = $db->prepare("INSERT INTO item(name, price, qty, data) VALUES(:n, :p, :q, :d)");
foreach ([["apple", 0.5, 10, "\x00\x01"], ["pear", 0.75, null, null], ["fig", 2.25, 3, "x"]] as $row) {
    $st->bindValue(':n', $row[0], SQLITE3_TEXT);
    $st->bindValue(':p', $row[1], SQLITE3_FLOAT);
    $st->bindValue(':q', $row[2], $row[2] === null ? SQLITE3_NULL : SQLITE3_INTEGER);
    $st->bindValue(':d', $row[3], $row[3] === null ? SQLITE3_NULL : SQLITE3_BLOB);
    $st->execute();
    $st->reset();
}
echo "last id ", $db->lastInsertRowID(), " changes ", $db->changes(), "\n";
$res = $db->query("SELECT id, name, price, qty, hex(data) AS h, typeof(qty) AS t FROM item ORDER BY id");
while ($row = $res->fetchArray(SQLITE3_ASSOC)) {
    echo json_encode($row), "\n";
}
$q = $db->prepare("SELECT name FROM item WHERE price > ? ORDER BY name");
$q->bindValue(1, 0.6);
$res = $q->execute();
while ($row = $res->fetchArray(SQLITE3_NUM)) echo "dear: ", $row[0], "\n";
echo "cols ", $res->numColumns(), " ", $res->columnName(0), "\n";
$db->exec("BEGIN");
$db->exec("UPDATE item SET qty = qty + 1");
$db->exec("ROLLBACK");
echo "after rollback: ", $db->querySingle("SELECT sum(qty) FROM item"), "\n";
$db->exec("BEGIN");
$db->exec("DELETE FROM item WHERE name = 'pear'");
$db->exec("COMMIT");
echo "after commit: ", $db->querySingle("SELECT count(*) FROM item"), "\n";
$db->createFunction('twice', function ($x) { return $x * 2; }, 1);
echo "twice: ", $db->querySingle("SELECT twice(21)"), "\n";
$db->createAggregate('joined', function ($ctx, $n, $v) { $ctx = ($ctx === null ? '' : $ctx . '+') . $v; return $ctx; },
    function ($ctx, $n) { return $ctx; }, 1);
echo "joined: ", $db->querySingle("SELECT joined(name) FROM (SELECT name FROM item ORDER BY name)"), "\n";
foreach (["SELEC 1", "INSERT INTO item(name) VALUES('apple')", "SELECT * FROM nosuch", "INSERT INTO item(name) VALUES(NULL)"] as $sql) {
    try {
        $db->exec($sql);
        echo "no error?\n";
    } catch (Exception $e) {
        echo "error: ", $e->getMessage(), " code ", $db->lastErrorCode(), "\n";
    }
}
$db->close();
echo "done\n";
