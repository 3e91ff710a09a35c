//! A serving process as a component: it announces itself on the status
//! topic (`online`, a heartbeat every interval, `drained`, `offline`) and
//! takes control commands from the control topic, passing the ones meant
//! for it (and authorized) to the command that serves as [`Order`]s.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use switchboard::catalog::bus::Bus;
use switchboard::{Fingerprint, TransportError};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::counts::CallCounts;
use super::secret::{ControlSecret, now_rfc3339};
use super::wire::{
    Activity, Answer, CONTROL_TOPIC, ControlContent, Liveness, Message, STATUS_TOPIC, encode,
};

/// The longest an announcement or answer may take: a bus that does not
/// take it by then (a broker that does not answer) is skipped, so a
/// stopping process never hangs on it.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a lost bus subscription waits before following again.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(1);

/// What a control command asks the process to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Stop taking work, finish what runs, stay up.
    Drain,
    /// Drain, announce `offline`, exit.
    Quit,
    /// Drain, announce `offline`, start again with the same arguments.
    Restart,
}

impl Command {
    /// The command's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drain => "drain",
            Self::Quit => "quit",
            Self::Restart => "restart",
        }
    }

    /// The command named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "drain" => Some(Self::Drain),
            "quit" => Some(Self::Quit),
            "restart" => Some(Self::Restart),
            _ => None,
        }
    }
}

/// A command for this process, to answer once done.
#[derive(Debug, Clone)]
pub struct Order {
    /// What to do.
    pub command: Command,
    /// The request id to answer with.
    pub request: String,
}

/// How a process takes part as a component.
#[derive(Debug, Clone)]
pub struct ComponentSettings {
    /// Who it is.
    pub fingerprint: Arc<Fingerprint>,
    /// Where it announces itself and takes commands.
    pub bus: Arc<dyn Bus>,
    /// Time between heartbeats.
    pub heartbeat: Duration,
    /// The secret commands must be signed with, if any.
    pub secret: Option<ControlSecret>,
}

/// What a heartbeat reports besides the counts.
#[derive(Debug, Clone, Default)]
pub struct Served {
    /// Where the process serves (addresses, passwords masked).
    pub transports: Vec<String>,
    /// The methods it serves.
    pub methods: Vec<String>,
}

/// A component announcing itself and taking commands, until
/// [`stop`](Self::stop).
#[derive(Debug)]
pub struct Component {
    shared: Arc<Shared>,
    orders: tokio::sync::Mutex<mpsc::Receiver<Order>>,
    activity: watch::Sender<Activity>,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    settings: ComponentSettings,
    served: Served,
    counts: Arc<CallCounts>,
    /// The last publish failure logged, so a bus that is down is said once.
    failing: Mutex<bool>,
}

impl Component {
    /// Starts the heartbeat (announcing `online` first) and the control
    /// listener, without waiting for the bus.
    pub async fn start(
        settings: ComponentSettings,
        served: Served,
        counts: Arc<CallCounts>,
    ) -> Self {
        let shared = Arc::new(Shared {
            settings,
            served,
            counts,
            failing: Mutex::new(false),
        });
        let (activity, watching) = watch::channel(Activity::Serving);
        let (send, orders) = mpsc::channel(8);
        let tasks = vec![
            tokio::spawn(heartbeat(Arc::clone(&shared), watching)),
            tokio::spawn(listen(Arc::clone(&shared), send)),
        ];
        Self {
            shared,
            orders: tokio::sync::Mutex::new(orders),
            activity,
            tasks,
        }
    }

    /// The next command for this process; pending forever if the control
    /// listener is gone.
    pub async fn next_order(&self) -> Order {
        match self.orders.lock().await.recv().await {
            Some(order) => order,
            None => std::future::pending().await,
        }
    }

    /// Reports what the process does now (in the heartbeats, and as a
    /// `drained` status at once when drained).
    pub async fn set_activity(&self, activity: Activity) {
        self.activity.send_replace(activity);
        if activity == Activity::Drained {
            self.shared.announce("drained", activity).await;
        }
    }

    /// Answers a command.
    pub async fn answer(&self, order: &Order, outcome: &str) {
        let answer = Answer {
            request: order.request.clone(),
            command: order.command.as_str().to_owned(),
            outcome: outcome.to_owned(),
            message: String::new(),
        };
        self.shared.answer(answer).await;
    }

    /// Stops the heartbeat and the listener and announces `offline`.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        self.shared.announce("offline", Activity::Stopping).await;
    }
}

