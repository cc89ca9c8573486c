//! Times on the wire, for faces that show dates rather than epoch milliseconds.

use time::OffsetDateTime;
use time::macros::format_description;

use crate::domain::Millis;

/// RFC 3339 in UTC with milliseconds, as JavaScript's `toISOString`: `2026-11-23T09:30:00.123Z`.
pub fn iso_millis(millis: Millis) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|moment| moment.format(format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_utc_with_milliseconds() {
        assert_eq!(super::iso_millis(1_500), "1970-01-01T00:00:01.500Z");
    }
}
