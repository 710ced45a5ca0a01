//! Window definitions: finding the window-function calls of a SELECT,
//! resolving named windows (`OVER w`, `OVER (w ORDER BY …)`), checking
//! them, and grouping the calls by distinct window.
//!
//! SQLite counterpart: window.c (`sqlite3WindowChain`,
//! `sqlite3WindowUpdate`, `sqlite3WindowCompare`, the built-in window
//! function table) and the window checks of resolve.c.
//!
//! Invariants:
//! 1. Every error message is SQLite 3.40's for the same mistake.
//! 2. A call is "windowed" exactly when it has an OVER clause; built-in
//!    window-only functions without OVER are "misuse of window function".

use crate::sql::ast::{
    Expr, ExprKind, FrameBound, FrameExclude, FrameSpec, FrameUnit, FunctionArgs, FunctionCall,
    Over, Window, WindowDef,
};
use crate::vdbe::window::{WinExclude, WinFuncKind, WinUnit};

use super::Gen;

/// The built-in window-only functions: name, min and max argument count.
const BUILTINS: &[(&str, usize, usize)] = &[
    ("row_number", 0, 0),
    ("rank", 0, 0),
    ("dense_rank", 0, 0),
    ("percent_rank", 0, 0),
    ("cume_dist", 0, 0),
    ("ntile", 1, 1),
    ("lag", 1, 3),
    ("lead", 1, 3),
    ("first_value", 1, 1),
    ("last_value", 1, 1),
    ("nth_value", 2, 2),
];

/// True if `name` is a built-in window-only function.
pub(crate) fn is_window_builtin(name: &str) -> bool {
    BUILTINS.iter().any(|b| b.0.eq_ignore_ascii_case(name))
}

/// A window with names resolved: the frame is always explicit.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ResolvedWindow {
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<crate::sql::ast::OrderingTerm>,
    pub frame: FrameSpec,
}

/// One window-function call of the query.
#[derive(Clone, Debug)]
pub(super) struct WinCall {
    /// The whole call expression (its span keys its result register).
    pub expr: Expr,
    pub kind: WinFuncKind,
    pub args: Vec<Expr>,
    pub filter: Option<Expr>,
    /// Index of its window in the query's pass list.
    pub pass: usize,
}

pub(super) fn call_args(call: &FunctionCall) -> Vec<Expr> {
    match &call.args {
        FunctionArgs::Star => Vec::new(),
        FunctionArgs::List(v) => v.clone(),
    }
}

/// Calls `f` on every node of `e` except inside window-function calls
/// (which are still passed to `f` themselves).
pub(super) fn walk_outside_windows(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    if let ExprKind::Function(call) = &e.kind {
        if call.over.is_some() {
            return;
        }
    }
    super::planner::walk_children(e, &mut |c| walk_outside_windows(c, f));
}

/// The first window-function call inside `e`, if any.
pub(super) fn find_window_call(e: &Expr) -> Option<String> {
    let mut found = None;
    super::planner::walk(e, &mut |x| {
        if let ExprKind::Function(call) = &x.kind {
            if call.over.is_some() && found.is_none() {
                found = Some(call.name.clone());
            }
        }
    });
    found
}

pub(super) fn misuse(name: &str) -> String {
    format!("misuse of window function {name}()")
}

fn default_frame() -> FrameSpec {
    FrameSpec {
        unit: FrameUnit::Range,
        start: FrameBound::UnboundedPreceding,
        end: FrameBound::CurrentRow,
        exclude: None,
    }
}

impl Gen<'_> {
    /// Resolves the window of `over` against the WINDOW clause.
    pub(super) fn resolve_over(
        &self,
        over: &Over,
        defs: &[WindowDef],
    ) -> Result<ResolvedWindow, String> {
        let partial = match over {
            Over::Name(n) => resolve_def(find_def(n, defs)?, defs)?,
            Over::Window(w) => match &w.base {
                None => Partial::of(w),
                Some(b) => chain(w, b, resolve_def(find_def(b, defs)?, defs)?)?,
            },
        };
        check_frame(ResolvedWindow {
            partition_by: partial.partition_by,
            order_by: partial.order_by,
            frame: partial.frame.unwrap_or_else(default_frame),
        })
    }

    /// Classifies a windowed call, checking arguments, DISTINCT, FILTER.
    pub(super) fn window_kind(&self, call: &FunctionCall) -> Result<WinFuncKind, String> {
        let n = call_args(call).len();
        if call.distinct {
            return Err("DISTINCT is not supported for window functions".into());
        }
        if let Some(&(name, lo, hi)) = BUILTINS
            .iter()
            .find(|b| b.0.eq_ignore_ascii_case(&call.name))
        {
            if n < lo || n > hi || matches!(call.args, FunctionArgs::Star) && lo > 0 {
                return Err(format!(
                    "wrong number of arguments to function {}()",
                    call.name
                ));
            }
            if call.filter.is_some() {
                return Err(
                    "FILTER clause may only be used with aggregate window functions".into(),
                );
            }
            return Ok(match name {
                "row_number" => WinFuncKind::RowNumber,
                "rank" => WinFuncKind::Rank,
                "dense_rank" => WinFuncKind::DenseRank,
                "percent_rank" => WinFuncKind::PercentRank,
                "cume_dist" => WinFuncKind::CumeDist,
                "ntile" => WinFuncKind::Ntile,
                "lag" => WinFuncKind::Lag,
                "lead" => WinFuncKind::Lead,
                "first_value" => WinFuncKind::FirstValue,
                "last_value" => WinFuncKind::LastValue,
                _ => WinFuncKind::NthValue,
            });
        }
        match self.env.registry.find(&call.name, n) {
            Some(d) if d.is_aggregate() && window_capable(d) => {
                Ok(WinFuncKind::Agg(std::sync::Arc::new(d.clone())))
            }
            Some(_) => Err(format!(
                "{}() may not be used as a window function",
                call.name
            )),
            None if self.env.registry.has_name(&call.name) => Err(format!(
                "wrong number of arguments to function {}()",
                call.name
            )),
            None => Err(format!("no such function: {}", call.name)),
        }
    }
}

