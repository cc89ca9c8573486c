//! What `bench/run` left in the run directory: one wrk summary per scenario (written by
//! `lua/common.lua`), resident-memory samples, the write check and the big-list probe.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub struct WrkErrors {
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    /// Responses with a status of 400 or more.
    pub status: u64,
    pub timeout: u64,
}

#[derive(Debug, Deserialize)]
pub struct WrkRun {
    /// Responses received, whatever their status.
    pub requests: u64,
    pub duration_us: u64,
    pub bytes: u64,
    pub errors: WrkErrors,
    pub p50_us: f64,
    pub p99_us: f64,
    /// 409 answers, counted by scripts that look at statuses (`lua/write.lua`).
    #[serde(default)]
    pub conflicts: u64,
}

impl WrkRun {
    /// Two legs of one scenario (`bench/run` alternates the deep reads A B B A): counts add up;
    /// p50 is the mean weighted by answers, p99 the worse of the two (percentiles don't merge).
    pub fn merge(self, other: WrkRun) -> WrkRun {
        let weight = |run: &WrkRun| run.requests.max(1) as f64;
        let (a, b) = (weight(&self), weight(&other));
        WrkRun {
            requests: self.requests + other.requests,
            duration_us: self.duration_us + other.duration_us,
            bytes: self.bytes + other.bytes,
            errors: WrkErrors {
                connect: self.errors.connect + other.errors.connect,
                read: self.errors.read + other.errors.read,
                write: self.errors.write + other.errors.write,
                status: self.errors.status + other.errors.status,
                timeout: self.errors.timeout + other.errors.timeout,
            },
            p50_us: (self.p50_us * a + other.p50_us * b) / (a + b),
            p99_us: self.p99_us.max(other.p99_us),
            conflicts: self.conflicts + other.conflicts,
        }
    }

    pub fn error_count(&self) -> u64 {
        let e = &self.errors;
        e.connect + e.read + e.write + e.status + e.timeout
    }

    /// Successful responses per second: an error answered fast must not count as throughput.
    pub fn ok_per_second(&self) -> f64 {
        let ok = self.requests.saturating_sub(self.errors.status);
        ok as f64 / (self.duration_us.max(1) as f64 / 1e6)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct WriteCheck {
    /// Organizations whose name has the write scenario's prefix.
    pub created: u64,
    /// Names held by more than one organization.
    pub duplicate_names: u64,
}

/// One `GET /user` of the big list, alone, before its load run.
#[derive(Debug, Deserialize)]
pub struct BigListProbe {
    pub bytes: u64,
    pub seconds: f64,
    pub rss_before_kb: u64,
    pub rss_after_kb: u64,
}

/// `wrk-<name>.json`, merged with its second leg `wrk-<name>.2.json` when there is one.
pub fn read_wrk(dir: &Path, name: &str) -> anyhow::Result<Option<WrkRun>> {
    let first: Option<WrkRun> = read_json(&dir.join(format!("wrk-{name}.json")))?;
    let second: Option<WrkRun> = read_json(&dir.join(format!("wrk-{name}.2.json")))?;
    Ok(match (first, second) {
        (Some(a), Some(b)) => Some(a.merge(b)),
        (a, b) => a.or(b),
    })
}

pub fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<Option<T>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path)?;
    serde_json::from_str(&text)
        .map(Some)
        .with_context(|| format!("cannot parse {}", path.display()))
}

/// `rss.tsv`: `idle <kB>` once, then `<scenario> <peak kB>` (VmHWM, reset before each run);
/// a second leg `<scenario>.2` counts towards its scenario.
pub fn read_rss(path: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut rss = BTreeMap::new();
    if !path.exists() {
        return Ok(rss);
    }
    for line in std::fs::read_to_string(path)?.lines() {
        if let Some((name, kb)) = line.split_once('\t') {
            let kb: u64 = kb.trim().parse().context("rss.tsv")?;
            let name = name.strip_suffix(".2").unwrap_or(name);
            let peak = rss.entry(name.to_owned()).or_insert(0);
            *peak = (*peak).max(kb);
        }
    }
    Ok(rss)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(requests: u64, p50: f64, p99: f64) -> WrkRun {
        WrkRun {
            requests,
            duration_us: 1_000_000,
            bytes: 10 * requests,
            errors: WrkErrors {
                status: 1,
                ..WrkErrors::default()
            },
            p50_us: p50,
            p99_us: p99,
            conflicts: 0,
        }
    }

    #[test]
    fn two_legs_merge_into_one_rate() {
        let merged = run(100, 10.0, 50.0).merge(run(300, 20.0, 40.0));
        assert_eq!(merged.requests, 400);
        assert_eq!(merged.error_count(), 2);
        assert!((merged.ok_per_second() - 199.0).abs() < 1e-9);
        assert!((merged.p50_us - 17.5).abs() < 1e-9);
        assert_eq!(merged.p99_us, 50.0);
    }
}
