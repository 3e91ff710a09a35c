//! The logs of every command: on standard error, filtered by `--log`, in
//! the format `--log-format` names.
//!
//! - `text` (the default): lines for people; colour codes only when
//!   standard error is a terminal. The lines of a serving command start
//!   with its component name and instance (`maps[9f2c4e1a07b3d856]
//!   2026-… INFO …`), so the logs of many processes gathered in one place
//!   still say whose each line is.
//! - `json`: one JSON object per line, for log collectors: `timestamp`,
//!   `level`, `target`, `fields` (the message and the event's fields),
//!   `span` (the innermost span, with its fields) and `spans` (every span
//!   the event is in, outermost first); a serving command's lines also
//!   carry `component` and `instance`.
//!
//! Every call runs in a span of its own (`request`, see
//! [`Server::process`](switchboard::Server::process)), so what is logged
//! during a call names its method, transport and trace id. That span's
//! fields are formatted by [`CallFields`] rather than by the fmt layer:
//! the same text, at a third of the cost, which a call pays whether it
//! logs anything or not.

use std::fmt::{self, Write as _};
use std::marker::PhantomData;

use clap::ArgMatches;
use switchboard::{CALL_SPAN_NAME, CALL_SPAN_TARGET, Fingerprint};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{DefaultFields, JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// What a client command logs unless `--log` (or its variable) says: its
/// own warnings and errors, none of the broker client's internal ones.
const CLIENT_LOG: &str = "warn,lapin=off";

/// `--log-format`: how log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Lines for people: time, level, spans, target, message, fields.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Logs on standard error, filtered by `--log`: given, as given; else
/// `info` for serving commands and [`CLIENT_LOG`] for clients; in the
/// format `--log-format` names. A serving command's lines name
/// `component`'s name and instance.
pub(crate) fn init(matches: &ArgMatches, serves: bool, component: Option<&Fingerprint>) {
    let defaulted = matches.value_source("log") == Some(clap::parser::ValueSource::DefaultValue);
    let filter = match matches.get_one::<String>("log") {
        Some(_) if defaulted && !serves => CLIENT_LOG,
        Some(filter) => filter.as_str(),
        None => "info",
    };
    let format = matches
        .get_one::<LogFormat>("log_format")
        .copied()
        .unwrap_or_default();
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into());
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Text => {
            // Colour codes only for a person at a terminal, not in log files.
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let prefix =
                component.map_or_else(String::new, |me| format!("{}[{}] ", me.name, me.instance));
            registry
                .with(CallFields::<DefaultFields>::text(ansi))
                .with(
                    tracing_subscriber::fmt::layer()
                        .with_writer(std::io::stderr)
                        .with_ansi(ansi)
                        .event_format(Prefixed {
                            prefix,
                            inner: tracing_subscriber::fmt::format(),
                        }),
                )
                .try_init()
        }
        LogFormat::Json => registry
            .with(CallFields::<JsonFields>::json())
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_ansi(false)
                    .event_format(json_format(component)),
            )
            .try_init(),
    };
}

/// The JSON line format: the current span and the span list included,
/// and `component`'s name and instance first when given.
fn json_format(
    component: Option<&Fingerprint>,
) -> Tagged<tracing_subscriber::fmt::format::Format<tracing_subscriber::fmt::format::Json>> {
    Tagged {
        members: component.map_or_else(String::new, json_members),
        inner: tracing_subscriber::fmt::format()
            .json()
            .with_current_span(true)
            .with_span_list(true),
    }
}

/// `"component":NAME,"instance":INSTANCE,`: the members a serving
/// command's JSON lines start with.
fn json_members(me: &Fingerprint) -> String {
    let text = |value: &str| serde_json::Value::from(value).to_string();
    format!(
        "\"component\":{},\"instance\":{},",
        text(&me.name),
        text(&me.instance)
    )
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

/// A JSON line format that puts `members` (`"name":value,` pairs, or
/// nothing) first in each object `inner` writes.
struct Tagged<F> {
    members: String,
    inner: F,
}

impl<S, N, F> FormatEvent<S, N> for Tagged<F>
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
        if self.members.is_empty() {
            return self.inner.format_event(ctx, writer, event);
        }
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => {
                writer.write_char('{')?;
                writer.write_str(&self.members)?;
                writer.write_str(rest)
            }
            // Not an object: written as it is.
            None => writer.write_str(&line),
        }
    }
}

