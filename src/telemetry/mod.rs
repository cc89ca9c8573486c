//! Structured logs: human-readable by default, one JSON object per line with `--log-format
//! json`. The level comes from `RUST_LOG` (default `info`).

mod plain;

use std::io::IsTerminal;

use plain::{PlainFields, PlainLine};

use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours for a person at a terminal only: escape codes garble a log file.
    let terminal = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(terminal);
    let _ = match format {
        LogFormat::Human if terminal => builder.try_init(),
        // The same text, written more cheaply (see `plain`).
        LogFormat::Human => builder
            .fmt_fields(PlainFields)
            .event_format(PlainLine)
            .try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
