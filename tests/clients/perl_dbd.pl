#!/usr/bin/perl
# Perl DBI + DBD::SQLite: connect, DDL, parameterised DML, SELECT,
# transactions, a user function, error reporting.
use strict; use warnings;
use DBI;
my $dbh = DBI->connect("dbi:SQLite:dbname=:memory:", "", "", { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
my ($src) = $dbh->selectrow_array("SELECT sqlite_source_id()");
print "SOURCE $src\n";
print "version $dbh->{sqlite_version}\n";
$dbh->do("CREATE TABLE acct(id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INT CHECK (balance >= 0))");
my $ins = $dbh->prepare("INSERT INTO acct(owner, balance) VALUES(?, ?)");
$ins->execute($_->[0], $_->[1]) for (["ann", 100], ["bob", 50], ["cy", 0]);
print "last id ", $dbh->sqlite_last_insert_rowid, "\n";
my $rows = $dbh->selectall_arrayref("SELECT id, owner, balance FROM acct ORDER BY id");
print join("|", map { defined $_ ? $_ : "NULL" } @$_), "\n" for @$rows;
my $sth = $dbh->prepare("SELECT owner FROM acct WHERE balance > ? ORDER BY owner");
$sth->execute(10);
print "rich: ", join(",", map { $_->[0] } @{ $sth->fetchall_arrayref }), "\n";
print "names: ", join(",", @{ $sth->{NAME} }), "\n";
$dbh->begin_work;
$dbh->do("UPDATE acct SET balance = balance - 30 WHERE owner = ?", undef, "ann");
$dbh->do("UPDATE acct SET balance = balance + 30 WHERE owner = ?", undef, "cy");
$dbh->commit;
$dbh->begin_work;
$dbh->do("DELETE FROM acct");
$dbh->rollback;
print "after: ", join(",", map { "$_->[0]=$_->[1]" } @{ $dbh->selectall_arrayref("SELECT owner, balance FROM acct ORDER BY id") }), "\n";
$dbh->sqlite_create_function("shout", 1, sub { uc($_[0]) . "!" });
print "shout: ", ($dbh->selectrow_array("SELECT shout(owner) FROM acct WHERE id = 2"))[0], "\n";
$dbh->sqlite_create_aggregate("cnt", 1, "Cnt");
package Cnt; sub new { bless { n => 0 }, shift } sub step { $_[0]{n}++ } sub finalize { $_[0]{n} } package main;
print "cnt: ", ($dbh->selectrow_array("SELECT cnt(owner) FROM acct"))[0], "\n";
for my $sql ("SELEC 1", "UPDATE acct SET balance = -1", "SELECT * FROM nosuch", "INSERT INTO acct(owner) VALUES(NULL)") {
    eval { $dbh->do($sql); print "no error?\n"; 1 } or print "error ", $dbh->err, ": ", $dbh->errstr, "\n";
}
$dbh->disconnect;
print "done\n";