/// A layer that formats the fields of the pipeline's call spans (target
/// [`CALL_SPAN_TARGET`], name [`CALL_SPAN_NAME`]) for a fmt layer whose
/// field formatter is `N`, before that layer would, which then keeps them.
///
/// The output is what `N` writes for these fields (`DefaultFields`:
/// `name=value` pairs, values as `Debug` writes them; `JsonFields`: one
/// JSON object), written straight into one buffer: `N` costs three times
/// as much per span, and there is one span per call. Other spans are left
/// to `N`.
struct CallFields<N> {
    json: bool,
    ansi: bool,
    _fields: PhantomData<fn(N)>,
}

impl CallFields<DefaultFields> {
    /// Text fields; names in italics and `=` dimmed when `ansi`, as
    /// `DefaultFields` writes them.
    fn text(ansi: bool) -> Self {
        Self {
            json: false,
            ansi,
            _fields: PhantomData,
        }
    }
}

impl CallFields<JsonFields> {
    /// JSON fields.
    fn json() -> Self {
        Self {
            json: true,
            ansi: false,
            _fields: PhantomData,
        }
    }
}

impl<S, N> Layer<S> for CallFields<N>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        if meta.target() != CALL_SPAN_TARGET || meta.name() != CALL_SPAN_NAME {
            return;
        }
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if extensions.get_mut::<FormattedFields<N>>().is_some() {
            return;
        }
        let mut fields = FieldWriter {
            out: String::with_capacity(160),
            json: self.json,
            ansi: self.ansi,
            empty: true,
        };
        attrs.record(&mut fields);
        extensions.insert(FormattedFields::<N>::new(fields.finish()));
    }
}

/// Writes fields as `DefaultFields` (text) or `JsonFields` (JSON) would.
struct FieldWriter {
    out: String,
    json: bool,
    ansi: bool,
    empty: bool,
}

impl FieldWriter {
    /// Starts a field: the separator, the name, `=` or `:`.
    fn name(&mut self, name: &str) {
        let first = std::mem::replace(&mut self.empty, false);
        if self.json {
            self.out.push_str(if first { "{\"" } else { ",\"" });
            JsonText(&mut self.out).push(name);
            self.out.push_str("\":");
        } else {
            if !first {
                self.out.push(' ');
            }
            if self.ansi {
                // nu-ansi-term's italic, then its dimmed, as DefaultFields paints.
                self.out.push_str("\x1b[3m");
                self.out.push_str(name);
                self.out.push_str("\x1b[0m\x1b[2m=\x1b[0m");
            } else {
                self.out.push_str(name);
                self.out.push('=');
            }
        }
    }

    /// A value written as it is (a number, a boolean).
    fn bare(&mut self, field: &Field, value: impl fmt::Display) {
        self.name(field.name());
        let _ = write!(self.out, "{value}");
    }

    /// The fields as `N` keeps them.
    fn finish(mut self) -> String {
        if self.json {
            if self.empty {
                self.out.push('{');
            }
            self.out.push('}');
        }
        self.out
    }
}

