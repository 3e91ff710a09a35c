//! The component flags of `serve` and `consume`, and serving as a
//! component: until a signal or a control command, then drain, and stay
//! up (`drain`), exit (`quit`, SIGINT, SIGTERM) or start again
//! (`restart`).

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use switchboard::Fingerprint;
use switchboard::catalog::bus::BusSettings;
use switchboard::catalog::{self, Address, BoxFuture, Draining};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::HostInfo;
use crate::components::wire::Activity;
use crate::components::{
    CallCounts, Command, Component, ComponentSettings, ControlSecret, Order, Served,
};
use crate::tools::duration::{self, Least};
use crate::tools::{CommandError, signal};

/// The status bus flag, shared by the components and the commands that
/// watch or control them.
#[derive(Debug, Clone, Args)]
pub(crate) struct StatusBusArgs {
    /// The bus components announce themselves on and take control
    /// commands from: `amqp://…` (its status and control fanout
    /// exchanges, shared by every host on the broker) or
    /// `sqlite:QUEUE?events=EVENTS` (rows of the events file). Default: the
    /// broker of the first amqp:// address served, else
    /// sqlite:switchboard-queue.db?events=switchboard-events.db beside the
    /// state file (--db), or in the working directory for commands
    /// without one.
    #[arg(long, env = "SWITCHBOARD_STATUS_BUS", value_name = "ADDRESS")]
    pub(crate) status_bus: Option<Address>,
}

impl StatusBusArgs {
    /// The bus: as given, else the broker of the first AMQP address among
    /// `served`, else the embedded default of host `info`, in `dir` (the
    /// state file's directory; the working directory if empty).
    pub(crate) fn address(
        &self,
        info: &HostInfo,
        served: &[Address],
        dir: &Path,
    ) -> Result<Address, CommandError> {
        if let Some(address) = &self.status_bus {
            return Ok(address.clone());
        }
        if let Some(broker) = served.iter().find(|a| a.scheme().starts_with("amqp")) {
            return Ok(switchboard_amqp::catalog::broker_of(broker));
        }
        let name = info.name();
        let queue = dir.join(format!("{name}-queue.db"));
        let events = dir.join(format!("{name}-events.db"));
        Address::parse(&format!(
            "sqlite:{}?events={}",
            queue.display(),
            events.display()
        ))
        .map_err(bad_bus)
    }

    /// The bus of a command that watches or controls components (`status`,
    /// `ctl`), opened as a `tool` of host `info`: as given, else the
    /// embedded default in the working directory.
    pub(crate) fn open_as_tool(
        &self,
        info: &HostInfo,
    ) -> Result<(Arc<Fingerprint>, Arc<dyn catalog::bus::Bus>), CommandError> {
        let me = Arc::new(Fingerprint::new(info.name(), "tool", info.version()));
        let address = self.address(info, &[], Path::new(""))?;
        let bus = Self::open(address, &me)?;
        Ok((me, bus))
    }

    /// The bus opened for a process of `fingerprint`.
    pub(crate) fn open(
        address: Address,
        fingerprint: &Arc<Fingerprint>,
    ) -> Result<Arc<dyn catalog::bus::Bus>, CommandError> {
        let protocol = catalog::protocol("json")
            .or_else(|| catalog::protocols().into_iter().next())
            .ok_or_else(|| CommandError::Tool(Box::new(NoProtocol)))?;
        let settings = BusSettings::new(protocol)
            .with_client_name(format!("{} status", fingerprint.name))
            .with_fingerprint(Arc::clone(fingerprint));
        catalog::open_bus(address.clone(), settings).map_err(|source| {
            CommandError::Serve(crate::hosting::ServeError::Bind {
                address: address.to_string(),
                source,
            })
        })
    }
}

fn bad_bus(err: catalog::AddressError) -> CommandError {
    CommandError::Serve(crate::hosting::ServeError::Bind {
        address: "--status-bus".to_owned(),
        source: err.into(),
    })
}

/// No protocol is linked to encode status messages' bus in.
#[derive(Debug, thiserror::Error)]
#[error("no protocol is linked into this binary")]
struct NoProtocol;

impl crate::tools::ToolError for NoProtocol {
    fn exit(&self) -> crate::tools::Exit {
        crate::tools::Exit::Usage
    }
}

