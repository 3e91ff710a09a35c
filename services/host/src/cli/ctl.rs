//! `ctl drain|quit|restart TARGET`: a control command to components, and
//! their answers.

use std::io::Write;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::Context;
use super::component::StatusBusArgs;
use crate::components::{Command, ControlRequest, ControlSecret, send};
use crate::tools::CommandError;
use crate::tools::duration::{self, Least};

/// Options of `ctl`.
#[derive(Debug, Args)]
#[command(after_help = "\
drain: stop taking new work, finish what runs, stay up (answers `drained`). \
quit: drain, announce offline, exit (answers `quitting`). restart: drain, \
then start again with the same arguments and environment as a new process \
(answers `restarting`). Exits with status 1 if a target refused, 3 if one \
did not answer in time or none was found.")]
pub(crate) struct CtlArgs {
    /// What to do.
    #[arg(value_enum)]
    command: CtlCommand,
    /// Who: a component name, pid@host, an instance id, or `all`.
    target: String,
    #[command(flatten)]
    bus: StatusBusArgs,
    /// How long to wait for the answers: seconds, or a number with a unit.
    #[arg(
        long,
        env = "SWITCHBOARD_CTL_TIMEOUT",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = duration::seconds(Least::AboveZero),
    )]
    timeout: Duration,
    /// Sign the command with this shared secret (the components'
    /// --control-secret).
    #[arg(
        long,
        env = "SWITCHBOARD_CONTROL_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    control_secret: Option<String>,
}

/// `ctl`'s commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CtlCommand {
    /// Stop taking work, finish what runs, stay up.
    Drain,
    /// Drain, then exit.
    Quit,
    /// Drain, then start again as a new process.
    Restart,
}

/// Sends the command and prints each answer.
pub(crate) async fn run(args: CtlArgs, context: &Context) -> Result<(), CommandError> {
    let (me, bus) = args.bus.open_as_tool(&context.info)?;
    let request = ControlRequest {
        command: match args.command {
            CtlCommand::Drain => Command::Drain,
            CtlCommand::Quit => Command::Quit,
            CtlCommand::Restart => Command::Restart,
        },
        target: args.target.clone(),
        timeout: args.timeout,
        secret: args.control_secret.clone().map(ControlSecret::new),
    };
    let report = send(&bus, &me, &request)
        .await
        .map_err(|source| CommandError::StatusBus {
            context: "cannot send the control command".to_owned(),
            source,
        })?;
    let mut out = std::io::stdout().lock();
    for answer in &report.answers {
        let fp = &answer.fingerprint;
        let why = if answer.content.message.is_empty() {
            String::new()
        } else {
            format!(": {}", answer.content.message)
        };
        let _ = writeln!(
            out,
            "{} {} {} {}{why}",
            fp.name,
            fp.pid_at_host(),
            fp.instance,
            answer.content.outcome
        );
    }
    let _ = out.flush();
    if let Some(refused) = report
        .answers
        .iter()
        .find(|a| a.content.outcome == "refused")
    {
        return Err(CommandError::Control(format!(
            "{} refused: {}",
            refused.fingerprint.name, refused.content.message
        )));
    }
    if !report.silent.is_empty() {
        let names: Vec<String> = report
            .silent
            .iter()
            .map(|s| format!("{} ({})", s.fingerprint.name, s.fingerprint.pid_at_host()))
            .collect();
        return Err(CommandError::NoAnswer(format!(
            "no answer within {}s from {}",
            args.timeout.as_secs_f64(),
            names.join(", ")
        )));
    }
    if report.answers.is_empty() {
        return Err(CommandError::NoAnswer(format!(
            "no component `{}` answered within {}s",
            args.target,
            args.timeout.as_secs_f64()
        )));
    }
    Ok(())
}
