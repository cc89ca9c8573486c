//! The report of one run: every scenario as a ratio to the baseline, with its bar.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::bars::{self, Bar};
use crate::measure::{BigListProbe, WriteCheck, read_json, read_rss, read_wrk};

/// The scenarios in the order they run, with what each measures (`{orgs}` and `{users}` are
/// the seeded sizes).
pub const SCENARIOS: [(&str, &str); 7] = [
    ("baseline", "bare axum, fixed small JSON (bench/baseline)"),
    ("auth-read", "GET /xponent/org with a token (11 orgs)"),
    (
        "deep-100",
        "GET /xponent/project/org/{depth 50}, tree of 100",
    ),
    ("deep-100k", "same, tree of {orgs} orgs"),
    ("token", "POST /xponent/token, fresh nonces"),
    ("write", "POST /xponent/org, unique names"),
    ("big-list", "GET /xponent/user, {users} users"),
];

#[derive(Debug, Serialize)]
pub struct Scenario {
    pub name: &'static str,
    pub about: String,
    pub requests: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    pub conflicts: u64,
    pub ratio_to_baseline: f64,
    pub mean_response_bytes: u64,
    /// VmHWM of the server over this scenario alone.
    pub peak_rss_mib: Option<f64>,
    pub bar: Option<Bar>,
}

#[derive(Debug, Serialize)]
pub struct Memory {
    /// What the server held: "100,000 users and 100,000 orgs".
    pub holding: String,
    pub idle_rss_mib: Option<f64>,
    pub loaded_peak_rss_mib: Option<f64>,
    pub bar: Bar,
}

#[derive(Debug, Serialize)]
pub struct BigList {
    pub response_bytes: u64,
    pub seconds_alone: f64,
    pub rss_growth_mib: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub stamp: String,
    pub machine: String,
    /// /proc/loadavg just before the run: another busy process skews every figure.
    pub load_before: String,
    pub database: String,
    pub duration_seconds: u64,
    pub connections: u64,
    pub threads: u64,
    /// Requests per second of the baseline's first and last legs.
    pub baseline_legs: Vec<f64>,
    pub scenarios: Vec<Scenario>,
    pub memory: Memory,
    pub write_check: Option<WriteCheck>,
    pub big_list: Option<BigList>,
    pub seed: Option<Value>,
    pub bars_passed: usize,
    pub bars_failed: usize,
}

pub struct RunInfo {
    pub stamp: String,
    pub database: String,
    pub duration_seconds: u64,
    pub connections: u64,
    pub threads: u64,
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

pub fn build(dir: &Path, info: RunInfo) -> anyhow::Result<Report> {
    let rss = read_rss(&dir.join("rss.tsv"))?;
    let mut baseline_legs = Vec::new();
    for leg in ["wrk-baseline.json", "wrk-baseline.2.json"] {
        if let Some(run) = read_json::<crate::measure::WrkRun>(&dir.join(leg))? {
            baseline_legs.push(run.ok_per_second());
        }
    }
    let seed = read_json(&dir.join("seed.json"))?.map(without_tokens);
    let sizes = Sizes::of(seed.as_ref());
    let mut runs = Vec::new();
    for (name, about) in SCENARIOS {
        if let Some(run) = read_wrk(dir, name)? {
            runs.push((name, about, run));
        }
    }
    let baseline = runs
        .iter()
        .find(|(name, ..)| *name == "baseline")
        .map_or(0.0, |(.., run)| run.ok_per_second());
    let mut scenarios: Vec<Scenario> = runs
        .iter()
        .map(|(name, about, run)| Scenario {
            name,
            about: sizes.fill(about),
            requests: run.requests,
            seconds: run.duration_us as f64 / 1e6,
            requests_per_second: run.ok_per_second(),
            p50_ms: run.p50_us / 1e3,
            p99_ms: run.p99_us / 1e3,
            errors: run.error_count(),
            conflicts: run.conflicts,
            ratio_to_baseline: if baseline > 0.0 {
                run.ok_per_second() / baseline
            } else {
                0.0
            },
            mean_response_bytes: run.bytes / run.requests.max(1),
            peak_rss_mib: rss.get(*name).copied().map(mib),
            bar: None,
        })
        .collect();

    let write_check: Option<WriteCheck> = read_json(&dir.join("write-check.json"))?;
    set_bars(&mut scenarios, write_check.as_ref());

    let loaded_peak = scenarios
        .iter()
        .filter(|s| s.name != "baseline")
        .filter_map(|s| s.peak_rss_mib)
        .reduce(f64::max);
    let memory = Memory {
        holding: sizes.fill("{users} users and {orgs} orgs"),
        idle_rss_mib: rss.get("idle").copied().map(mib),
        loaded_peak_rss_mib: loaded_peak,
        bar: bars::rss(loaded_peak),
    };
    let big_list = read_json::<BigListProbe>(&dir.join("big-list.json"))?.map(|p| BigList {
        response_bytes: p.bytes,
        seconds_alone: p.seconds,
        rss_growth_mib: mib(p.rss_after_kb.saturating_sub(p.rss_before_kb)),
    });

    let all_bars = scenarios
        .iter()
        .filter_map(|s| s.bar.as_ref())
        .chain([&memory.bar]);
    let (passed, failed) = all_bars.fold(
        (0, 0),
        |(p, f), b| if b.pass { (p + 1, f) } else { (p, f + 1) },
    );
    Ok(Report {
        stamp: info.stamp,
        machine: machine(),
        load_before: std::fs::read_to_string(dir.join("loadavg"))
            .unwrap_or_default()
            .trim()
            .to_owned(),
        database: info.database,
        duration_seconds: info.duration_seconds,
        connections: info.connections,
        threads: info.threads,
        baseline_legs,
        scenarios,
        memory,
        write_check,
        big_list,
        seed,
        bars_passed: passed,
        bars_failed: failed,
    })
}

/// The seed summary without the owners' bearer tokens, which were for the run alone.
fn without_tokens(mut seed: Value) -> Value {
    if let Value::Object(members) = &mut seed {
        members.remove("tokens");
    }
    seed
}

/// The seeded sizes, for the descriptions.
struct Sizes {
    orgs: String,
    users: String,
}

impl Sizes {
    fn of(seed: Option<&Value>) -> Self {
        let count = |v: Option<&Value>| {
            v.and_then(Value::as_u64)
                .map_or_else(|| "?".to_owned(), thousands)
        };
        Self {
            orgs: count(seed.and_then(|s| s.pointer("/trees/big/orgs"))),
            users: count(seed.and_then(|s| s.get("users"))),
        }
    }

