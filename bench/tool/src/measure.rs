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

pub fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<Option<T>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path)?;
    serde_json::from_str(&text)
        .map(Some)
        .with_context(|| format!("cannot parse {}", path.display()))
}

/// `rss.tsv`: `idle <kB>` once, then `<scenario> <peak kB>` (VmHWM, reset before each run).
pub fn read_rss(path: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut rss = BTreeMap::new();
    if !path.exists() {
        return Ok(rss);
    }
    for line in std::fs::read_to_string(path)?.lines() {
        if let Some((name, kb)) = line.split_once('\t') {
            rss.insert(name.to_owned(), kb.trim().parse().context("rss.tsv")?);
        }
    }
    Ok(rss)
}
