//! `json_patch`: RFC 7396 MergePatch over [`Node`] trees.
//!
//! SQLite counterpart: `jsonMergePatch`, `jsonRemoveAllNulls` (json.c,
//! 3.40.1).
//!
//! Invariants (C's behaviour, including its quirks):
//! 1. A patch that is not an object replaces the target; a target that is
//!    not an object is replaced by the patch with its null members removed
//!    (recursively through objects, not arrays).
//! 2. Keys compare as written (escapes undecoded); a patch key matches the
//!    first target member with that key among the target's own members,
//!    never among members this merge appended, so duplicate new keys in a
//!    patch are all appended.
//! 3. A merge that appends to an object first drops what an earlier merge
//!    into the same object appended (C restarts the object's append chain).
//! 4. A target member already deleted or replaced by this merge ignores
//!    later patch members with the same key; one merged in place (both
//!    objects) takes them.

use super::parse::{Kind, Node};

/// Marks null members removed, recursing into object members.
fn strip_nulls(node: &mut Node) {
    if let Kind::Object(members) = &mut node.kind {
        for (_, v) in members.iter_mut() {
            match v.kind {
                Kind::Null => v.removed = true,
                Kind::Object(_) => strip_nulls(v),
                _ => {}
            }
        }
    }
}

/// The patch as a replacement value (invariant 1).
fn replacement(patch: &Node) -> Node {
    let mut p = patch.clone();
    strip_nulls(&mut p);
    p
}

/// Merges `patch` into `target` and returns the result.
pub fn merge_patch(mut target: Node, patch: &Node) -> Node {
    match merge_into(&mut target, patch) {
        Some(new) => new,
        None => target,
    }
}

/// Merges in place when both are objects (`None`), otherwise returns the
/// node that takes the target's place.
fn merge_into(target: &mut Node, patch: &Node) -> Option<Node> {
    let Kind::Object(pmembers) = &patch.kind else {
        return Some(patch.clone());
    };
    let Kind::Object(tmembers) = &mut target.kind else {
        return Some(replacement(patch));
    };
    let own = tmembers.iter().take_while(|(_, v)| !v.appended).count();
    let mut appending = false;
    for (key, pv) in pmembers {
        let hit = tmembers
            .iter()
            .take(own)
            .position(|(l, _)| labels_equal(l, key));
        match hit {
            Some(j) => {
                let Some((_, tv)) = tmembers.get_mut(j) else {
                    continue;
                };
                if tv.removed || tv.patched {
                    continue;
                }
                if matches!(pv.kind, Kind::Null) {
                    tv.removed = true;
                } else if let Some(mut new) = merge_into(tv, pv) {
                    new.patched = true;
                    new.removed = false;
                    new.appended = false;
                    *tv = new;
                }
            }
            None if !matches!(pv.kind, Kind::Null) => {
                let mut v = replacement(pv);
                v.patched = true;
                v.removed = false;
                v.appended = true;
                if !appending {
                    tmembers.truncate(own);
                    appending = true;
                }
                tmembers.push((key.clone(), v));
            }
            None => {}
        }
    }
    None
}

/// Label equality as C compares them: the bytes as written.
fn labels_equal(a: &super::parse::Label, b: &super::parse::Label) -> bool {
    use super::parse::Label;
    match (a, b) {
        (Label::Raw(x) | Label::Plain(x), Label::Raw(y) | Label::Plain(y)) => x == y,
    }
}
