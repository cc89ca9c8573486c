//! How much of a list a face asks for.

/// A keyset slice of a list in id order: at most `limit` rows after the row `after` (its
/// row id). The native API asks a page at a time; faces whose lists have no pages ask `ALL`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Slice {
    pub after: Option<i64>,
    pub limit: Option<u32>,
}

impl Slice {
    /// The whole list.
    pub const ALL: Slice = Slice {
        after: None,
        limit: None,
    };

    pub(crate) fn after_id(self) -> i64 {
        self.after.unwrap_or(0)
    }

    pub(crate) fn row_limit(self) -> i64 {
        self.limit.map_or(i64::MAX, i64::from)
    }
}
