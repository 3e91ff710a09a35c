//! Command-line parsing and dispatch for every host. Settings come from
//! flags, then `NAME_*` environment variables, then a `.env` file in the
//! working directory (loaded first, never overriding the real
//! environment).
//!
//! The commands are written once, for a binary called `switchboard`;
//! [`rebrand`] gives them the host's name: its variables' prefix, its
//! default file names, and its name wherever help texts name the binary.
//!
//! Commands return `Result<_, CommandError>`; [`run`] turns an error into
//! its message and exit status in one place ([`report`]).

mod amqp;
mod call;
mod component;
mod ctl;
mod hosted;
mod interface;
mod logs;
mod metrics;
mod params;
mod queue;
mod replies;
mod serve;
mod signing;
mod status;

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{
    ArgMatches, Command as ClapCommand, CommandFactory, FromArgMatches, Parser, Subcommand,
};

use switchboard::Fingerprint;

use crate::catalog::Service;
use crate::catalog::services::{SetupFn, install};
use crate::host::{Host, HostInfo, ServeHook};
use crate::tools::{CommandError, Exit, report};

/// What every command of a host gets: who the host is, what it serves.
pub(crate) struct Context {
    /// The host.
    pub(crate) info: HostInfo,
    /// The services it can serve.
    pub(crate) services: &'static [Service],
    /// Its own setups, run whatever it serves.
    pub(crate) setups: Vec<SetupFn>,
    /// Who this process is, as a component (`--component-name`,
    /// `--component-type` where the command has them).
    pub(crate) fingerprint: Arc<Fingerprint>,
    /// What `serve` runs beside the transports.
    pub(crate) serve_hooks: Vec<ServeHook>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("info", &self.info)
            .field("services", &self.services)
            .field("setups", &self.setups.len())
            .finish_non_exhaustive()
    }
}

/// The standard commands.
#[derive(Debug, Parser)]
#[command(name = "switchboard", long_about = None)]
struct Cli {
    /// Log filter (`info`, `debug`, `switchboard=trace`, ...). Unless given,
    /// commands that serve log at `info`, client commands (`call`,
    /// `enqueue`, ...) only their own warnings and errors.
    #[arg(long, env = "SWITCHBOARD_LOG", default_value = "info", global = true)]
    log: String,

    /// Log line format: `text` for people, `json` for log collectors (one
    /// JSON object per line, with the spans' fields: a call's method,
    /// transport and trace id).
    #[arg(
        long,
        env = "SWITCHBOARD_LOG_FORMAT",
        value_enum,
        default_value_t = logs::LogFormat::Text,
        global = true
    )]
    log_format: logs::LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the services on every transport asked (HTTP, RabbitMQ, a
    /// queue file...), in every protocol (see --on, --protocols).
    Serve(serve::ServeArgs),
    /// Call a method on a running server and print the result as JSON.
    Call(call::CallArgs),
    /// Run a consumer of a SQLite queue file: the services run its tasks.
    Consume(queue::ConsumeArgs),
    /// Put one call into a queue (a SQLite queue file, or RabbitMQ) for
    /// consumers to run.
    Enqueue(queue::EnqueueArgs),
    /// Inspect and repair a SQLite queue file: status, failures, retry, gc.
    Queue(queue::QueueArgs),
    /// Write an interface document (OpenAPI, OpenRPC, the docs page, the
    /// WSDL) of the services without starting a server.
    Interface(interface::InterfaceArgs),
    /// List the components announcing themselves on the status bus (name,
    /// pid@host, version, transports, state), or watch them.
    Status(status::StatusArgs),
    /// Tell components to drain, quit or restart, and print their answers.
    Ctl(ctl::CtlArgs),
}

/// What `--help` ends with: where settings come from, and the exit statuses.
fn after_help() -> String {
    format!(
        "Settings: every option can also be set by the SWITCHBOARD_* variable its help \
         names, in the environment or in a .env file in the working directory (the \
         environment wins).\n\n{}",
        Exit::help()
    )
}

/// The host's command line: the standard commands, its own, and its
/// serve hooks' flags, under its name. Installs its services (the
/// `--services` values) first.
pub(crate) fn command_line(host: &Host) -> ClapCommand {
    install(host.services.clone());
    let info = &host.info;
    let about = host.about.clone().unwrap_or_else(|| {
        format!(
            "{}: services over HTTP, RabbitMQ and queue files, in JSON-RPC, JSON and SOAP",
            info.name()
        )
    });
    let mut command = Cli::command()
        .about(about)
        .version(info.version().to_owned())
        .after_help(after_help());
    for tool in &host.commands {
        command = command.subcommand(tool.command.clone());
    }
    command = command.mut_subcommand("serve", |serve| serve.after_help(serve_help()));
    for name in ["call", "enqueue"] {
        command = command.mut_subcommand(name, with_sending_help);
    }
    for hook in &host.serve_hooks {
        command = command.mut_subcommand("serve", |serve| with_hook_args(serve, hook));
    }
    rebrand(command, info)
}

