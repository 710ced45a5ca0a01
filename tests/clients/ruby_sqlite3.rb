# Ruby's sqlite3 gem: connect, DDL, parameterised DML, SELECT,
# transactions, a user function, error reporting.
require 'sqlite3'
db = SQLite3::Database.new(':memory:')
puts "SOURCE #{db.get_first_value('SELECT sqlite_source_id()')}"
puts "version #{SQLite3::SQLITE_VERSION} lib #{db.get_first_value('SELECT sqlite_version()')}"
db.execute_batch <<~SQL
  CREATE TABLE book(id INTEGER PRIMARY KEY, title TEXT NOT NULL, year INT, rating REAL);
  CREATE INDEX book_year ON book(year);
SQL
[['Dune', 1965, 4.5], ['Emma', 1815, nil], ['Ubik', 1969, 4.0]].each do |t, y, r|
  db.execute('INSERT INTO book(title, year, rating) VALUES(?, ?, ?)', [t, y, r])
end
db.execute('INSERT INTO book(title, year) VALUES(:t, :y)', 't' => 'Solaris', 'y' => 1961)
puts "last id #{db.last_insert_row_id} changes #{db.changes} total #{db.total_changes}"
db.execute('SELECT id, title, year, rating FROM book ORDER BY year').each { |row| p row }
stmt = db.prepare('SELECT title FROM book WHERE year > ? ORDER BY title')
puts "after 1900: #{stmt.execute(1900).to_a.flatten.join(',')}"
puts "columns: #{stmt.columns.inspect} types: #{stmt.types.inspect}"
stmt.close
db.results_as_hash = true
p db.execute('SELECT title, rating FROM book WHERE id = 1').first
db.results_as_hash = false
begin
  db.transaction do
    db.execute('UPDATE book SET rating = 0')
    raise 'abort'
  end
rescue RuntimeError
end
puts "after rollback: #{db.get_first_value('SELECT sum(rating) FROM book')}"
db.transaction { db.execute('DELETE FROM book WHERE rating IS NULL') }
puts "after commit: #{db.get_first_value('SELECT count(*) FROM book')}"
db.create_function('initials', 1) { |f, s| f.result = s.to_s.chars.select { |c| c =~ /[A-Z]/ }.join }
puts "initials: #{db.get_first_value("SELECT initials('Hello World')")}"
['SELEC 1', 'SELECT * FROM nosuch', 'INSERT INTO book(title) VALUES(NULL)'].each do |sql|
  begin
    db.execute(sql)
    puts 'no error?'
  rescue SQLite3::Exception => e
    puts "error #{e.class}: #{e.message} (code #{e.code})"
  end
end
db.close
puts 'done'