/// True for aggregates with an xValue (SQLite refuses the others in OVER).
fn window_capable(d: &crate::func::FuncDef) -> bool {
    match &d.kind {
        crate::func::FuncKind::Aggregate(_) => true,
        crate::func::FuncKind::UserAggregate(f) => f.is_window() || d.flags.window,
        _ => false,
    }
}

fn find_def(name: &str, defs: &[WindowDef]) -> Result<usize, String> {
    defs.iter()
        .position(|d| d.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("no such window: {name}"))
}

/// A window as written, before the default frame is filled in.
struct Partial {
    partition_by: Vec<Expr>,
    order_by: Vec<crate::sql::ast::OrderingTerm>,
    frame: Option<FrameSpec>,
}

impl Partial {
    fn of(w: &Window) -> Partial {
        Partial {
            partition_by: w.partition_by.clone(),
            order_by: w.order_by.clone(),
            frame: w.frame.clone(),
        }
    }
}

/// WINDOW definition `i`: its base counts only when defined before it
/// (SQLite chains the list in order and ignores other names).
fn resolve_def(i: usize, defs: &[WindowDef]) -> Result<Partial, String> {
    let w = &defs[i].window;
    match &w.base {
        Some(b) => match find_def(b, &defs[..i]) {
            Ok(j) => chain(w, b, resolve_def(j, defs)?),
            Err(_) => Ok(Partial::of(w)),
        },
        None => Ok(Partial::of(w)),
    }
}

/// `(base_name …w…)`: `w` extends the resolved `base`.
fn chain(w: &Window, base_name: &str, base: Partial) -> Result<Partial, String> {
    if !w.partition_by.is_empty() {
        return Err(format!(
            "cannot override PARTITION clause of window: {base_name}"
        ));
    }
    if !base.order_by.is_empty() && !w.order_by.is_empty() {
        return Err(format!(
            "cannot override ORDER BY clause of window: {base_name}"
        ));
    }
    if base.frame.is_some() {
        return Err(format!(
            "cannot override frame specification of window: {base_name}"
        ));
    }
    Ok(Partial {
        partition_by: base.partition_by,
        order_by: if w.order_by.is_empty() {
            base.order_by
        } else {
            w.order_by.clone()
        },
        frame: w.frame.clone(),
    })
}

/// Prepare-time frame checks.
fn check_frame(w: ResolvedWindow) -> Result<ResolvedWindow, String> {
    use FrameBound as B;
    let f = &w.frame;
    let bad = matches!(
        (&f.start, &f.end),
        (B::Following(_), B::Preceding(_) | B::CurrentRow) | (B::CurrentRow, B::Preceding(_))
    ) || matches!(f.start, B::UnboundedFollowing)
        || matches!(f.end, B::UnboundedPreceding);
    if bad {
        return Err("unsupported frame specification".into());
    }
    let has_offset = |b: &B| matches!(b, B::Preceding(_) | B::Following(_));
    if f.unit == FrameUnit::Range
        && (has_offset(&f.start) || has_offset(&f.end))
        && w.order_by.len() != 1
    {
        return Err(
            "RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY expression".into(),
        );
    }
    Ok(w)
}

pub(super) fn unit_of(u: FrameUnit) -> WinUnit {
    match u {
        FrameUnit::Rows => WinUnit::Rows,
        FrameUnit::Range => WinUnit::Range,
        FrameUnit::Groups => WinUnit::Groups,
    }
}

pub(super) fn exclude_of(x: Option<FrameExclude>) -> WinExclude {
    match x {
        None | Some(FrameExclude::NoOthers) => WinExclude::NoOthers,
        Some(FrameExclude::CurrentRow) => WinExclude::CurrentRow,
        Some(FrameExclude::Group) => WinExclude::Group,
        Some(FrameExclude::Ties) => WinExclude::Ties,
    }
}
