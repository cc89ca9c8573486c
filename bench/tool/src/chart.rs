//! The report as a PNG: one row a scenario, its ratio to the baseline as a bar on a log scale
//! (green passes its bar, red fails, grey has none), the bar's floor as a black tick.

use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::bars;
use crate::report::{Report, Scenario};
use crate::table;

const WIDTH: u32 = 1500;
const ROW: i32 = 56;
const TOP: i32 = 110;
const NAME_X: i32 = 20;
const BAR_X: i32 = 190;
const BAR_W: i32 = 620;
const TEXT_X: i32 = BAR_X + BAR_W + 20;
const PASS: RGBColor = RGBColor(46, 160, 67);
const FAIL: RGBColor = RGBColor(207, 34, 46);
const NONE: RGBColor = RGBColor(150, 150, 150);

/// plotters' ab_glyph backend draws with fonts registered by name; no system font lookup.
pub fn register_font(path: &Path) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read font {}", path.display()))?;
    plotters::style::register_font(
        "sans-serif",
        FontStyle::Normal,
        Box::leak(bytes.into_boxed_slice()),
    )
    .map_err(|_| anyhow::anyhow!("{} is not a usable font", path.display()))
}

/// Log-scale x position of a ratio between `lo` and `hi`.
fn x_of(ratio: f64, lo: f64, hi: f64) -> i32 {
    let t = (ratio.max(lo).log10() - lo.log10()) / (hi.log10() - lo.log10());
    BAR_X + (t.clamp(0.0, 1.0) * f64::from(BAR_W)) as i32
}

/// The floor a scenario's ratio must reach, when its bar is a ratio.
fn floor_of(s: &Scenario, report: &Report) -> Option<f64> {
    match s.name {
        "auth-read" => Some(bars::AUTH_READ_RATIO),
        "token" => Some(bars::TOKEN_RATIO),
        "write" => Some(bars::WRITE_RATIO),
        "deep-100k" => report
            .scenarios
            .iter()
            .find(|d| d.name == "deep-100")
            .map(|d| d.ratio_to_baseline * bars::DEEP_TREE_KEEP),
        _ => None,
    }
}

pub fn draw(report: &Report, out: &Path) -> anyhow::Result<()> {
    let rows = report.scenarios.len() as i32;
    let height = (TOP + rows * ROW + 190) as u32;
    let root = BitMapBackend::new(out, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let text = |size: u32| ("sans-serif", size).into_font().color(&BLACK);
    let grey = |size: u32| {
        ("sans-serif", size)
            .into_font()
            .color(&RGBColor(90, 90, 90))
    };

    root.draw(&Text::new(
        format!("orghub bench — {} — {}", report.database, report.stamp),
        (NAME_X, 16),
        text(26),
    ))?;
    root.draw(&Text::new(
        format!(
            "{}; {} s per scenario, {} connections; baseline legs {} req/s; bar = ratio to the baseline (log scale)",
            report.machine,
            report.duration_seconds,
            report.connections,
            report
                .baseline_legs
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        (NAME_X, 50),
        grey(16),
    ))?;

    // Decades from 1e-5 (or the smallest ratio, if larger) up to 1; smaller bars stay a sliver.
    let smallest = report
        .scenarios
        .iter()
        .map(|s| s.ratio_to_baseline)
        .filter(|r| *r > 0.0)
        .fold(1.0_f64, f64::min);
    let lo_exp = (smallest.log10().floor() as i32).clamp(-5, -3);
    let lo = 10f64.powi(lo_exp);
    let hi = report
        .scenarios
        .iter()
        .map(|s| s.ratio_to_baseline)
        .fold(1.0_f64, f64::max);
    for exp in lo_exp..=0 {
        let x = x_of(10f64.powi(exp), lo, hi);
        root.draw(&PathElement::new(
            [(x, TOP - 8), (x, TOP + rows * ROW)],
            RGBColor(225, 225, 225),
        ))?;
        let label = if exp >= -3 {
            format!("{:.*}", exp.unsigned_abs() as usize, 10f64.powi(exp))
        } else {
            format!("1e{exp}")
        };
        root.draw(&Text::new(label, (x - 12, TOP - 28), grey(14)))?;
    }

    for (i, s) in report.scenarios.iter().enumerate() {
        let y = TOP + i as i32 * ROW;
        let color = s
            .bar
            .as_ref()
            .map_or(NONE, |b| if b.pass { PASS } else { FAIL });
        root.draw(&Text::new(s.name, (NAME_X, y + 16), text(20)))?;
        let end = x_of(s.ratio_to_baseline, lo, hi).max(BAR_X + 2);
        root.draw(&Rectangle::new(
            [(BAR_X, y + 10), (end, y + ROW - 10)],
            color.filled(),
        ))?;
        if let Some(floor) = floor_of(s, report) {
            let x = x_of(floor, lo, hi);
            root.draw(&PathElement::new(
                [(x, y + 4), (x, y + ROW - 4)],
                BLACK.stroke_width(3),
            ))?;
        }
        let verdict = s.bar.as_ref().map_or(String::new(), |b| {
            format!(
                "  {} {} ({})",
                if b.pass { "PASS" } else { "FAIL" },
                b.rule,
                b.measured
            )
        });
        root.draw(&Text::new(
            format!(
                "{} req/s  ×{}  p50 {:.2} ms  p99 {:.2} ms  err {}  ({:.0} s)",
                table::rps(s.requests_per_second),
                table::ratio(s.ratio_to_baseline),
                s.p50_ms,
                s.p99_ms,
                s.errors,
                s.seconds
            ),
            (TEXT_X, y + 8),
            text(17),
        ))?;
        root.draw(&Text::new(
            format!("{}{verdict}", s.about),
            (TEXT_X, y + 30),
            grey(14),
        ))?;
    }

    let mut y = TOP + rows * ROW + 24;
    let m = &report.memory;
    let mem = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| format!("{v:.0} MiB"));
    let mut lines = vec![(
        format!(
            "RSS with {}: idle {}, loaded peak {} — {} {}",
            m.holding,
            mem(m.idle_rss_mib),
            mem(m.loaded_peak_rss_mib),
            if m.bar.pass { "PASS" } else { "FAIL" },
            m.bar.rule
        ),
        if m.bar.pass { PASS } else { FAIL },
    )];
    if let Some(w) = &report.write_check {
        lines.push((
            format!(
                "write: {} organizations created, {} duplicate names",
                w.created, w.duplicate_names
            ),
            BLACK,
        ));
    }
    if let Some(b) = &report.big_list {
        lines.push((
            format!(
                "big list: {:.1} MiB per response, {:.2} s alone, RSS +{:.0} MiB after one request",
                b.response_bytes as f64 / 1048576.0,
                b.seconds_alone,
                b.rss_growth_mib
            ),
            BLACK,
        ));
    }
    lines.push((
        format!(
            "bars: {} passed, {} failed",
            report.bars_passed, report.bars_failed
        ),
        BLACK,
    ));
    for (line, color) in lines {
        root.draw(&Text::new(
            line,
            (NAME_X, y),
            ("sans-serif", 19).into_font().color(&color),
        ))?;
        y += 36;
    }
    root.present()?;
    Ok(())
}
