<?php
// PHP's PDO sqlite driver: connect, DDL, parameterised DML, SELECT,
// transactions, a user function, error reporting.
$db = new PDO('sqlite::memory:');
$db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
echo "SOURCE ", $db->query("SELECT sqlite_source_id()")->fetchColumn(), "\n";
echo "server ", $db->getAttribute(PDO::ATTR_SERVER_VERSION), "\n";
$db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INT)");
$st = $db->prepare("INSERT INTO t(name, n) VALUES(?, ?)");
foreach ([["a", 1], ["b", 2], ["c", null]] as $r) { $st->execute($r); }
echo "lastInsertId ", $db->lastInsertId(), "\n";
$st = $db->prepare("SELECT id, name, n FROM t WHERE id >= :min ORDER BY id");
$st->execute([':min' => 2]);
foreach ($st->fetchAll(PDO::FETCH_ASSOC) as $row) echo json_encode($row), "\n";
$st = $db->query("SELECT 1.5 AS r, x'ff00' AS b, NULL AS z");
$row = $st->fetch(PDO::FETCH_NUM);
echo "types ", gettype($row[0]), " ", bin2hex($row[1]), " ", var_export($row[2], true), "\n";
$meta = $st->getColumnMeta(0);
echo "meta ", $meta['name'], " ", $meta['native_type'], "\n";
$db->beginTransaction();
$db->exec("UPDATE t SET n = 100");
$db->rollBack();
echo "after rollback ", $db->query("SELECT sum(n) FROM t")->fetchColumn(), "\n";
$db->beginTransaction();
$n = $db->exec("DELETE FROM t WHERE n IS NULL");
$db->commit();
echo "deleted $n, left ", $db->query("SELECT count(*) FROM t")->fetchColumn(), "\n";
$db->sqliteCreateFunction('rev', 'strrev', 1);
echo "rev ", $db->query("SELECT rev('loom')")->fetchColumn(), "\n";
$db->sqliteCreateCollation('backwards', function ($a, $b) { return strcmp($b, $a); });
echo "collation ", implode(",", $db->query("SELECT name FROM t ORDER BY name COLLATE backwards")->fetchAll(PDO::FETCH_COLUMN)), "\n";
foreach (["SELEC 1", "INSERT INTO t(name) VALUES('a')", "SELECT nope FROM t"] as $sql) {
    try { $db->exec($sql); echo "no error?\n"; }
    catch (PDOException $e) { echo "error ", $e->getCode(), ": ", $e->getMessage(), "\n"; }
}
echo "done\n";
