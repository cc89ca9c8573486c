//! The organization tree. Each organization keeps the materialized path of the ids from the
//! root down to itself ("/1/5/23/"), so "is X in the subtree of A" is a prefix test on X's own
//! row, whatever the depth or size of the tree.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPath(String);

impl OrgPath {
    pub fn root(id: i64) -> Self {
        Self(format!("/{id}/"))
    }

    pub fn child(&self, id: i64) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    /// A path as `root` and `child` build it: `/`, then positive ids each followed by `/`.
    pub fn parse(text: &str) -> Option<Self> {
        let ids = text.strip_prefix('/')?.strip_suffix('/')?;
        let well_formed = ids.split('/').all(|id| {
            !id.is_empty() && !id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit())
        });
        well_formed.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `self` is `ancestor` itself or lies anywhere below it.
    pub fn is_within(&self, ancestor: &OrgPath) -> bool {
        self.0.starts_with(&ancestor.0)
    }

    /// The exclusive upper bound of the subtree's paths in byte order: every path within the
    /// subtree is in `[self, upper_bound)`. `/` is followed by `0` in ASCII.
    pub fn subtree_upper_bound(&self) -> String {
        let mut bound = self.0.clone();
        bound.pop();
        bound.push('0');
        bound
    }

    /// The id of the root of this organization's tree: its tenant.
    pub fn root_id(&self) -> i64 {
        self.ids().next().unwrap_or_default()
    }

    /// The ids from the root down to this organization itself.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.0.split('/').filter_map(|s| s.parse().ok())
    }

    pub fn depth(&self) -> usize {
        self.ids().count()
    }
}

impl fmt::Display for OrgPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_membership_is_by_whole_segments() {
        let root = OrgPath::root(1);
        let child = root.child(5);
        let grandchild = child.child(23);
        assert!(grandchild.is_within(&root));
        assert!(grandchild.is_within(&child));
        assert!(child.is_within(&child));
        assert!(!root.is_within(&child));
        // "/1/50/" is not below "/1/5/".
        assert!(!root.child(50).is_within(&child));
        assert_eq!(grandchild.ids().collect::<Vec<_>>(), vec![1, 5, 23]);
        assert_eq!(grandchild.depth(), 3);
        assert_eq!(grandchild.root_id(), 1);
    }

    #[test]
    fn only_built_paths_parse() {
        let path = OrgPath::root(1).child(50).child(7);
        assert_eq!(OrgPath::parse(path.as_str()), Some(path));
        for bad in [
            "", "/", "//", "1/", "/1", "/1//2/", "/01/", "/a/", "/-1/", "/1/2",
        ] {
            assert_eq!(OrgPath::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_upper_bound_encloses_exactly_the_subtree() {
        let child = OrgPath::root(1).child(5);
        let bound = child.subtree_upper_bound();
        assert_eq!(bound, "/1/50");
        for inside in ["/1/5/", "/1/5/23/", "/1/5/999/1/"] {
            assert!(inside >= child.as_str() && inside < bound.as_str());
        }
        for outside in ["/1/50/", "/1/6/", "/1/", "/2/5/"] {
            assert!(!(outside >= child.as_str() && outside < bound.as_str()));
        }
    }
}
