//! The report as text: a Markdown table (readable in a terminal, pasteable in a README).

use std::fmt::Write;

use crate::report::Report;

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

/// Requests per second: whole numbers, but a slow scenario keeps two decimals.
pub fn rps(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.0}")
    }
}

/// Ratio to the baseline: four decimals, or scientific notation below 0.001.
pub fn ratio(value: f64) -> String {
    if value > 0.0 && value < 0.001 {
        format!("{value:.1e}")
    } else {
        format!("{value:.4}")
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "orghub bench {} on {} ({}; load before run {}); {} s per scenario, {} connections, {} wrk threads\n",
        report.stamp,
        report.database,
        report.machine,
        report.load_before,
        report.duration_seconds,
        report.connections,
        report.threads
    );
    let legs: Vec<String> = report
        .baseline_legs
        .iter()
        .map(|r| format!("{r:.0}"))
        .collect();
    let _ = writeln!(
        out,
        "baseline req/s, first and last leg: {}\n",
        legs.join(", ")
    );
    out.push_str(
        "| scenario | s | req/s | p50 ms | p99 ms | errors | × baseline | peak RSS MiB | bar | measured | |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
    for s in &report.scenarios {
        let (rule, measured, result) = s.bar.as_ref().map_or(("", String::new(), ""), |b| {
            (b.rule.as_str(), b.measured.clone(), verdict(b.pass))
        });
        let rss = s
            .peak_rss_mib
            .map_or_else(|| "-".to_owned(), |m| format!("{m:.0}"));
        let (rps, ratio) = (rps(s.requests_per_second), ratio(s.ratio_to_baseline));
        let _ = writeln!(
            out,
            "| {} | {:.0} | {rps} | {:.2} | {:.2} | {} | {ratio} | {rss} | {rule} | {measured} | {result} |",
            s.name, s.seconds, s.p50_ms, s.p99_ms, s.errors,
        );
    }
    let m = &report.memory;
    let fmt = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| format!("{v:.0}"));
    let _ = writeln!(
        out,
        "| rss ({}) | | | | | | | idle {}, loaded {} | {} | {} | {} |",
        m.holding,
        fmt(m.idle_rss_mib),
        fmt(m.loaded_peak_rss_mib),
        m.bar.rule,
        m.bar.measured,
        verdict(m.bar.pass)
    );
    out.push('\n');
    if let Some(w) = &report.write_check {
        let conflicts = report
            .scenarios
            .iter()
            .find(|s| s.name == "write")
            .map_or(0, |s| s.conflicts);
        let _ = writeln!(
            out,
            "write: {} organizations created, {} duplicate names, {} answered 409",
            w.created, w.duplicate_names, conflicts
        );
    }
    if let Some(b) = &report.big_list {
        let _ = writeln!(
            out,
            "big list: {:.1} MiB per response, {:.2} s alone, RSS +{:.0} MiB after one request",
            b.response_bytes as f64 / 1024.0 / 1024.0,
            b.seconds_alone,
            b.rss_growth_mib
        );
    }
    let _ = writeln!(
        out,
        "bars: {} passed, {} failed",
        report.bars_passed, report.bars_failed
    );
    out
}
