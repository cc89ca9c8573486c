//! Times on the command line: RFC 3339 (`2026-11-23T09:00:00Z`), or an age back from now
//! (`90s`, `30m`, `24h`, `7d`); and durations (`24h`).

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::domain::{Millis, now_millis};

/// A duration: a number and one of s, m, h, d.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let seconds_per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "'{text}' is not a duration (such as 90s, 30m, 24h or 7d)"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per))
        .map(Duration::from_secs)
        .ok_or_else(|| format!("'{text}' is not a duration (such as 90s, 30m, 24h or 7d)"))
}

/// A moment: RFC 3339, or a duration meaning that long ago.
pub fn parse_since(text: &str) -> Result<Millis, String> {
    if let Ok(moment) = OffsetDateTime::parse(text.trim(), &Rfc3339) {
        return Ok((moment.unix_timestamp_nanos() / 1_000_000) as Millis);
    }
    let ago = parse_duration(text)
        .map_err(|_| format!("'{text}' is not a time (RFC 3339, or an age such as 24h)"))?;
    Ok(now_millis() - i64::try_from(ago.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("7 weeks").is_err());
        assert!(parse_duration("h").is_err());
        assert_eq!(parse_since("1970-01-01T00:00:01Z"), Ok(1000));
        let day_ago = parse_since("1d").unwrap();
        assert!((now_millis() - day_ago - 86_400_000).abs() < 5_000);
        assert!(parse_since("yesterday").is_err());
    }
}