/// A sending command whose `--to` help lists the linked transports.
fn with_sending_help(command: ClapCommand) -> ClapCommand {
    command.mut_arg("to", |to| {
        let help = to.get_help().map(ToString::to_string).unwrap_or_default();
        to.long_help(format!("{help}\n\n{}", sending_help()))
    })
}

/// `serve` with a serve hook's flags, and still its own about texts.
fn with_hook_args(serve: ClapCommand, hook: &ServeHook) -> ClapCommand {
    // A derived `Args` sets the about from its own doc: keep serve's.
    let about = serve.get_about().cloned();
    let long_about = serve.get_long_about().cloned();
    let mut serve = (hook.args)(serve);
    if let Some(about) = about {
        serve = serve.about(about);
    }
    if let Some(long_about) = long_about {
        serve = serve.long_about(long_about);
    }
    serve
}

/// What `serve --help` ends with: every transport linked into the binary
/// that can serve, its example address, options and capabilities.
fn serve_help() -> String {
    let mut text = String::from(
        "Transports linked into this binary (each --on ADDRESS is served by the one \
         its scheme names, all in one process with one shutdown):\n",
    );
    for transport in switchboard::catalog::transports() {
        if !transport.can_serve() {
            continue;
        }
        text.push_str(&format!(
            "  {:<8} {}\n           {}\n",
            transport.name(),
            transport.example_address(),
            transport.description()
        ));
        let options = transport.address_options();
        if !options.is_empty() {
            text.push_str(&format!("           options: {}\n", options.join(", ")));
        }
        text.push_str(&format!(
            "           can: {}\n",
            transport.capabilities_of().describe()
        ));
    }
    text.push_str(
        "Without --on, --transport picks http (at --listen) and amqp (at --amqp-url, \
         --amqp-queue).",
    );
    text
}

/// What `--to` says besides its own help: the schemes it takes here.
fn sending_help() -> String {
    let examples: Vec<String> = switchboard::catalog::transports()
        .into_iter()
        .filter(|t| t.can_send())
        .map(|t| {
            format!(
                "{} ({})",
                t.example_address(),
                t.capabilities_of().describe()
            )
        })
        .collect();
    format!("Linked transports: {}", examples.join("; "))
}

/// `command` as the host `info` names it: `SWITCHBOARD_` variables become
/// `PREFIX_`, and `switchboard` becomes the host's name in help texts and
/// default values (`switchboard.db` becomes `parcels.db`).
fn rebrand(command: ClapCommand, info: &HostInfo) -> ClapCommand {
    let name = info.name().to_owned();
    let prefix = format!("{}_", info.env_prefix());
    let renamed = move |text: &str| {
        text.replace("SWITCHBOARD_", &prefix)
            .replace("switchboard", &name)
    };
    rebrand_with(command.name(info.name().to_owned()), &renamed)
}

fn rebrand_with(command: ClapCommand, renamed: &dyn Fn(&str) -> String) -> ClapCommand {
    let mut command = command.mut_args(|mut arg| {
        if let Some(env) = arg.get_env().and_then(|e| e.to_str()) {
            let env = renamed(env);
            arg = arg.env(env);
        }
        if let Some(help) = arg.get_help() {
            let help = renamed(&help.to_string());
            arg = arg.help(help);
        }
        if let Some(help) = arg.get_long_help() {
            let help = renamed(&help.to_string());
            arg = arg.long_help(help);
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .filter_map(|v| v.to_str())
            .map(renamed)
            .collect();
        if !defaults.is_empty() {
            arg = arg.default_values(defaults);
        }
        arg
    });
    if let Some(text) = command.get_about().map(ToString::to_string) {
        command = command.about(renamed(&text));
    }
    if let Some(text) = command.get_long_about().map(ToString::to_string) {
        command = command.long_about(renamed(&text));
    }
    if let Some(text) = command.get_after_help().map(ToString::to_string) {
        command = command.after_help(renamed(&text));
    }
    if let Some(text) = command.get_after_long_help().map(ToString::to_string) {
        command = command.after_long_help(renamed(&text));
    }
    command.mut_subcommands(|sub| rebrand_with(sub, renamed))
}

/// Parses `args`, runs the command, and reports its error if any.
pub(crate) async fn run(host: Host, args: Vec<OsString>) -> ExitCode {
    load_dotenv();
    let matches = match parse(&host, args) {
        Ok(matches) => matches,
        Err(exit) => return exit,
    };
    let Host {
        info,
        commands,
        serve_hooks,
        setups,
        ..
    } = host;
    let Some((name, sub)) = matches.subcommand() else {
        return Exit::Usage.into();
    };
    let tool = commands.iter().find(|t| t.command.get_name() == name);
    let serves = tool.map_or(SERVING.contains(&name), |t| t.serves(sub));
    let fingerprint = Arc::new(component_of(&info, sub));
    logs::init(&matches, serves, serves.then_some(&*fingerprint));
    let result = match tool {
        Some(tool) => (tool.run)(sub.clone(), info).await,
        None => {
            let services = install(Vec::new());
            let context = Context {
                info,
                services,
                setups,
                fingerprint,
                serve_hooks,
            };
            execute(&matches, &context).await
        }
    };
    result.map_or_else(|err| report(&err), ExitCode::from)
}

/// Loads a `.env` file from the working directory into the environment,
/// never overriding it.
fn load_dotenv() {
    // A missing .env file is normal; a malformed one is worth a word.
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        eprintln!("warning: .env not loaded: {err}");
    }
}

