//! The human log line without colours, for log files and pipes: the text of
//! tracing-subscriber's default (`Full`) format, written with a fraction of its work.
//!
//! `Full` paints every field name and separator through its colour styles even when colours
//! are off, formats each field through `core::fmt`, and formats the whole date anew for every
//! line: together 11k of the 75k instructions a logged read costs (see bench/README.md).
//! Here numbers and flags are written as digits, strings as their escaped `Debug` form (a
//! request's path cannot forge a line), the date once a second per thread, and every other
//! field by tracing-subscriber's own visitor, so the output does not change.

use std::cell::RefCell;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::field::{RecordFields, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// `2026-12-01T22:51:47.567881Z  INFO span{field=1}: target: message field="value"`.
pub struct PlainLine;

impl<S, N> FormatEvent<S, N> for PlainLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // Events forwarded from the `log` crate carry their real target in fields.
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        write_timestamp(&mut writer, SystemTime::now())?;
        writer.write_char(' ')?;
        writer.write_str(level_label(meta.level()))?;
        writer.write_char(' ')?;
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                writer.write_str(span.metadata().name())?;
                let extensions = span.extensions();
                if let Some(fields) = extensions.get::<FormattedFields<N>>()
                    && !fields.is_empty()
                {
                    writer.write_char('{')?;
                    writer.write_str(fields)?;
                    writer.write_char('}')?;
                }
                writer.write_char(':')?;
            }
            writer.write_char(' ')?;
        }
        writer.write_str(meta.target())?;
        writer.write_str(": ")?;
        ctx.format_fields(writer.by_ref(), event)?;
        writer.write_char('\n')
    }
}

/// The level right-aligned in five columns, as `Full` writes it.
fn level_label(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        Level::ERROR => "ERROR",
    }
}

thread_local! {
    /// The second last written by this thread and its text, `2026-12-01T22:51:47`.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// `2026-12-01T22:51:47.567881Z`: UTC, to the microsecond.
fn write_timestamp(writer: &mut impl fmt::Write, now: SystemTime) -> fmt::Result {
    let Ok(since_epoch) = now.duration_since(UNIX_EPOCH) else {
        return writer.write_str("<unknown time>");
    };
    let seconds = since_epoch.as_secs();
    SECOND.with_borrow_mut(|(cached, text)| {
        if *cached != seconds {
            text.clear();
            let format =
                time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
            let formatted = i64::try_from(seconds)
                .ok()
                .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
                .and_then(|date| date.format(format).ok());
            match formatted {
                Some(formatted) => text.push_str(&formatted),
                None => return writer.write_str("<unknown time>"),
            }
            *cached = seconds;
        }
        writer.write_str(text)
    })?;
    let mut micros = [b'0'; 6];
    let mut rest = since_epoch.subsec_micros();
    for digit in micros.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    writer.write_char('.')?;
    // Six ASCII digits.
    writer.write_str(std::str::from_utf8(&micros).map_err(|_| fmt::Error)?)?;
    writer.write_char('Z')
}

/// The fields as `name=value`, separated by spaces, the message first and bare.
pub struct PlainFields;

impl<'writer> FormatFields<'writer> for PlainFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = PlainVisitor {
            writer,
            is_empty: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct PlainVisitor<'writer> {
    writer: Writer<'writer>,
    is_empty: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    /// Writes one field whose value `write` renders; skips the `log.*` fields.
    fn field(&mut self, field: &Field, write: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        let name = field.name();
        if self.result.is_err() || name.starts_with("log.") {
            return;
        }
        let name = name.strip_prefix("r#").unwrap_or(name);
        let first = std::mem::take(&mut self.is_empty);
        self.result = write_field(&mut self.writer, first, name, write);
    }

    /// Leaves the field to tracing-subscriber's visitor, which writes it as `Full` does.
    fn default_visitor(&mut self) -> Option<DefaultVisitor<'_>> {
        if self.result.is_err() {
            return None;
        }
        let is_empty = self.is_empty;
        Some(DefaultVisitor::new(self.writer.by_ref(), is_empty))
    }
}

