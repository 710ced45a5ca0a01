//! Tests of the AST shapes the parser builds.
//!
//! SQLite counterpart: none (test code).
//!
//! Invariants:
//! 1. Each test checks a property codegen relies on: precedence, spans,
//!    parameter numbering, dequoting, statement texts for sqlite_schema.

use super::parse;
use crate::sql::ast::*;
use crate::sql::parser::parse_one;

fn select(sql: &str) -> Select {
    match parse(sql).stmt {
        Stmt::Select(s) => *s,
        other => panic!("not a select: {other:?}"),
    }
}

fn core(sql: &str) -> SimpleSelect {
    match select(sql).first {
        SelectCore::Select(s) => *s,
        SelectCore::Values(_) => panic!("values"),
    }
}

fn first_expr(sql: &str) -> Expr {
    match core(sql).columns.into_iter().next() {
        Some(ResultColumn::Expr { expr, .. }) => expr,
        other => panic!("{other:?}"),
    }
}

/// A compact prefix rendering of an expression for precedence tests.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(t)) => t.clone(),
        ExprKind::Column { column, .. } => column.clone(),
        ExprKind::Unary(op, x) => format!("({op:?} {})", show(x)),
        ExprKind::Binary(op, a, b) => format!("({op:?} {} {})", show(a), show(b)),
        ExprKind::Collate(x, c) => format!("(Collate {} {c})", show(x)),
        ExprKind::IsNull(x, n) => format!("(IsNull{} {})", if *n { "Not" } else { "" }, show(x)),
        ExprKind::Between {
            expr,
            negated,
            low,
            high,
        } => {
            format!(
                "(Between{} {} {} {})",
                if *negated { "Not" } else { "" },
                show(expr),
                show(low),
                show(high)
            )
        }
        ExprKind::Like {
            op,
            negated,
            expr,
            pattern,
            escape,
        } => format!(
            "({op:?}{} {} {}{})",
            if *negated { "Not" } else { "" },
            show(expr),
            show(pattern),
            escape
                .as_ref()
                .map(|e| format!(" esc {}", show(e)))
                .unwrap_or_default()
        ),
        ExprKind::InList { expr, list, .. } => {
            format!(
                "(In {} [{}])",
                show(expr),
                list.iter().map(show).collect::<Vec<_>>().join(",")
            )
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn precedence() {
    for (sql, want) in [
        ("select 1 + 2 * 3", "(Add 1 (Multiply 2 3))"),
        ("select 1 - 2 - 3", "(Subtract (Subtract 1 2) 3)"),
        ("select not a = b", "(Not (Eq a b))"),
        ("select not a and b", "(And (Not a) b)"),
        ("select a or b and c", "(Or a (And b c))"),
        ("select a = b < c", "(Eq a (Lt b c))"),
        ("select a < b = c", "(Eq (Lt a b) c)"),
        ("select -a collate x", "(Collate (Negate a) x)"),
        ("select a || b collate x", "(Concat a (Collate b x))"),
        ("select -a * b", "(Multiply (Negate a) b)"),
        ("select a & b + c", "(BitAnd a (Add b c))"),
        ("select a + b || c", "(Add a (Concat b c))"),
        ("select a is null", "(IsNull a)"),
        ("select a is not null", "(IsNullNot a)"),
        ("select a not null", "(IsNullNot a)"),
        ("select a notnull = 1", "(Eq (IsNullNot a) 1)"),
        ("select a is distinct from b", "(IsNot a b)"),
        ("select a is not distinct from b", "(Is a b)"),
        ("select a between 1 and 2 and 3", "(And (Between a 1 2) 3)"),
        (
            "select a not between b = 1 and 2",
            "(BetweenNot a (Eq b 1) 2)",
        ),
        ("select a like b escape c", "(Like a b esc c)"),
        ("select a not glob b || c", "(GlobNot a (Concat b c))"),
        ("select a = b like c", "(Like (Eq a b) c)"),
        ("select a in (1, 2) = 0", "(Eq (In a [1,2]) 0)"),
        ("select 1 = not 2", "(Eq 1 (Not 2))"),
        ("select ~a + -b", "(Add (BitNot a) (Negate b))"),
        (
            "select a -> 'x' ->> 'y'",
            "(Arrow2 (Arrow a String(\"x\")) String(\"y\"))",
        ),
    ] {
        let e = first_expr(sql);
        let got = show(&e)
            .replace("Literal(String(", "String(")
            .replace("\"))", "\")");
        assert_eq!(got, want, "{sql}");
    }
}

#[test]
fn spans_and_column_names() {
    let sql = "SELECT a  +  1   , b /*c*/ , (c) AS x, count(*) filter (where 1) over () FROM t";
    let cols = core(sql).columns;
    let names: Vec<String> = cols
        .iter()
        .map(|c| match c {
            ResultColumn::Expr { span_name, .. } => span_name.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "a  +  1",
            "b /*c*/",
            "(c)",
            "count(*) filter (where 1) over ()"
        ]
    );
    if let Some(ResultColumn::Expr { expr, alias, .. }) = cols.get(2) {
        assert_eq!(expr.text(sql), "(c)");
        assert_eq!(alias.as_deref(), Some("x"));
    }
    let e = first_expr("select  x.y +f(1, 2)  from x");
    assert_eq!(e.span, (8, 20));
}

#[test]
fn literals() {
    let cols =
        core("select 12, 0x1F, 1.5e3, .5, 'it''s', x'01fF', null, current_date, true").columns;
    let lits: Vec<ExprKind> = cols
        .into_iter()
        .map(|c| match c {
            ResultColumn::Expr { expr, .. } => expr.kind,
            _ => panic!(),
        })
        .collect();
    assert_eq!(lits[0], ExprKind::Literal(Literal::Integer("12".into())));
    assert_eq!(lits[1], ExprKind::Literal(Literal::Integer("0x1F".into())));
    assert_eq!(lits[2], ExprKind::Literal(Literal::Real("1.5e3".into())));
    assert_eq!(lits[3], ExprKind::Literal(Literal::Real(".5".into())));
    assert_eq!(lits[4], ExprKind::Literal(Literal::String("it's".into())));
    assert_eq!(lits[5], ExprKind::Literal(Literal::Blob(vec![1, 255])));
    assert_eq!(lits[6], ExprKind::Literal(Literal::Null));
    assert_eq!(lits[7], ExprKind::Literal(Literal::CurrentDate));
    let t = Expr {
        kind: lits[8].clone(),
        span: (0, 0),
        height: 1,
    };
    assert_eq!(t.true_false(), Some(true));
}

#[test]
fn parameters_are_numbered_like_sqlite() {
    let p = parse("select ?, :a, ?5, :b, :a, ?, @a, $x::y(z)");
    assert_eq!(
        p.params,
        vec![
            None,
            Some(":a".into()),
            None,
            None,
            Some("?5".into()),
            Some(":b".into()),
            None,
            Some("@a".into()),
            Some("$x::y(z)".into())
        ]
    );
    let idx: Vec<u32> = core("select ?, :a, ?5, :b, :a, ?, @a")
        .columns
        .iter()
        .filter_map(|c| match c {
            ResultColumn::Expr {
                expr:
                    Expr {
                        kind: ExprKind::Variable { index, .. },
                        ..
                    },
                ..
            } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(idx, [1, 2, 5, 6, 2, 7, 8]);
    let p = parse("select :a, ?1");
    assert_eq!(p.params, vec![Some(":a".into())]);
}

#[test]
fn names_are_dequoted_and_keep_case() {
    let s = core("select \"My Col\", [b c], `d`, T.\"x\"\"y\" from \"Main\".[Tab] as 'Al'");
    let from = s.from.expect("from");
    let item = &from.items[0];
    assert_eq!(
        item.source,
        TableSource::Table(QualifiedName {
            schema: Some("Main".into()),
            name: "Tab".into()
        })
    );
    assert_eq!(item.alias.as_deref(), Some("Al"));
    match &s.columns[0] {
        ResultColumn::Expr {
            expr:
                Expr {
                    kind:
                        ExprKind::Column {
                            column,
                            double_quoted,
                            ..
                        },
                    ..
                },
            ..
        } => {
            assert_eq!(column, "My Col");
            assert!(*double_quoted);
        }
        other => panic!("{other:?}"),
    }
    match &s.columns[3] {
        ResultColumn::Expr {
            expr:
                Expr {
                    kind: ExprKind::Column { table, column, .. },
                    ..
                },
            ..
        } => {
            assert_eq!(table.as_deref(), Some("T"));
            assert_eq!(column, "x\"y");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fallback_keywords_as_names() {
    let s =
        core("select key, replace(a, 'x', 'y') desc, rowid from temp.t as action where offset > 1");
    assert_eq!(s.columns.len(), 3);
    match &s.columns[1] {
        ResultColumn::Expr { alias, expr, .. } => {
            assert_eq!(alias.as_deref(), Some("desc"));
            assert!(matches!(&expr.kind, ExprKind::Function(f) if f.name == "replace"));
        }
        other => panic!("{other:?}"),
    }
    let from = s.from.expect("from");
    assert_eq!(from.items[0].alias.as_deref(), Some("action"));
}

#[test]
fn compound_order_limit() {
    let s = select("select 1 union all select 2 except values (3), (4)");
    assert_eq!(s.compounds.len(), 2);
    assert!(
        matches!(&s.compounds[1], (CompoundOp::Except, SelectCore::Values(rows)) if rows.len() == 2)
    );
    let s2 = select("select a from t union select b from u order by 1 desc limit 10 offset 5");
    assert_eq!(s2.compounds.len(), 1);
    assert_eq!(s2.compounds[0].0, CompoundOp::Union);
    assert_eq!(s2.order_by[0].order, Some(SortOrder::Desc));
    let l = s2.limit.expect("limit");
    assert!(matches!(l.limit.kind, ExprKind::Literal(Literal::Integer(ref n)) if n == "10"));
    assert!(
        matches!(l.offset.map(|e| e.kind), Some(ExprKind::Literal(Literal::Integer(ref n))) if n == "5")
    );
    let _ = s;
    let s3 = select("select 1 limit 5, 10");
    let l = s3.limit.expect("limit");
    assert!(matches!(l.limit.kind, ExprKind::Literal(Literal::Integer(ref n)) if n == "10"));
}

#[test]
fn joins() {
    let s = core("select * from a natural left outer join b using (x) cross join c, (d join e on 1) as f full join g on 1");
    let items = s.from.expect("from").items;
    assert_eq!(items.len(), 5);
    let j = items[1].join.expect("join");
    assert!(j.natural && j.left && !j.right);
    assert!(matches!(&items[1].constraint, Some(JoinConstraint::Using(c)) if c == &["x"]));
    assert!(items[2].join.expect("j").cross);
    assert!(items[3].join.expect("j").comma);
    assert!(matches!(&items[3].source, TableSource::Nested(f) if f.items.len() == 2));
    let j = items[4].join.expect("j");
    assert!(j.left && j.right);
    // A leading parenthesized join is flattened.
    let s = core("select * from (a join b) join c");
    assert_eq!(s.from.expect("from").items.len(), 3);
}

#[test]
fn create_statements_keep_sqlite_schema_text() {
    let cases = [
        (
            "create temp table if not exists main2 (a) ;",
            "CREATE TABLE main2 (a)",
        ),
        (
            "create table \"T1\"(a int primary key)  without rowid , strict  ;",
            "CREATE TABLE \"T1\"(a int primary key)  without rowid , strict  ",
        ),
        ("create table t4(b) /*y*/;", "CREATE TABLE t4(b)"),
        (
            "create   unique index if not exists  i1 on t4 ( b ) where b>0 /*z*/ ;",
            "CREATE UNIQUE INDEX i1 on t4 ( b ) where b>0 /*z*/ ",
        ),
        (
            "create view v1 (x) as select 1 /* c */ ;",
            "CREATE VIEW v1 (x) as select 1 /* c */",
        ),
        (
            "create view v2 as select 2\n;",
            "CREATE VIEW v2 as select 2",
        ),
        (
            "create trigger if not exists tr1 after insert on t4 begin select 1; end /*q*/;",
            "CREATE TRIGGER tr1 after insert on t4 begin select 1; end",
        ),
        (
            "create virtual table if not exists vt using fts4(a, b) ;",
            "CREATE VIRTUAL TABLE vt using fts4(a, b)",
        ),
        ("create table main.t6(a);", "CREATE TABLE t6(a)"),
        ("create index main.i2 on t6(a);", "CREATE INDEX i2 on t6(a)"),
    ];
    for (sql, want) in cases {
        let got = match parse(sql).stmt {
            Stmt::CreateTable(c) => c.sql,
            Stmt::CreateIndex(c) => c.sql,
            Stmt::CreateView(c) => c.sql,
            Stmt::CreateTrigger(c) => c.sql,
            Stmt::CreateVirtualTable(c) => c.sql,
            other => panic!("{other:?}"),
        };
        assert_eq!(got, want, "{sql}");
    }
}

#[test]
fn column_definitions() {
    let sql = "create table x(a 'foo bar' (10), b \"x\" y default -1, c default (1 + 2) , d varchar(10) not null default 'x', e unsigned big int default +5 primary key desc autoincrement, f default true, g default foo references p(q) on delete cascade deferrable initially deferred, h as (a*2) stored)";
    let Stmt::CreateTable(ct) = parse(sql).stmt else {
        panic!()
    };
    let CreateTableBody::Columns { columns, .. } = ct.body else {
        panic!()
    };
    let types: Vec<Option<&str>> = columns.iter().map(|c| c.type_name.as_deref()).collect();
    assert_eq!(
        types,
        [
            Some("foo bar"),
            Some("x"),
            None,
            Some("varchar(10)"),
            Some("unsigned big int"),
            None,
            None,
            None
        ]
    );
    let defaults: Vec<String> = columns
        .iter()
        .flat_map(|c| c.constraints.iter())
        .filter_map(|k| match &k.kind {
            ColumnConstraintKind::Default(d) => Some(d.text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(defaults, ["-1", "1 + 2", "'x'", "+5", "true", "foo"]);
    assert!(columns[4].constraints.iter().any(|c| matches!(
        c.kind,
        ColumnConstraintKind::PrimaryKey {
            order: Some(SortOrder::Desc),
            autoincrement: true,
            ..
        }
    )));
    let fk = columns[6].constraints.iter().find_map(|c| match &c.kind {
        ColumnConstraintKind::ForeignKey(f) => Some(f.clone()),
        _ => None,
    });
    let fk = fk.expect("fk");
    assert_eq!(
        (fk.table.as_str(), fk.on_delete, fk.deferred),
        ("p", Some(FkAction::Cascade), true)
    );
    assert!(matches!(
        columns[7].constraints[0].kind,
        ColumnConstraintKind::Generated { stored: true, .. }
    ));
}

#[test]
fn dml_shapes() {
    let Stmt::Insert(i) = parse("insert or ignore into main.t as z(a, b) values (1, 2), (3, 4) on conflict (a) do update set (b, c) = (1, 2) where 1 on conflict do nothing returning a").stmt else { panic!() };
    assert_eq!(i.or_conflict, Some(ConflictAction::Ignore));
    assert_eq!(i.columns, ["a", "b"]);
    assert_eq!(i.upsert.len(), 2);
    assert_eq!(i.returning.len(), 1);
    let InsertSource::Select(s) = &i.source else {
        panic!()
    };
    assert!(matches!(&s.first, SelectCore::Values(rows) if rows.len() == 2));
    let Stmt::Update(u) =
        parse("update t set a = 1 from u where t.x = u.y order by a limit 2").stmt
    else {
        panic!()
    };
    assert!(u.from.is_some() && u.limit.is_some() && u.order_by.len() == 1);
    let Stmt::Delete(d) = parse("with q as (select 1) delete from t indexed by i where a").stmt
    else {
        panic!()
    };
    assert!(d.with.is_some());
    assert_eq!(d.indexed, Some(IndexedBy::Index("i".into())));
}

#[test]
fn trigger_and_misc_statements() {
    let Stmt::CreateTrigger(t) = parse("create temp trigger tr instead of update of a, b on v for each row when new.a begin update t set a = new.a; insert into t values (1); delete from t; select raise(ignore); end").stmt else { panic!() };
    assert!(t.temp && t.for_each_row && t.when.is_some());
    assert_eq!(t.time, Some(TriggerTime::InsteadOf));
    assert_eq!(t.event, TriggerEvent::Update(vec!["a".into(), "b".into()]));
    assert_eq!(t.body.len(), 4);
    let Stmt::CreateVirtualTable(v) =
        parse("create virtual table v using fts5(a, b (c, d), , tokenize = 'x')").stmt
    else {
        panic!()
    };
    assert_eq!(v.args, ["a", "b (c, d)", "tokenize = 'x'"]);
    assert_eq!(
        parse("begin immediate transaction").stmt,
        Stmt::Begin(TransactionKind::Immediate)
    );
    assert_eq!(
        parse("rollback to savepoint s1").stmt,
        Stmt::Rollback {
            savepoint: Some("s1".into())
        }
    );
    let Stmt::Pragma(p) = parse("pragma main.cache_size = -2000").stmt else {
        panic!()
    };
    assert_eq!(p.value.as_deref(), Some("-2000"));
    assert_eq!(p.name.schema.as_deref(), Some("main"));
    let Stmt::Pragma(p) = parse("pragma table_info('t')").stmt else {
        panic!()
    };
    assert_eq!(p.value.as_deref(), Some("t"));
    let e = parse("explain query plan select 1");
    assert_eq!(e.explain, Some(Explain::QueryPlan));
    let Stmt::AlterTable(a) = parse("alter table t add column d int default 0 ; ").stmt else {
        panic!()
    };
    assert!(matches!(a.action, AlterAction::AddColumn { ref sql, .. } if sql == "d int default 0"));
}

#[test]
fn tails_and_empty_input() {
    let sql = "  ;; select 1 ; select 2";
    let (p, tail) = parse_one(sql, 0).expect("ok");
    let p = p.expect("stmt");
    assert_eq!(&sql[p.sql_span.0..p.sql_span.1], "select 1");
    assert_eq!(tail, 15);
    let (p, tail) = parse_one(sql, tail).expect("ok");
    assert!(p.is_some());
    assert_eq!(tail, sql.len());
    assert_eq!(parse_one(" -- c\n ; /* x */ ", 0).expect("ok"), (None, 17));
    assert_eq!(parse_one("", 0).expect("ok"), (None, 0));
    assert_eq!(
        crate::sql::parse_all("select 1; select 2;")
            .expect("ok")
            .len(),
        2
    );
}
