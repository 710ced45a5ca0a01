# Generates cases_*.rs: expected results from the system SQLite 3.40.1.
import sqlite3, math, sys
c = sqlite3.connect(':memory:'); c.text_factory = bytes
S = []   # scalar cases: (name, args)
A = []   # aggregate cases: (name, rows)
def s(name, *args): S.append((name, list(args)))
vals = [None, 0, 1, -1, 42, -9223372036854775808, 9223372036854775807, 0.0, 1.5, -2.5, 1e100,
        '', 'abc', 'héllo', '  pad  ', '12', '-3.5', '1e3', 'x12', b'', b'\x00\xff', b'abc']
for f in ['abs', 'length', 'lower', 'upper', 'typeof', 'quote', 'hex', 'unicode', 'trim', 'ltrim',
          'rtrim', 'round', 'zeroblob', 'likely', 'unlikely', 'ceil', 'floor', 'trunc', 'ln', 'log',
          'log2', 'exp', 'sqrt', 'sin', 'degrees', 'char']:
    for v in vals:
        if f == 'zeroblob' and isinstance(v, int) and v > 1000: continue
        s(f, v)
for x in [2.5, -2.5, 0.5, 1.005, 2.675, 1234.5678, -0.5, 1e20, 123.456, 'abc', None, 3]:
    for n in [None, -1, 0, 1, 2, 3, 10, 40]:
        s('round', x, n)
for x in ['hello', 'héllo', b'\x01\x02\x03\x04\x05', 12345, '', None]:
    for a in [None, -10, -3, -1, 0, 1, 2, 3, 6, 9223372036854775807, -9223372036854775808, 1.9]:
        s('substr', x, a)
        for b in [None, -2, 0, 1, 2, 10]:
            s('substr', x, a, b)
for x in ['xxabxx', 'éaé', 'abc', 123, None, '']:
    for ch in ['x', 'é', '', None, 'ab', 1]:
        s('trim', x, ch); s('ltrim', x, ch); s('rtrim', x, ch)
for h in ['abcabc', 'éa', '', 123, b'\x01\x02\x03', None, 'a\u00e9b']:
    for n in ['c', '', 'bc', 'a', 2, b'\x02', None, 'é', 'zz']:
        s('instr', h, n)
for x in ['abcabc', 'aaa', '', 123, None, b'abc']:
    for p in ['b', '', 'a', 'aa', None, 2]:
        for r in ['XY', '', None, 9]:
            s('replace', x, p, r)
s('char'); s('char', 65, 0x20ac, -1, 1114112, None, 'x', 66.9); s('char', 0x10ffff, 0xd800, 0)
for a in [None, 1, 'a', 2.5, b'\x00']:
    for b in [None, 1, 'A', 'a', 2.5, 1.0]:
        s('nullif', a, b); s('max', a, b); s('min', a, b); s('coalesce', a, b); s('ifnull', a, b)
        s('iif', a, b, 'no')
s('max', 1, 2.5, '3'); s('min', 1, 1.0); s('max', 1.0, 1); s('max', 'a', b'\x00'); s('min', 3, 2, 1, None)
s('coalesce', None, None, 3, 4); s('coalesce', None, None)
for p, t in [('A%', 'abc'), ('a_c', 'abc'), ('%', ''), ('%é%', 'xÉx'), ('%é%', 'xéx'), ('ABC', 'abc'),
             ('a%c%e', 'abcde'), ('_', 'é'), ('%%a', 'ba'), ('a', None), (None, 'a'), ('[a]', 'a'),
             ('%b', 'abcabc'), ('%_%', ''), ('x%', 'X'), (12, 12), ('1%', 123), ('%a%b%c%', 'aabbcc')]:
    s('like', p, t)
for p, t, e in [('a\\%', 'a%', '\\'), ('a\\%', 'ab', '\\'), ('a%%', 'a%', '%'), ('a__', 'a_', '_'),
                ('%x_%', 'ax_b', 'x'), ('a', 'a', 'x'), ('a', 'a', None), ('a', 'a', 'xy'), ('a', 'a', ''),
                ('éa', 'éa', 'é'), ('é%', '%', 'é')]:
    s('like', p, t, e)