impl Shared {
    async fn announce(&self, name: &str, activity: Activity) {
        let liveness = Liveness {
            activity,
            heartbeat_s: self.settings.heartbeat.as_secs_f64(),
            transports: self.served.transports.clone(),
            methods: self.served.methods.clone(),
            in_flight: self.counts.in_flight(),
            done: self.counts.done(),
            at: now_rfc3339(),
        };
        let message = Message::new("status", name, self.fingerprint(), liveness);
        self.publish(STATUS_TOPIC, encode(&message)).await;
    }

    async fn answer(&self, answer: Answer) {
        let message = Message::new("status", "answer", self.fingerprint(), answer);
        self.publish(STATUS_TOPIC, encode(&message)).await;
    }

    fn fingerprint(&self) -> Fingerprint {
        Fingerprint::clone(&self.settings.fingerprint)
    }

    /// Publishes, saying once (at warn) that the bus is failing and once
    /// that it works again.
    async fn publish(&self, topic: &str, body: Vec<u8>) {
        let result = tokio::time::timeout(PUBLISH_TIMEOUT, self.settings.bus.publish(topic, body))
            .await
            .unwrap_or(Err(TransportError::Timeout));
        let mut failing = self.failing.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Err(err) if !*failing => {
                tracing::warn!(error = %err, topic, "cannot announce on the status bus; will keep trying");
                *failing = true;
            }
            Ok(()) if *failing => {
                tracing::info!(topic, "announcing on the status bus again");
                *failing = false;
            }
            _ => {}
        }
    }

    /// Whether `target` names this process.
    fn is_target(&self, target: &str) -> bool {
        let me = &self.settings.fingerprint;
        target == "all" || target == me.name || target == me.instance || target == me.pid_at_host()
    }
}

/// Announces a heartbeat every interval, with the activity of the moment.
async fn heartbeat(shared: Arc<Shared>, activity: watch::Receiver<Activity>) {
    // Announced here, not before serving: a bus that is down or slow to
    // reach never holds the process up.
    shared.announce("online", Activity::Serving).await;
    let mut ticks = tokio::time::interval(shared.settings.heartbeat);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is at once: `online` was just sent.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let now = *activity.borrow();
        shared.announce("heartbeat", now).await;
    }
}

/// Follows the control topic, passing on the commands for this process
/// and refusing (with an answer) the ones that are not authorized.
async fn listen(shared: Arc<Shared>, orders: mpsc::Sender<Order>) {
    loop {
        let mut subscription = match shared.settings.bus.subscribe(CONTROL_TOPIC).await {
            Ok(subscription) => subscription,
            Err(err) => {
                tracing::debug!(error = %err, "cannot follow the control topic yet");
                tokio::time::sleep(RESUBSCRIBE_AFTER).await;
                continue;
            }
        };
        while let Ok(body) = subscription.next().await {
            if let Some(order) = shared.read_order(&body).await
                && orders.send(order).await.is_err()
            {
                return;
            }
        }
        tokio::time::sleep(RESUBSCRIBE_AFTER).await;
    }
}

impl Shared {
    /// The order in `body`, if it is a command for this process that it
    /// may obey; answers `refused` to one that is for it but not signed
    /// right.
    async fn read_order(&self, body: &[u8]) -> Option<Order> {
        let message: Message<ControlContent> = serde_json::from_slice(body).ok()?;
        let order = &message.content.parameters;
        if message.kind != "command" || !self.is_target(&order.target) {
            return None;
        }
        let Some(command) = Command::parse(&message.name) else {
            self.refuse(&message, format!("unknown command `{}`", message.name))
                .await;
            return None;
        };
        if let Some(secret) = &self.settings.secret
            && let Err(why) =
                secret.check(&message.name, order, message.reserved.signature.as_deref())
        {
            tracing::warn!(command = %message.name, from = %message.fingerprint, why, "control command refused");
            self.refuse(&message, why).await;
            return None;
        }
        tracing::info!(command = %message.name, from = %message.fingerprint, "control command");
        Some(Order {
            command,
            request: order.request.clone(),
        })
    }

    async fn refuse(&self, message: &Message<ControlContent>, why: String) {
        let answer = Answer {
            request: message.content.parameters.request.clone(),
            command: message.name.clone(),
            outcome: "refused".to_owned(),
            message: why,
        };
        self.answer(answer).await;
    }
}
