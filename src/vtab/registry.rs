//! Modules by name and connected tables by (database, table name).
//!
//! SQLite counterpart: `sqlite3.aModule` (the module hash), `VTable` and
//! `sqlite3VtabCallCreate` / `sqlite3VtabCallConnect` /
//! `sqlite3VtabCallDestroy` of vtab.c.
//!
//! Invariants:
//! 1. A [`VTabInstance`] calls xDisconnect when dropped unless
//!    [`VTabInstance::destroy`] ran first (exactly one release).
//! 2. A cached instance is reused only while the table's CREATE VIRTUAL
//!    TABLE text is unchanged (another connection may have dropped and
//!    recreated it).
//! 3. No lock is held while a module method runs (methods may re-enter the
//!    connection's API).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::{VTab, VTabError, VTabHost, VTabModule, VTabResult};

/// A connected virtual table.
pub struct VTabInstance {
    /// Table name as declared.
    pub name: String,
    /// Module name.
    pub module: String,
    /// The `CREATE VIRTUAL TABLE` text it was connected from.
    pub sql: String,
    /// The schema the module declared (`CREATE TABLE x(...)`).
    pub declared: String,
    pub vtab: Box<dyn VTab>,
    released: AtomicBool,
    /// The table is inside a transaction begun with xBegin.
    pub in_txn: AtomicBool,
}

impl std::fmt::Debug for VTabInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VTabInstance")
            .field("name", &self.name)
            .field("module", &self.module)
            .finish()
    }
}

impl VTabInstance {
    /// xDestroy (DROP TABLE); afterwards no xDisconnect is made.
    pub fn destroy(&self) -> VTabResult<()> {
        self.destroy_in(&mut super::NoHost)
    }

    /// xDestroy with the calling connection at hand.
    pub fn destroy_in(&self, host: &mut dyn VTabHost) -> VTabResult<()> {
        if self.released.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.vtab.destroy_in(host)
    }
}

impl Drop for VTabInstance {
    fn drop(&mut self) {
        if !self.released.swap(true, Ordering::AcqRel) {
            self.vtab.disconnect();
        }
    }
}

/// Which table to connect: database, names, USING arguments, and the
/// CREATE VIRTUAL TABLE text (invariant 2).
#[derive(Clone, Debug, Default)]
pub struct VTabSpec {
    pub db: usize,
    pub db_name: String,
    pub name: String,
    pub module: String,
    pub args: Vec<String>,
    pub sql: String,
}

/// A registered module: its name as given, and the module.
type ModuleEntry = (String, Arc<dyn VTabModule>);

/// Per-connection registry of modules and connected tables.
#[derive(Default)]
pub struct VTabRegistry {
    modules: Mutex<HashMap<String, ModuleEntry>>,
    tables: Mutex<HashMap<(usize, String), Arc<VTabInstance>>>,
}

impl std::fmt::Debug for VTabRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VTabRegistry")
            .field("modules", &self.module_names())
            .finish()
    }
}

impl VTabRegistry {
    /// An empty registry.
    pub fn new() -> VTabRegistry {
        VTabRegistry::default()
    }

    /// Registers (or with `None` removes) module `name`.
    pub fn register(&self, name: &str, module: Option<Arc<dyn VTabModule>>) {
        let key = name.to_ascii_lowercase();
        let mut m = self.modules.lock();
        match module {
            Some(module) => {
                m.insert(key, (name.to_string(), module));
            }
            None => {
                m.remove(&key);
            }
        }
    }

    /// The module called `name`.
    pub fn module(&self, name: &str) -> Option<Arc<dyn VTabModule>> {
        let m = self.modules.lock();
        m.get(&name.to_ascii_lowercase()).map(|e| e.1.clone())
    }