for p, t in [('a*', 'abc'), ('[a-c]?', 'bz'), ('[^a]*', 'abc'), ('a[]]b', 'a]b'), ('*.txt', 'x.TXT'),
             ('*', ''), ('?', ''), ('[!a]', 'b'), ('[a-]', '-'), ('[]-a]', 'X'), ('*[xy]', 'abcy'),
             ('*[xy]', 'abcz'), ('a?c', 'aéc'), ('[é]', 'é'), ('[a-z][0-9]', 'q7'), ('abc', 'ABC'),
             (None, 'a'), ('*a*', None), ('[^]]x', 'ax'), ('[', '['), ('a[', 'a'), ('**a', 'ba')]:
    s('glob', p, t)
for fmt, args in [('%d|%s|%5.2f', [42, 'x', 3.14159]), ('%q', ["it's"]), ('%Q', [None]), ('', []),
                  ('%s', ['']), ('%c', ['hello']), ('%.3s', ['abcdef']), ('%d', []), ('%hd', [1]),
                  ('%,d', [1234567]), ('%!.3s', ['éàüx'])]:
    s('printf', fmt, *args); s('format', fmt, *args)
s('printf', None, 1); s('printf', 12); s('typeof', 1.0)
for a, b in [(2, 0.5), (7, 3), (-7, 3), (7.5, 2), (1, 0), ('2', '3'), ('x', 1), (None, 1), (0, 0)]:
    s('pow', a, b); s('mod', a, b); s('atan2', a, b); s('log', a, b)
s('pi'); s('sqlite_version')
s('abs', -9223372036854775808)

for name in ['count', 'sum', 'total', 'avg', 'max', 'min', 'group_concat']:
    for rows in [[], [None], [1, 2, 3], [1, 2.5], [1, None, 3], ['1', '2'], ['a', 'b'], ['1.5', 2],
                 [9223372036854775807, 1], [9223372036854775807, 1.0], [b'ab', 'c'], [1, 'x', 2.5],
                 [-9223372036854775808, -1], ['', ''], [3, 1, 2, 1.0]]:
        A.append((name, [[r] for r in rows]))
A.append(('count', [[], [], []]))
for rows in [[['a', '-'], ['b', '+'], ['c', None]], [['a', 1], [None, 2], ['c', 3]], [['', ','], ['', ',']]]:
    A.append(('group_concat', rows))

D = []
tvs = ['2000-01-01', '2000-01-01 10:20', '2000-01-01 10:20:30', '2000-01-01 10:20:30.123', '2000-01-01T10:20:30.5Z',
       '2013-10-07 04:23:19.120-04:00', '2013-10-07 08:23:19.120+14:00', '12:34', '12:34:56.789', '-0001-06-15',
       '-4713-11-24 12:00:00', '9999-12-31 23:59:59.999', '2000-02-30', '2000-01-01 24:00', ' 2000-01-01',
       '2000-1-1', '20000-01-01', 'x', '', '2451545', '2451545.5 ', 2451545, 2451545.25, 0, -1, 5373484.49999,
       5373484.5, 1092941466, -210866760000, 253402300799, None, b'2000-01-01', '2024-02-29 23:59:59.9999',
       '1970-01-01', '2023-01-01', '2023-12-31', '2020-12-31 12:00', '2021-01-03', '1999-12-31 23:59:60']
mods = [[], ['+1 day'], ['-1 days'], ['+1.5 days'], ['+90 minutes'], ['-10 seconds'], ['+1 month'], ['-13 months'],
        ['+1.5 months'], ['+1 year'], ['-2000 years'], ['+01:30'], ['-01:30:15.5'], ['+24:00'], ['start of day'],
        ['start of month'], ['start of year'], ['start of week'], ['weekday 0'], ['weekday 3'], ['weekday 7'],
        ['weekday 2.5'], ['unixepoch'], ['auto'], ['julianday'], ['localtime'], ['utc'], ['+1 fortnight'],
        ['1 DAYS'], ['+ 1 day'], ['+1 day', 'start of month', '-1 day'], ['unixepoch', 'unixepoch'], [None],
        ['+10000 years'], ['+1 hours', '+1 minutes', '+1 seconds'], ['START OF MONTH'], ['+5'], ['+1  day'],
        ['+1.0e1 days'], ['-0.5 hour']]
for tv in tvs:
    for f in ['datetime', 'julianday', 'unixepoch']:
        for m in mods[:14] if f == 'datetime' else [[]]:
            D.append((f, [tv] + m))
    for m in mods[14:]:
        D.append(('datetime', [tv] + m))
    D.append(('date', [tv])); D.append(('time', [tv]))