    fn fill(&self, text: &str) -> String {
        text.replace("{orgs}", &self.orgs)
            .replace("{users}", &self.users)
    }
}

/// 100000 → "100,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn set_bars(scenarios: &mut [Scenario], write_check: Option<&WriteCheck>) {
    let find = |name: &str| scenarios.iter().find(|s| s.name == name);
    let clean = |s: &Scenario| s.errors == 0 && s.requests_per_second > 0.0;
    let deep_small = find("deep-100").map(|s| (s.requests_per_second, clean(s)));
    for s in scenarios.iter_mut() {
        let ok = clean(s);
        s.bar = match s.name {
            "auth-read" => Some(bars::ratio_at_least(
                s.ratio_to_baseline,
                bars::AUTH_READ_RATIO,
                ok,
            )),
            "token" => Some(bars::ratio_at_least(
                s.ratio_to_baseline,
                bars::TOKEN_RATIO,
                ok,
            )),
            "deep-100k" => {
                let (small_rps, small_ok) = deep_small.unwrap_or((0.0, false));
                Some(bars::deep_tree(
                    s.requests_per_second,
                    small_rps,
                    ok && small_ok,
                ))
            }
            "write" => Some(bars::write(
                s.ratio_to_baseline,
                write_check.map(|c| c.duplicate_names),
                ok,
            )),
            "big-list" => {
                let answers = s.requests.saturating_sub(s.errors);
                Some(bars::big_list(s.p50_ms, s.p99_ms, answers, ok))
            }
            _ => None,
        };
    }
}

/// CPU model, cores and memory, from /proc.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')))
        .map_or("unknown CPU", |(_, m)| m.trim());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{model}, {cores} cores, {mem_gib:.0} GiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_fill_descriptions_with_thousands() {
        let seed = serde_json::json!({ "trees": { "big": { "orgs": 100000 } }, "users": 2000 });
        let sizes = Sizes::of(Some(&seed));
        assert_eq!(
            sizes.fill("{orgs} orgs, {users} users"),
            "100,000 orgs, 2,000 users"
        );
        assert_eq!(Sizes::of(None).fill("{orgs}"), "?");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_report_keeps_no_bearer_token() {
        let seed = serde_json::json!({ "users": 2, "tokens": { "auth": "secret" } });
        assert_eq!(without_tokens(seed), serde_json::json!({ "users": 2 }));
    }
}
