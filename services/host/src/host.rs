//! [`Host`]: a binary's identity (name, version, WSDL namespace), its
//! services' setup, and its extra commands; [`Host::run`] parses the
//! command line and runs the command.

use std::future::Future;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{ArgMatches, Command};
use switchboard::catalog::BoxFuture;
use switchboard::protocol::BoxError;
use switchboard::{Application, ApplicationBuilder};
use switchboard_soap::SoapSettings;

use crate::catalog::Service;
use crate::catalog::services::SetupFn;
use crate::cli;
use crate::tools::{CommandError, Exit};

/// Who a host is: its name (the binary's, its banners', its variables'
/// prefix), version and WSDL target namespace. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    name: String,
    version: String,
    namespace: String,
    env_prefix: String,
}

impl HostInfo {
    /// A host named `name` at `version`, its namespace `urn:NAME`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        let name = name.into();
        let env_prefix = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        Self {
            namespace: format!("urn:{name}"),
            version: version.into(),
            name,
            env_prefix,
        }
    }

    /// With `namespace` as the WSDL's target namespace.
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The name: `switchboard`, `parcels`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version every document states.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The WSDL's target namespace (`urn:NAME` unless set).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The prefix of the host's variables: the name upper-cased, anything
    /// but letters and digits as `_` (`PARCELS`, `MY_HOST`).
    pub fn env_prefix(&self) -> &str {
        &self.env_prefix
    }

    /// SOAP's settings for this host: its namespace, its name as the
    /// WSDL's service name.
    pub fn soap_settings(&self) -> SoapSettings {
        SoapSettings::default()
            .with_namespace(&self.namespace)
            .with_service_name(&self.name)
    }
}

/// A command of the host's own besides the standard ones (the
/// `switchboard` binary adds `gridmap` and `stats`).
#[derive(Clone)]
pub struct ToolCommand {
    pub(crate) command: Command,
    pub(crate) run: ToolFn,
    pub(crate) serving: &'static [&'static str],
}

type ToolFn = Arc<
    dyn Fn(ArgMatches, HostInfo) -> BoxFuture<'static, Result<Exit, CommandError>> + Send + Sync,
>;

impl ToolCommand {
    /// `command` (its name, arguments and help), run by `run` with its
    /// matches and the host's identity.
    pub fn new<F, Fut>(command: Command, run: F) -> Self
    where
        F: Fn(ArgMatches, HostInfo) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Exit, CommandError>> + Send + 'static,
    {
        Self {
            command,
            run: Arc::new(move |matches, info| Box::pin(run(matches, info))),
            serving: &[],
        }
    }

    /// Names the subcommands that run until stopped (`stats worker`): they
    /// log at `info` by default, as `serve` does. The others are clients,
    /// which log only their own warnings and errors unless `--log` says
    /// otherwise.
    #[must_use]
    pub fn serving(mut self, subcommands: &'static [&'static str]) -> Self {
        self.serving = subcommands;
        self
    }

    /// Whether `matches` (of this command) run a serving subcommand.
    pub(crate) fn serves(&self, matches: &ArgMatches) -> bool {
        matches
            .subcommand_name()
            .is_some_and(|name| self.serving.contains(&name))
    }
}

impl std::fmt::Debug for ToolCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolCommand")
            .field("name", &self.command.get_name())
            .finish_non_exhaustive()
    }
}

/// Something `serve` runs beside the transports (the `switchboard`
/// binary's embedded stats worker): its own flags, and how it starts once
/// the transports are bound.
#[derive(Clone)]
pub struct ServeHook {
    pub(crate) args: fn(Command) -> Command,
    pub(crate) start: StartFn,
}

type StartFn = Arc<
    dyn Fn(&ArgMatches, &Application, Option<&str>) -> Result<Option<Companion>, CommandError>
        + Send
        + Sync,
>;

impl ServeHook {
    /// Adds its flags to `serve` with `args`, and starts with `start`,
    /// given `serve`'s matches, the application and the base URL HTTP
    /// answers on (if it serves HTTP); `Ok(None)` when it has nothing to
    /// run.
    pub fn new<F>(args: fn(Command) -> Command, start: F) -> Self
    where
        F: Fn(&ArgMatches, &Application, Option<&str>) -> Result<Option<Companion>, CommandError>
            + Send
            + Sync
            + 'static,
    {
        Self {
            args,
            start: Arc::new(start),
        }
    }
}

impl std::fmt::Debug for ServeHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeHook").finish_non_exhaustive()
    }
}

/// What a [`ServeHook`] started: its banner lines, and how it stops once
/// the transports have.
pub struct Companion {
    pub(crate) banner: Vec<String>,
    pub(crate) stop: Box<dyn FnOnce() -> BoxFuture<'static, Result<(), CommandError>> + Send>,
}