impl Visit for FieldWriter {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.bare(field, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.bare(field, value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.bare(field, value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if self.json {
            self.name(field.name());
            self.out.push('"');
            JsonText(&mut self.out).push(value);
            self.out.push('"');
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.name(field.name());
        if self.json {
            self.out.push('"');
            let _ = write!(JsonText(&mut self.out), "{value:?}");
            self.out.push('"');
        } else {
            let _ = write!(self.out, "{value:?}");
        }
    }
}

/// Text written into a JSON string: quotes, backslashes and control
/// characters escaped.
struct JsonText<'a>(&'a mut String);

impl JsonText<'_> {
    fn push(&mut self, text: &str) {
        let _ = self.write_str(text);
    }
}

impl fmt::Write for JsonText<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // The characters to escape are ASCII: the text between them is
        // copied whole.
        let mut start = 0;
        for (at, byte) in text.bytes().enumerate() {
            let escaped = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..0x20 => "",
                _ => continue,
            };
            self.0.push_str(&text[start..at]);
            if escaped.is_empty() {
                write!(self.0, "\\u{byte:04x}")?;
            } else {
                self.0.push_str(escaped);
            }
            start = at + 1;
        }
        self.0.push_str(&text[start..]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let mut buffer = self.0.lock().map_err(|_| io::Error::other("poisoned"))?;
            buffer.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What `subscriber` logs for an event in a call span.
    fn logged(subscriber: impl Subscriber + Send + Sync, buffer: &Buffer) -> String {
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                target: CALL_SPAN_TARGET,
                CALL_SPAN_NAME,
                id = 7u64,
                transport = tracing::field::display("http"),
                rpc.method = tracing::field::display("demo/echo"),
                quoted = "a \"b\"\n\u{1}",
                debugged = ?("x", 1.5),
                empty = tracing::field::Empty,
                negative = -3i64,
                yes = true,
            );
            let _entered = span.enter();
            tracing::warn!(code = "Server", "call failed");
        });
        let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn the_layer_formats_call_spans_only() {
        let subscriber =
            tracing_subscriber::registry().with(CallFields::<DefaultFields>::text(false));
        tracing::subscriber::with_default(subscriber, || {
            let call = tracing::info_span!(
                target: CALL_SPAN_TARGET,
                CALL_SPAN_NAME,
                id = 7u64,
                rpc.method = tracing::field::display("demo/echo")
            );
            let other = tracing::info_span!("request", id = 7u64);
            let fields = |span: &tracing::Span| {
                let id = span.id()?;
                tracing::dispatcher::get_default(|dispatch| {
                    let registry = dispatch.downcast_ref::<tracing_subscriber::Registry>()?;
                    let span = registry.span(&id)?;
                    let extensions = span.extensions();
                    let fields = extensions.get::<FormattedFields<DefaultFields>>()?;
                    Some(fields.fields.clone())
                })
            };
            assert_eq!(fields(&call).as_deref(), Some("id=7 rpc.method=demo/echo"));
            assert_eq!(fields(&other), None);
        });
    }

    #[test]
    fn call_fields_are_what_the_fmt_layer_writes() {
        fn layer<S>(buffer: &Buffer, ansi: bool) -> impl Layer<S>
        where
            S: Subscriber + for<'a> LookupSpan<'a>,
        {
            let writer = buffer.clone();
            tracing_subscriber::fmt::layer()
                .with_writer(move || writer.clone())
                .with_ansi(ansi)
                .without_time()
        }
        for ansi in [false, true] {
            let (plain, fast) = (Buffer::default(), Buffer::default());
            let expected = logged(
                tracing_subscriber::registry().with(layer(&plain, ansi)),
                &plain,
            );
            let got = logged(
                tracing_subscriber::registry()
                    .with(CallFields::<DefaultFields>::text(ansi))
                    .with(layer(&fast, ansi)),
                &fast,
            );
            assert!(expected.contains("rpc.method"), "{expected}");
            assert_eq!(got, expected, "ansi: {ansi}");
        }
    }

    #[test]
    fn call_fields_are_what_the_json_layer_writes() -> Result<(), Box<dyn std::error::Error>> {
        fn layer<S>(buffer: &Buffer) -> impl Layer<S>
        where
            S: Subscriber + for<'a> LookupSpan<'a>,
        {
            let writer = buffer.clone();
            tracing_subscriber::fmt::layer()
                .json()
                .with_writer(move || writer.clone())
                .event_format(json_format(None))
        }
        let (plain, fast) = (Buffer::default(), Buffer::default());
        let expected = logged(tracing_subscriber::registry().with(layer(&plain)), &plain);
        let got = logged(
            tracing_subscriber::registry()
                .with(CallFields::<JsonFields>::json())
                .with(layer(&fast)),
            &fast,
        );
        let expected: serde_json::Value = serde_json::from_str(expected.trim_end())?;
        let got: serde_json::Value = serde_json::from_str(got.trim_end())?;
        assert_eq!(expected["span"]["quoted"], "a \"b\"\n\u{1}", "{expected}");
        assert_eq!(got["span"], expected["span"]);
        assert_eq!(got["spans"], expected["spans"]);
        Ok(())
    }

    #[test]
    fn json_lines_name_the_component_and_carry_the_spans() -> Result<(), Box<dyn std::error::Error>>
    {
        let me = Fingerprint::new("maps", "service", "1.0.0");
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .json()
            .event_format(Tagged {
                members: json_members(&me),
                inner: tracing_subscriber::fmt::format()
                    .json()
                    .with_current_span(true)
                    .with_span_list(true),
            })
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", rpc.method = "maps/create");
            let _entered = span.enter();
            tracing::warn!(code = "Server", "call failed");
        });
        let bytes = buffer.0.lock().map_err(|_| "poisoned")?.clone();
        let text = String::from_utf8(bytes)?;
        let line: serde_json::Value = serde_json::from_str(text.trim_end())?;
        assert_eq!(line["component"], "maps", "{text}");
        assert_eq!(line["instance"], me.instance.as_str(), "{text}");
        assert_eq!(line["level"], "WARN", "{text}");
        assert_eq!(line["fields"]["message"], "call failed", "{text}");
        assert_eq!(line["span"]["rpc.method"], "maps/create", "{text}");
        assert_eq!(line["spans"][0]["name"], "request", "{text}");
        Ok(())
    }
}
