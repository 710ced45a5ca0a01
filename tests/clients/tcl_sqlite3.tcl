# Tcl's sqlite3 package: connect, DDL, parameterised DML, SELECT,
# transactions, a user function, error reporting.
package require sqlite3
sqlite3 db :memory:
puts "SOURCE [db onecolumn {SELECT sqlite_source_id()}]"
puts "version [db version]"
db eval {CREATE TABLE kv(k TEXT PRIMARY KEY, v, n INT)}
foreach {k v n} {alpha 1 10 beta two 20 gamma 3.5 30} {
  db eval {INSERT INTO kv VALUES($k, $v, $n)}
}
set blob [binary format c3 {1 2 3}]
db eval {INSERT INTO kv VALUES('blob', @blob, NULL)}
puts "changes [db changes] total [db total_changes] last [db last_insert_rowid]"
db eval {SELECT k, v, typeof(v) AS t, n FROM kv ORDER BY k} row {
  puts "$row(k) $row(t) [expr {$row(t) eq "blob" ? "(blob)" : $row(v)}] $row(n)"
}
set lim 15
puts "big: [db eval {SELECT k FROM kv WHERE n > $lim ORDER BY k}]"
db transaction {
  db eval {UPDATE kv SET n = n * 2}
}
catch {
  db transaction {
    db eval {DELETE FROM kv}
    error "abort"
  }
}
puts "after: [db eval {SELECT n FROM kv ORDER BY k}]"
db function twice {apply {{x} {expr {$x * 2}}}}
puts "twice: [db onecolumn {SELECT twice(n) FROM kv WHERE k = 'beta'}]"
db collate rev {apply {{a b} {string compare $b $a}}}
puts "rev order: [db eval {SELECT k FROM kv ORDER BY k COLLATE rev}]"
foreach sql {{SELEC 1} {SELECT * FROM nosuch} {INSERT INTO kv VALUES('alpha', 0, 0)}} {
  if {[catch {db eval $sql} msg]} {
    puts "error: $msg ([db errorcode])"
  } else {
    puts "no error?"
  }
}
puts "complete: [db complete {SELECT 1;}] [db complete {SELECT (}]"
db close
puts done