for fmt in ['%Y-%m-%d %H:%M:%S', '%f', '%j %W %w', '%J', '%s', '%%', '%q', 'abc%', '', 'x%dy', None, '%Y%Y']:
    for tv in ['2000-01-01 10:20:30.5', '2023-01-01', '2023-12-31 23:59:59.999', '2021-01-03', -1, '-0044-03-15']:
        D.append(('strftime', [fmt, tv]))
for d in ['2023-01-%02d' % i for i in range(1, 15)] + ['2024-12-%02d' % i for i in range(25, 32)]:
    D.append(('strftime', ['%W %j %w', d]))

def lit(v):
    if v is None: return 'N'
    if isinstance(v, bool): raise Exception
    if isinstance(v, int): return 'I(i64::MIN)' if v == -2**63 else 'I(%d)' % v
    if isinstance(v, float):
        if math.isinf(v): return 'R(f64::INFINITY)' if v > 0 else 'R(f64::NEG_INFINITY)'
        r = repr(v)
        if 'e' not in r and '.' not in r: r += '.0'
        return 'R(%s)' % r
    if isinstance(v, bytes): return 'B(b"%s")' % esc(v)
    return 'T(b"%s")' % esc(v.encode())
def esc(b):
    o = ''
    for ch in b:
        if ch == 0x22: o += '\\"'
        elif ch == 0x5c: o += '\\\\'
        elif 32 <= ch < 127: o += chr(ch)
        else: o += '\\x%02x' % ch
    return o
def want(sql, params):
    try:
        if ' from t' in sql: inner = sql.replace(' from t', ' as v from t')
        else: inner = sql + ' as v'
        r, ty = c.execute('select v, typeof(v) from (%s)' % inner, params).fetchone()
        if ty == b'text': r = r.decode('utf-8', 'surrogateescape') if False else r
        return 'Ok(%s)' % (('T(b"%s")' % esc(r)) if ty == b'text' else lit(r))
    except sqlite3.Error as e:
        return 'Err("%s")' % esc(str(e).encode())
out = []
for name, args in S:
    sql = 'select %s(%s)' % (name, ','.join('?' * len(args)))
    out.append('    ("%s", &[%s], %s),' % (name, ', '.join(lit(a) for a in args), want(sql, args)))
dout = []
for name, args in D:
    sql = 'select %s(%s)' % (name, ','.join('?' * len(args)))
    dout.append('    ("%s", &[%s], %s),' % (name, ', '.join(lit(a) for a in args), want(sql, args)))
agg = []
for name, rows in A:
    n = len(rows[0]) if rows else 1
    c.execute('drop table if exists t'); c.execute('create table t(id integer primary key, a, b)')
    for r in rows: c.execute('insert into t(a, b) values (?, ?)', (r + [None, None])[:2])
    if name == 'count' and rows and len(rows[0]) == 0:
        sql, n = 'select count(*) from t', 0
    else:
        sql = 'select %s(%s) from t' % (name, 'a' if n == 1 else 'a, b')
    sql = sql.replace('select ', 'select ', 1)
    rl = ', '.join('&[%s]' % ', '.join(lit(v) for v in r) for r in rows)
    agg.append('    ("%s", %d, &[%s], %s),' % (name, n, rl, want(sql, [])))
hdr = '''//! Oracle cases for the %s functions, generated by `gen_oracle.py` from
//! the system SQLite 3.40.1 and hard-coded here.

#[allow(unused_imports)]
use super::A::{B, I, N, R, T};
use super::%s;

#[rustfmt::skip]
#[allow(clippy::approx_constant, clippy::excessive_precision)]
pub(super) const CASES: &[%s] = &[
%s
];
'''
half = len(out) // 2
open('cases_scalar_a.rs', 'w').write(hdr % ('scalar', 'ScalarCase', 'ScalarCase', '\n'.join(out[:half])))
open('cases_scalar_b.rs', 'w').write(hdr % ('scalar', 'ScalarCase', 'ScalarCase', '\n'.join(out[half:])))
dh = len(dout) // 2
open('cases_date_a.rs', 'w').write(hdr % ('date', 'ScalarCase', 'ScalarCase', '\n'.join(dout[:dh])))
open('cases_date_b.rs', 'w').write(hdr % ('date', 'ScalarCase', 'ScalarCase', '\n'.join(dout[dh:])))
open('cases_agg.rs', 'w').write(hdr % ('aggregate', 'AggCase', 'AggCase', '\n'.join(agg)))
print(len(out), len(agg), file=sys.stderr)
