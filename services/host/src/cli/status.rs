//! `status`: the components announcing themselves on the status bus, from
//! their heartbeats (nothing is asked of them).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::Args;

use super::Context;
use super::component::StatusBusArgs;
use crate::components::watch::{Components, Heard, Seen, StatusFeed, instance_key};
use crate::tools::duration::{self, Least};
use crate::tools::{CommandError, signal};

/// Options of `status`.
#[derive(Debug, Args)]
#[command(after_help = "\
A component is online, draining, drained, offline (it said so when it \
stopped) or lost (it missed two heartbeats). A Postage component \
(MessageStatus) shows its own status word and, announcing no heartbeat, \
is never lost. The list answers from the \
heartbeats heard while waiting (--wait, one heartbeat interval by default): \
components are never asked, so a busy one never looks missing.")]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    bus: StatusBusArgs,
    /// Keep watching: redraw the list in place on a terminal, one line per
    /// change otherwise.
    #[arg(long)]
    watch: bool,
    /// Print JSON: the list (one array), or with --watch one object per
    /// change.
    #[arg(long)]
    json: bool,
    /// How long to listen before listing: seconds, or a number with a unit
    /// (500ms, 1.5s).
    #[arg(
        long,
        env = "SWITCHBOARD_STATUS_WAIT",
        value_name = "SECONDS",
        default_value = "5.5",
        value_parser = duration::seconds(Least::AboveZero),
    )]
    wait: Duration,
}

/// Lists the components, or watches them with `--watch`.
pub(crate) async fn run(args: StatusArgs, context: &Context) -> Result<(), CommandError> {
    let (_me, bus) = args.bus.open_as_tool(&context.info)?;
    let mut feed = StatusFeed::follow(&bus)
        .await
        .map_err(|source| bus_error("cannot follow the status topic", source))?;
    let mut components = Components::default();
    if args.watch {
        return watch(&args, &mut feed, &mut components).await;
    }
    feed.gather_until(Instant::now() + args.wait, &mut components, |_| false)
        .await
        .map_err(|source| bus_error("the status topic closed", source))?;
    components.expire();
    let list = components.list();
    let text = if args.json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        )
    } else {
        table(&list)
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

fn bus_error(context: &str, source: switchboard::TransportError) -> CommandError {
    CommandError::StatusBus {
        context: context.to_owned(),
        source,
    }
}

/// Follows the status topic until a signal, printing changes.
async fn watch(
    args: &StatusArgs,
    feed: &mut StatusFeed,
    components: &mut Components,
) -> Result<(), CommandError> {
    let redraw = std::io::stdout().is_terminal() && !args.json;
    let mut stop = std::pin::pin!(signal().map_err(CommandError::Signals)?);
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            _ = ticks.tick() => {
                let lost = components.expire();
                if redraw {
                    draw(components);
                } else {
                    for seen in &lost {
                        change(seen, args.json);
                    }
                }
            }
            heard = feed.next() => {
                let heard = heard.map_err(|source| bus_error("the status topic closed", source))?;
                if let Heard::Liveness(message) = heard {
                    let key = instance_key(&message.fingerprint);
                    if components.hear(message) && !redraw {
                        let now = components.list();
                        if let Some(seen) = now.iter().find(|s| instance_key(&s.fingerprint) == key) {
                            change(seen, args.json);
                        }
                    }
                }
            }
        }
    }
}

/// Clears the terminal and prints the list.
fn draw(components: &Components) {
    let text = format!("\x1b[2J\x1b[H{}", table(&components.list()));
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// One line (or JSON object) for a component whose state changed.
fn change(seen: &Seen, json: bool) {
    let line = if json {
        serde_json::to_string(seen).unwrap_or_default()
    } else {
        format!(
            "{} {} {} {} {}",
            seen.liveness.at,
            seen.fingerprint.name,
            seen.fingerprint.pid_at_host(),
            seen.fingerprint.instance,
            seen.shown_state()
        )
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// The list as a table.
fn table(list: &[Seen]) -> String {
    if list.is_empty() {
        return "no components heard\n".to_owned();
    }
    let header = [
        "NAME",
        "TYPE",
        "PID@HOST",
        "VERSION",
        "UPTIME",
        "TRANSPORTS",
        "IN FLIGHT",
        "LAST",
        "STATE",
    ];
    let rows: Vec<[String; 9]> = list
        .iter()
        .map(|seen| {
            let fp = &seen.fingerprint;
            [
                fp.name.clone(),
                fp.kind.clone(),
                fp.pid_at_host(),
                fp.version.clone(),
                seen.uptime_s.map_or_else(|| "?".to_owned(), span),
                seen.liveness.transports.join(","),
                seen.liveness.in_flight.to_string(),
                format!("{}s ago", seen.last_heartbeat_s.round()),
                seen.shown_state().to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(padded.join("  ").trim_end());
        text.push('\n');
    };
    line(&mut header.iter().copied());
    for row in &rows {
        line(&mut row.iter().map(String::as_str));
    }
    text
}

/// Seconds as `3d4h`, `2h5m`, `4m10s` or `12s`.
fn span(seconds: f64) -> String {
    // Whole seconds; uptimes are far below u64's range.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = seconds.max(0.0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{}s", s / 60, s % 60),
        3600..86_400 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::span;

    #[test]
    fn spans_read_at_a_glance() {
        assert_eq!(span(12.7), "12s");
        assert_eq!(span(250.0), "4m10s");
        assert_eq!(span(7500.0), "2h5m");
        assert_eq!(span(266_400.0), "3d2h");
    }
}
