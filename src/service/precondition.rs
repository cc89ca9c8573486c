//! What a caller expects of a record it changes (the native API's `If-Match`), checked inside
//! the change's own transaction, once the record is read under the tenant's lock: a change
//! made by anyone between the caller's read and this check is seen, never overwritten.

use super::{Conflict, ServiceError, ServiceResult};
use crate::domain::Kind;

/// `None`: the change is unconditional. `Some(holds)`: it is made only if `holds` says yes of
/// the record as it is now.
pub type Expect<'a, T> = Option<&'a (dyn Fn(&T) -> bool + Send + Sync)>;

/// Refuses the change (`Conflict::ChangedSinceRead`) when `expect` does not hold of `record`.
pub(super) fn check<T>(
    expect: Expect<'_, T>,
    record: &T,
    kind: Kind,
    id: &str,
) -> ServiceResult<()> {
    match expect {
        Some(holds) if !holds(record) => Err(ServiceError::Conflict(Conflict::ChangedSinceRead {
            kind,
            id: id.to_owned(),
        })),
        _ => Ok(()),
    }
}