    /// Registered module names, sorted.
    pub fn module_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.modules.lock().values().map(|e| e.0.clone()).collect();
        v.sort();
        v
    }

    /// `sqlite3_drop_modules`: removes every module not named in `keep`.
    pub fn drop_modules(&self, keep: &[String]) {
        self.modules
            .lock()
            .retain(|_, e| keep.iter().any(|k| k.eq_ignore_ascii_case(&e.0)));
    }

    /// The connected instance of table `spec`, connecting (or with
    /// `create`, creating) it when needed.
    pub fn instance(&self, spec: &VTabSpec, create: bool) -> VTabResult<Arc<VTabInstance>> {
        self.instance_in(spec, create, &mut super::NoHost)
    }

    /// [`VTabRegistry::instance`] with the calling connection at hand
    /// (xCreate of a module written in Rust runs SQL through it).
    pub fn instance_in(
        &self,
        spec: &VTabSpec,
        create: bool,
        host: &mut dyn VTabHost,
    ) -> VTabResult<Arc<VTabInstance>> {
        let VTabSpec {
            db,
            db_name,
            name,
            module,
            args,
            sql,
        } = spec;
        let key = (*db, name.to_ascii_lowercase());
        if !create {
            if let Some(i) = self.tables.lock().get(&key) {
                if i.sql == *sql {
                    return Ok(i.clone());
                }
            }
        }
        let m = self
            .module(module)
            .ok_or_else(|| VTabError::new(format!("no such module: {module}")))?;
        let mut argv = vec![module.clone(), db_name.clone(), name.clone()];
        argv.extend(args.iter().cloned());
        let (declared, vtab) = if create {
            m.create_in(&argv, host)?
        } else {
            m.connect(&argv)?
        };
        let inst = Arc::new(VTabInstance {
            name: name.clone(),
            module: module.clone(),
            sql: sql.clone(),
            declared,
            vtab,
            released: AtomicBool::new(false),
            in_txn: AtomicBool::new(false),
        });
        let old = self.tables.lock().insert(key, inst.clone());
        drop(old);
        Ok(inst)
    }

    /// Forgets table `name` of database `db` (after DROP TABLE), returning
    /// its instance.
    pub fn forget(&self, db: usize, name: &str) -> Option<Arc<VTabInstance>> {
        let key = (db, name.to_ascii_lowercase());
        let old = self.tables.lock().remove(&key);
        old
    }

    /// Every connected instance.
    pub fn instances(&self) -> Vec<Arc<VTabInstance>> {
        self.tables.lock().values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vtab::{IndexInfo, VTabCursor};
    use std::sync::atomic::AtomicUsize;

    struct Counts {
        connects: AtomicUsize,
        disconnects: Arc<AtomicUsize>,
    }
    struct T(Arc<AtomicUsize>);
    impl VTab for T {
        fn best_index(&self, _: &mut IndexInfo) -> VTabResult<()> {
            Ok(())
        }
        fn open(&self) -> VTabResult<Box<dyn VTabCursor>> {
            Err(VTabError::new("no cursor"))
        }
        fn disconnect(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl VTabModule for Counts {
        fn create(&self, a: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
            self.connect(a)
        }
        fn connect(&self, a: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
            self.connects.fetch_add(1, Ordering::SeqCst);
            assert_eq!(a[0], "m");
            Ok((
                "CREATE TABLE x(a)".into(),
                Box::new(T(self.disconnects.clone())),
            ))
        }
    }

    #[test]
    fn instances_are_cached_and_released_once() {
        let disc = Arc::new(AtomicUsize::new(0));
        let m = Arc::new(Counts {
            connects: AtomicUsize::new(0),
            disconnects: disc.clone(),
        });
        let r = VTabRegistry::new();
        r.register("M", Some(m.clone()));
        assert!(r.module("m").is_some());
        let spec = |name: &str, module: &str, sql: &str| VTabSpec {
            db: 0,
            db_name: "main".into(),
            name: name.into(),
            module: module.into(),
            args: Vec::new(),
            sql: sql.into(),
        };
        let a = r.instance(&spec("t", "m", "sql1"), false).unwrap();
        let b = r.instance(&spec("T", "m", "sql1"), false).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(m.connects.load(Ordering::SeqCst), 1);
        // A changed definition reconnects and releases the old instance.
        drop((a, b));
        let c = r.instance(&spec("t", "m", "sql2"), false).unwrap();
        assert_eq!(m.connects.load(Ordering::SeqCst), 2);
        assert_eq!(disc.load(Ordering::SeqCst), 1);
        c.destroy().unwrap();
        drop(c);
        drop(r.forget(0, "t"));
        assert_eq!(disc.load(Ordering::SeqCst), 1, "destroyed: no disconnect");
        let e = r.instance(&spec("u", "nope", ""), false).unwrap_err();
        assert_eq!(e.msg, "no such module: nope");
    }
}