/// ` name=value`, without the space before the first field.
fn write_field(
    writer: &mut Writer<'_>,
    first: bool,
    name: &str,
    write: impl FnOnce(&mut Writer<'_>) -> fmt::Result,
) -> fmt::Result {
    if !first {
        writer.write_char(' ')?;
    }
    writer.write_str(name)?;
    writer.write_char('=')?;
    write(writer)
}

impl Visit for PlainVisitor<'_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |w| w.write_str(itoa::Buffer::new().format(value)));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |w| w.write_str(itoa::Buffer::new().format(value)));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |w| w.write_str(if value { "true" } else { "false" }));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            return self.record_debug(field, &format_args!("{value}"));
        }
        // `Debug` quotes and escapes: no control character reaches the log.
        self.field(field, |w| write!(w, "{value:?}"));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if let Some(mut visitor) = self.default_visitor() {
            visitor.record_error(field, value);
            self.result = visitor.finish();
            self.is_empty = false;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name().starts_with("log.") {
            return;
        }
        if let Some(mut visitor) = self.default_visitor() {
            visitor.record_debug(field, value);
            self.result = visitor.finish();
            self.is_empty = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    /// What a subscriber wrote, line by line.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    impl Captured {
        /// The lines without their timestamps (the two formatters read the clock apart).
        fn lines(&self) -> Vec<String> {
            String::from_utf8(self.0.lock().unwrap().clone())
                .unwrap()
                .lines()
                .map(|line| line[27..].to_owned())
                .collect()
        }
    }

    #[derive(Debug)]
    struct Failure(&'static str, Option<Box<Failure>>);

    impl fmt::Display for Failure {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Failure {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|source| source as _)
        }
    }

    /// Every kind of field orghub logs, inside and outside spans.
    fn log_everything() {
        tracing::info!(
            method = "GET",
            path = "/a path\nwith \u{1b}[31m a forged line",
            status = 200_u16,
            latency_us = 1_234_u64,
            delta = -5_i64,
            cached = true,
            request_id = Some("abc"),
            "request"
        );
        let error = Failure("outer", Some(Box::new(Failure("inner", None))));
        tracing::error!(
            error = &error as &(dyn std::error::Error + 'static),
            r#type = "x",
            "log.target" = "hidden",
            "failed: {}",
            42
        );
        let span = tracing::info_span!("request", method = "POST", n = 3_u64);
        let _entered = span.enter();
        let inner = tracing::info_span!("empty");
        let _inner = inner.enter();
        tracing::warn!(detail = %"shown with Display", "inside");
    }

    fn captured_with(plain: bool) -> Vec<String> {
        let captured = Captured::default();
        let builder = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false);
        if plain {
            let subscriber = builder
                .fmt_fields(PlainFields)
                .event_format(PlainLine)
                .finish();
            tracing::subscriber::with_default(subscriber, log_everything);
        } else {
            tracing::subscriber::with_default(builder.finish(), log_everything);
        }
        captured.lines()
    }

    #[test]
    fn lines_are_those_of_the_default_format() {
        let plain = captured_with(true);
        assert_eq!(plain.len(), 3);
        assert_eq!(plain, captured_with(false));
        assert!(plain[0].contains(r#"path="/a path\nwith \u{1b}[31m a forged line""#));
    }

    #[test]
    fn timestamps_are_utc_to_the_microsecond() {
        let at = |seconds: u64, micros: u64| {
            let mut text = String::new();
            let time = UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_micros(micros);
            write_timestamp(&mut text, time).unwrap();
            text
        };
        assert_eq!(at(1_796_165_507, 42), "2026-12-01T22:51:47.000042Z");
        // The same second again, from the thread's cache, then the next one.
        assert_eq!(at(1_796_165_507, 999_999), "2026-12-01T22:51:47.999999Z");
        assert_eq!(at(1_796_165_508, 0), "2026-12-01T22:51:48.000000Z");
        assert_eq!(at(0, 7), "1970-01-01T00:00:00.000007Z");
    }
}
