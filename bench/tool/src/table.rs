//! The report as text: a Markdown table (readable in a terminal, pasteable in a README).

use std::fmt::Write;

use crate::report::Report;

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
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
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} | {:.2} | {:.2} | {} | {:.4} | {rss} | {rule} | {measured} | {result} |",
            s.name,
            s.seconds,
            s.requests_per_second,
            s.p50_ms,
            s.p99_ms,
            s.errors,
            s.ratio_to_baseline
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