impl Companion {
    /// A companion that shows `banner` and stops with `stop`.
    pub fn new<F, Fut>(banner: Vec<String>, stop: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), CommandError>> + Send + 'static,
    {
        Self {
            banner,
            stop: Box::new(move || Box::pin(stop())),
        }
    }
}

impl std::fmt::Debug for Companion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Companion")
            .field("banner", &self.banner)
            .finish_non_exhaustive()
    }
}

/// A binary hosting services: build it in `main`, then [`run`](Self::run).
///
/// ```no_run
/// use std::path::Path;
/// use switchboard::{ApplicationBuilder, Fault, rpc};
///
/// /// Says hello.
/// #[rpc(service = "greeter")]
/// fn hello(name: String) -> String {
///     format!("hello, {name}")
/// }
///
/// /// The greeter's state, kept beside `--db`.
/// fn setup(builder: ApplicationBuilder, _db: &Path) -> Result<ApplicationBuilder, std::io::Error> {
///     Ok(builder)
/// }
///
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     switchboard_host::Host::new("greeter", "1.0.0")
///         .namespace("urn:example:greeter")
///         .setup(setup)
///         .run()
///         .await
/// }
/// ```
pub struct Host {
    pub(crate) info: HostInfo,
    pub(crate) about: Option<String>,
    pub(crate) services: Vec<Service>,
    pub(crate) setups: Vec<SetupFn>,
    pub(crate) commands: Vec<ToolCommand>,
    pub(crate) serve_hooks: Vec<ServeHook>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("info", &self.info)
            .field("services", &self.services)
            .field("setups", &self.setups.len())
            .field("commands", &self.commands)
            .field("serve_hooks", &self.serve_hooks)
            .finish_non_exhaustive()
    }
}

impl Host {
    /// A host named `name` (its binary's name: banners, `--help`,
    /// `NAME_*` variables, document titles) at `version`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            info: HostInfo::new(name, version),
            about: None,
            services: Vec::new(),
            setups: Vec::new(),
            commands: Vec::new(),
            serve_hooks: Vec::new(),
        }
    }

    /// The WSDL's target namespace (`urn:NAME` unless set).
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.info = self.info.with_namespace(namespace);
        self
    }

    /// The line `--help` starts with.
    #[must_use]
    pub fn about(mut self, about: impl Into<String>) -> Self {
        self.about = Some(about.into());
        self
    }

    /// Sets up the application whatever services it serves: `setup` gets
    /// the builder and the state file (`--db`) and gives the builder back
    /// with the state the methods need.
    #[must_use]
    pub fn setup<F, E>(mut self, setup: F) -> Self
    where
        F: Fn(ApplicationBuilder, &Path) -> Result<ApplicationBuilder, E> + Send + Sync + 'static,
        E: Into<BoxError>,
    {
        self.setups.push(Arc::new(move |builder, db| {
            setup(builder, db).map_err(Into::into)
        }));
        self
    }

    /// Describes a service for `--help` and sets it up only when it is
    /// served ([`Service`]). Services linked but not described are served
    /// all the same.
    #[must_use]
    pub fn service(mut self, service: Service) -> Self {
        self.services.push(service);
        self
    }

    /// Adds a command of the host's own.
    #[must_use]
    pub fn command(mut self, command: ToolCommand) -> Self {
        self.commands.push(command);
        self
    }

    /// Runs something beside `serve`'s transports.
    #[must_use]
    pub fn on_serve(mut self, hook: ServeHook) -> Self {
        self.serve_hooks.push(hook);
        self
    }

    /// Who the host is.
    pub fn info(&self) -> &HostInfo {
        &self.info
    }

    /// The command line the host parses (for tests and completions).
    pub fn command_line(&self) -> Command {
        cli::command_line(self)
    }

    /// Parses the process's command line, runs the command, and returns
    /// its exit status (errors are printed on standard error). Call it
    /// inside a multi-threaded Tokio runtime (`#[tokio::main]`).
    pub async fn run(self) -> ExitCode {
        cli::run(self, std::env::args_os().collect()).await
    }

    /// [`run`](Self::run) on a runtime of its own, for a plain `fn main`.
    pub fn run_blocking(self) -> ExitCode {
        match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(self.run()),
            Err(err) => crate::tools::report(&CommandError::Runtime(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_and_namespace_come_from_the_name() {
        let info = HostInfo::new("my-host2", "1.2.3");
        assert_eq!(info.env_prefix(), "MY_HOST2");
        assert_eq!(info.namespace(), "urn:my-host2");
        let soap = info.with_namespace("urn:x").soap_settings();
        assert_eq!(soap.namespace(), "urn:x");
        assert_eq!(soap.service_name(), "my-host2");
    }
}
