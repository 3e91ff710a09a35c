//! The logs of every command: on standard error, filtered by `--log`; the
//! lines of a serving command start with its component name and instance
//! (`maps[9f2c4e1a07b3d856] 2026-… INFO …`), so the logs of many
//! processes gathered in one place still say whose each line is.

use std::fmt;

use clap::ArgMatches;
use switchboard::Fingerprint;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// What a client command logs unless `--log` (or its variable) says: its
/// own warnings and errors, none of the broker client's internal ones.
const CLIENT_LOG: &str = "warn,lapin=off";

/// Logs on standard error, filtered by `--log`: given, as given; else
/// `info` for serving commands and [`CLIENT_LOG`] for clients. A serving
/// command's lines start with `component`'s name and instance.
pub(crate) fn init(matches: &ArgMatches, serves: bool, component: Option<&Fingerprint>) {
    let defaulted = matches.value_source("log") == Some(clap::parser::ValueSource::DefaultValue);
    let filter = match matches.get_one::<String>("log") {
        Some(_) if defaulted && !serves => CLIENT_LOG,
        Some(filter) => filter.as_str(),
        None => "info",
    };
    let prefix = component.map_or_else(String::new, |me| format!("{}[{}] ", me.name, me.instance));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in log files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .event_format(Prefixed {
            prefix,
            inner: tracing_subscriber::fmt::format(),
        })
        .try_init();
}

/// A line format that writes `prefix` before each line of `inner`.
struct Prefixed<F> {
    prefix: String,
    inner: F,
}

impl<S, N, F> FormatEvent<S, N> for Prefixed<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        writer.write_str(&self.prefix)?;
        self.inner.format_event(ctx, writer, event)
    }
}