/// Who this process is, and how it takes part as a component. The name
/// and type are read from the parsed command line before the command runs
/// (`cli::component_of`), so the first log line already carries them.
#[derive(Debug, Clone, Args)]
pub(crate) struct ComponentArgs {
    /// This process's component name, as `switchboard status` lists it and
    /// `switchboard ctl` targets it (default: the binary's name).
    #[arg(long, env = "SWITCHBOARD_COMPONENT_NAME", value_name = "NAME")]
    component_name: Option<String>,
    /// This process's component type (`service`, `worker`, ...).
    #[arg(
        long,
        env = "SWITCHBOARD_COMPONENT_TYPE",
        value_name = "TYPE",
        default_value = "service"
    )]
    component_type: String,
    /// Time between heartbeats on the status bus: seconds, or a number
    /// with a unit (500ms, 1.5s, 2m). 0 announces nothing and takes no
    /// control commands.
    #[arg(
        long,
        env = "SWITCHBOARD_HEARTBEAT",
        value_name = "SECONDS",
        default_value = "5",
        value_parser = duration::seconds(Least::Zero),
        allow_hyphen_values = true,
    )]
    heartbeat: Duration,
    #[command(flatten)]
    bus: StatusBusArgs,
    /// Obey only control commands signed with this shared secret
    /// (`switchboard ctl --control-secret`). Without it, whoever may
    /// publish on the status bus may send commands.
    #[arg(
        long,
        env = "SWITCHBOARD_CONTROL_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    control_secret: Option<String>,
}

impl ComponentArgs {
    /// Starts announcing and taking commands as `fingerprint`, unless
    /// heartbeats are off.
    pub(crate) async fn start(
        &self,
        info: &HostInfo,
        fingerprint: &Arc<Fingerprint>,
        served: Served,
        counts: Arc<CallCounts>,
        serving_at: &[Address],
        state_dir: &Path,
    ) -> Result<Option<Component>, CommandError> {
        if self.heartbeat.is_zero() {
            return Ok(None);
        }
        let address = self.bus.address(info, serving_at, state_dir)?;
        let all: Vec<&Address> = serving_at.iter().chain([&address]).collect();
        let fingerprint = on_vhost(fingerprint, &all);
        let bus = StatusBusArgs::open(address, &fingerprint)?;
        let settings = ComponentSettings {
            fingerprint,
            bus,
            heartbeat: self.heartbeat,
            secret: self.control_secret.clone().map(ControlSecret::new),
        };
        Ok(Some(Component::start(settings, served, counts).await))
    }
}

/// `fingerprint` with the virtual host of the first AMQP address among
/// `addresses`, if there is one (its `vhost` option, else the URL's path,
/// percent-decoded; `/` when empty).
pub(crate) fn on_vhost(fingerprint: &Arc<Fingerprint>, addresses: &[&Address]) -> Arc<Fingerprint> {
    let Some(amqp) = addresses.iter().find(|a| a.scheme().starts_with("amqp")) else {
        return Arc::clone(fingerprint);
    };
    let vhost = amqp.option("vhost").map_or_else(
        || {
            let path = amqp.path().split_once('/').map_or("", |(_, vhost)| vhost);
            percent_encoding::percent_decode_str(path)
                .decode_utf8_lossy()
                .into_owned()
        },
        str::to_owned,
    );
    let vhost = if vhost.is_empty() {
        "/".to_owned()
    } else {
        vhost
    };
    Arc::new(Fingerprint::clone(fingerprint).with_vhost(vhost))
}

/// How serving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Exit.
    Exit,
    /// Start the same command again, then exit.
    Restart,
}

/// Transports serving on a task of their own until told to stop.
pub(crate) struct Stage<E> {
    stop: Option<oneshot::Sender<()>>,
    running: Option<JoinHandle<Result<(), E>>>,
}

impl<E: Send + 'static> Stage<E> {
    /// Runs `serve` (given the future that stops it) on a task.
    pub(crate) fn spawn(
        serve: impl FnOnce(BoxFuture<'static, ()>) -> BoxFuture<'static, Result<(), E>>,
    ) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(serve(Box::pin(async move {
            let _ = stopped.await;
        })));
        Self {
            stop: Some(stop),
            running: Some(running),
        }
    }

    /// Serves nothing.
    pub(crate) fn none() -> Self {
        Self {
            stop: None,
            running: None,
        }
    }

    /// Waits until it ends by itself (it stopped on an error).
    async fn ended(&mut self) -> Result<(), E> {
        match self.running.as_mut() {
            Some(running) => {
                let result = joined(running.await);
                self.running = None;
                result
            }
            None => std::future::pending().await,
        }
    }

    /// Tells it to stop and waits until it finished what runs.
    async fn finish(&mut self) -> Result<(), E> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.running.take() {
            Some(running) => joined(running.await),
            None => Ok(()),
        }
    }
}

fn joined<E>(joined: Result<Result<(), E>, tokio::task::JoinError>) -> Result<(), E> {
    match joined {
        Ok(result) => result,
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        // Cancelled: the runtime is going down.
        Err(_) => Ok(()),
    }
}

