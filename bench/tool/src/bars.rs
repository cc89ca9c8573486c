//! The first bar of each scenario (SQLite, ratio to the baseline of the same run).

use serde::Serialize;

pub const AUTH_READ_RATIO: f64 = 0.30;
pub const DEEP_TREE_KEEP: f64 = 0.9;
pub const TOKEN_RATIO: f64 = 0.15;
pub const WRITE_RATIO: f64 = 0.05;
pub const BIG_LIST_P99_OVER_P50: f64 = 10.0;
/// Fewer answers than this make no p99: the slowest requests are the ones still in flight.
pub const BIG_LIST_MIN_ANSWERS: u64 = 100;
pub const RSS_LIMIT_MIB: f64 = 200.0;

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub rule: String,
    pub measured: String,
    pub pass: bool,
}

impl Bar {
    /// A bar whose scenario had errors or no successful answer fails, whatever its figure.
    pub fn new(
        rule: impl Into<String>,
        measured: impl Into<String>,
        pass: bool,
        clean: bool,
    ) -> Self {
        let mut measured = measured.into();
        if !clean {
            measured.push_str(" (errors)");
        }
        Self {
            rule: rule.into(),
            measured,
            pass: pass && clean,
        }
    }
}

pub fn ratio_at_least(ratio: f64, floor: f64, clean: bool) -> Bar {
    Bar::new(
        format!("ratio >= {floor:.2}"),
        format!("{ratio:.3}"),
        ratio >= floor,
        clean,
    )
}

pub fn deep_tree(big_rps: f64, small_rps: f64, clean: bool) -> Bar {
    let keep = if small_rps > 0.0 {
        big_rps / small_rps
    } else {
        0.0
    };
    Bar::new(
        format!(">= {DEEP_TREE_KEEP}x deep-100"),
        format!("{keep:.2}x"),
        keep >= DEEP_TREE_KEEP,
        clean,
    )
}

pub fn write(ratio: f64, duplicates: Option<u64>, clean: bool) -> Bar {
    let dup_text = duplicates.map_or_else(|| "dups ?".to_owned(), |d| format!("{d} dups"));
    Bar::new(
        format!("ratio >= {WRITE_RATIO:.2}, 0 dups"),
        format!("{ratio:.3}, {dup_text}"),
        ratio >= WRITE_RATIO && duplicates == Some(0),
        clean,
    )
}

pub fn big_list(p50_ms: f64, p99_ms: f64, answers: u64, clean: bool) -> Bar {
    let spread = if p50_ms > 0.0 {
        p99_ms / p50_ms
    } else {
        f64::INFINITY
    };
    Bar::new(
        format!("p99 < {BIG_LIST_P99_OVER_P50}x p50, >= {BIG_LIST_MIN_ANSWERS} answers"),
        if answers == 0 {
            "no answers".to_owned()
        } else {
            format!("{spread:.1}x, {answers} answers")
        },
        spread < BIG_LIST_P99_OVER_P50 && answers >= BIG_LIST_MIN_ANSWERS,
        clean,
    )
}

pub fn rss(peak_mib: Option<f64>) -> Bar {
    match peak_mib {
        Some(peak) => Bar::new(
            format!("peak <= {RSS_LIMIT_MIB} MiB"),
            format!("{peak:.0} MiB"),
            peak <= RSS_LIMIT_MIB,
            true,
        ),
        None => Bar::new(
            format!("peak <= {RSS_LIMIT_MIB} MiB"),
            "not measured",
            false,
            true,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_fail_a_bar_that_the_figure_passes() {
        assert!(ratio_at_least(0.5, AUTH_READ_RATIO, true).pass);
        let dirty = ratio_at_least(0.5, AUTH_READ_RATIO, false);
        assert!(!dirty.pass);
        assert!(dirty.measured.ends_with("(errors)"));
    }

    #[test]
    fn deep_tree_compares_the_two_trees() {
        assert!(deep_tree(950.0, 1000.0, true).pass);
        assert!(!deep_tree(500.0, 1000.0, true).pass);
        assert!(!deep_tree(500.0, 0.0, true).pass);
    }

    #[test]
    fn write_needs_a_known_zero_duplicates() {
        assert!(write(0.1, Some(0), true).pass);
        assert!(!write(0.1, Some(1), true).pass);
        assert!(!write(0.1, None, true).pass);
        assert!(!write(0.01, Some(0), true).pass);
    }

    #[test]
    fn big_list_spread_and_memory_limits() {
        assert!(big_list(100.0, 900.0, 100, true).pass);
        assert!(!big_list(100.0, 1000.0, 100, true).pass);
        assert!(!big_list(100.0, 100.0, 10, true).pass);
        assert!(rss(Some(199.0)).pass);
        assert!(!rss(Some(201.0)).pass);
        assert!(!rss(None).pass);
    }
}