/// The host's command line, parsed; or how the run ends already: after
/// `--help` or `--version`, or with a usage error, reported.
fn parse(host: &Host, args: Vec<OsString>) -> Result<ArgMatches, ExitCode> {
    match command_line(host).try_get_matches_from(args) {
        Ok(matches) => Ok(matches),
        // `--help` and `--version` come this way too, for standard output.
        Err(err) if !err.use_stderr() => {
            let _ = err.print();
            Err(Exit::Success.into())
        }
        Err(err) => Err(report(&CommandError::Usage(err))),
    }
}

/// The standard commands that run until stopped; the others are clients.
const SERVING: &[&str] = &["serve", "consume"];

/// This process's fingerprint: named by `--component-name` (else the
/// host's name), typed by `--component-type` (else `service`), where the
/// command has them.
fn component_of(info: &HostInfo, matches: &ArgMatches) -> Fingerprint {
    let given = |id: &str| matches.try_get_one::<String>(id).ok().flatten().cloned();
    let name = given("component_name").unwrap_or_else(|| info.name().to_owned());
    let kind = given("component_type").unwrap_or_else(|| "service".to_owned());
    Fingerprint::new(name, kind, info.version())
}

/// Runs a standard command.
async fn execute(matches: &ArgMatches, context: &Context) -> Result<Exit, CommandError> {
    let cli = Cli::from_arg_matches(matches).map_err(CommandError::Usage)?;
    let serve_matches = matches.subcommand_matches("serve");
    match cli.command {
        Command::Serve(args) => serve::run(args, context, serve_matches)
            .await
            .map(|()| Exit::Success),
        Command::Call(args) => call::run(args, context).await.map(|()| Exit::Success),
        Command::Consume(args) => queue::run_consume(args, context)
            .await
            .map(|()| Exit::Success),
        Command::Enqueue(args) => queue::run_enqueue(args, context)
            .await
            .map(|()| Exit::Success),
        Command::Queue(command) => queue::run_admin(command, context)
            .await
            .map(|()| Exit::Success),
        Command::Interface(args) => interface::run(args, context).map(|()| Exit::Success),
        Command::Status(args) => status::run(args, context).await.map(|()| Exit::Success),
        Command::Ctl(args) => ctl::run(args, context).await.map(|()| Exit::Success),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        // Checks every default value against its parser, among others.
        Cli::command().debug_assert();
        command_line(&Host::new("parcels", "1.0.0")).debug_assert();
    }

    #[test]
    fn a_host_renames_variables_defaults_and_help() {
        let command = command_line(&Host::new("parcels", "1.0.0"));
        let serve = command.find_subcommand("serve").expect("serve");
        let db = serve
            .get_arguments()
            .find(|a| a.get_id() == "db")
            .expect("--db");
        assert_eq!(db.get_env().and_then(|e| e.to_str()), Some("PARCELS_DB"));
        for (id, env) in [("log", "PARCELS_LOG"), ("log_format", "PARCELS_LOG_FORMAT")] {
            let arg = command
                .get_arguments()
                .find(|a| a.get_id() == id)
                .expect("a global log option");
            assert_eq!(arg.get_env().and_then(|e| e.to_str()), Some(env));
        }
        assert_eq!(db.get_default_values()[0].to_str(), Some("parcels.db"));
        let help = command.clone().render_long_help().to_string();
        assert!(!help.contains("SWITCHBOARD"), "{help}");
        assert!(help.contains("PARCELS_*"), "{help}");
    }
}