/// What a process serves, for [`serve_until_told`].
pub(crate) struct Serving<E> {
    /// Stopped when draining begins: they take no new work and finish what
    /// runs (queue and broker consumers).
    pub(crate) consumers: Stage<E>,
    /// Kept serving until the end, refusing new calls while `draining`
    /// is on (HTTP: `503` with `Retry-After`).
    pub(crate) listeners: Stage<E>,
    /// The switch the listeners read.
    pub(crate) draining: Draining,
    /// The calls running, waited for before `drained`.
    pub(crate) counts: Arc<CallCounts>,
}

/// Serves until a signal or a control command; then drains (the
/// consumers stop, the listeners refuse new calls, running calls finish),
/// and for `drain` stays up until `quit`, `restart` or a signal. Stops the
/// listeners and announces `offline` at the end.
///
/// # Errors
/// The first transport error.
pub(crate) async fn serve_until_told<E: Send + 'static>(
    component: Option<Component>,
    signal: impl Future<Output = ()> + Send,
    mut serving: Serving<E>,
) -> Result<Ending, E> {
    let order = tokio::select! {
        () = signal => None,
        order = next_order(&component) => Some(order),
        ended = serving.consumers.ended() => return stop_after(ended, serving.listeners.finish().await, component).await,
        ended = serving.listeners.ended() => return stop_after(ended, serving.consumers.finish().await, component).await,
    };
    if let (Some(component), Some(order)) = (&component, &order) {
        component.set_activity(Activity::Draining).await;
        tracing::info!(
            command = order.command.as_str(),
            "draining: taking no new work, finishing what runs"
        );
    }
    serving.draining.start();
    let consumed = serving.consumers.finish().await;
    idle(&serving.counts).await;
    let ending = match (order, component.as_ref()) {
        (Some(order), Some(component)) => after_drain(component, order).await,
        _ => Ending::Exit,
    };
    let listened = serving.listeners.finish().await;
    if let Some(component) = component {
        component.stop().await;
    }
    consumed.and(listened).map(|()| ending)
}

/// One stage ended by itself with `ended`, the other was stopped with
/// `other`: announce `offline`, and return the first error.
async fn stop_after<E>(
    ended: Result<(), E>,
    other: Result<(), E>,
    component: Option<Component>,
) -> Result<Ending, E> {
    if let Some(component) = component {
        component.stop().await;
    }
    ended.and(other).map(|()| Ending::Exit)
}

/// Waits until no call runs (checked twice, 50 ms apart, so a call
/// admitted just before draining began is waited for too).
async fn idle(counts: &CallCounts) {
    let mut quiet = 0;
    while quiet < 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        quiet = if counts.in_flight() == 0 {
            quiet + 1
        } else {
            0
        };
    }
}

async fn next_order(component: &Option<Component>) -> Order {
    match component {
        Some(component) => component.next_order().await,
        None => std::future::pending().await,
    }
}

/// Once drained: answers `order`, and for `drain` waits (up, drained) for
/// the next command or a signal.
async fn after_drain(component: &Component, order: Order) -> Ending {
    let mut order = order;
    loop {
        match order.command {
            Command::Quit => {
                component.answer(&order, "quitting").await;
                return Ending::Exit;
            }
            Command::Restart => {
                component.answer(&order, "restarting").await;
                return Ending::Restart;
            }
            Command::Drain => {
                component.set_activity(Activity::Drained).await;
                component.answer(&order, "drained").await;
                tracing::info!("drained: up, taking no work (quit, restart or a signal ends it)");
                match wait_drained(component).await {
                    Some(next) => order = next,
                    None => return Ending::Exit,
                }
            }
        }
    }
}

/// The next order while drained, or `None` on a signal.
async fn wait_drained(component: &Component) -> Option<Order> {
    let Ok(signal) = signal() else {
        return None;
    };
    tokio::select! {
        () = signal => None,
        order = component.next_order() => Some(order),
    }
}

/// Starts this command again, same arguments and environment, as a new
/// process (a new pid and instance), for `restart`.
pub(crate) fn restart() -> Result<(), CommandError> {
    let exe = std::env::current_exe().map_err(CommandError::Restart)?;
    std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .spawn()
        .map_err(CommandError::Restart)?;
    tracing::info!("restarted as a new process");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bus_of_a_served_broker_keeps_only_how_to_reach_it()
    -> Result<(), Box<dyn std::error::Error>> {
        let served = Address::parse(
            "amqp://u:p@broker:5672/%2f?queue=q&prefetch=8&durable=false&protocol=postage\
             &exchange=x&exchange_type=topic&routing_key=a&routing_key=b&private=true&heartbeat=5",
        )?;
        let args = StatusBusArgs { status_bus: None };
        let info = HostInfo::new("parcels", "1.0.0");
        let bus = args.address(&info, &[served], Path::new(""))?;
        assert_eq!(bus.without_options(), "amqp://u:p@broker:5672/%2f");
        assert_eq!(bus.options().collect::<Vec<_>>(), [("heartbeat", "5")]);
        Ok(())
    }
}
