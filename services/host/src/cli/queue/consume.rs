//! `switchboard consume`: one queue consumer running the services.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use switchboard::catalog::{Draining, ProtocolEntry, Readiness};
use switchboard::{Fingerprint, Server};
use switchboard_sqlite_queue::{
    ConsumerOptions, FailurePolicy, QueueAdmin, QueueConsumer, QueueError, QueueOptions,
};

use super::QueueFile;
use super::progress::{self, Meter, Watched};
use crate::catalog::protocols;
use crate::cli::Context;
use crate::cli::component::{self, ComponentArgs, Ending, Serving, Stage};
use crate::cli::hosted::Hosted;
use crate::cli::metrics::MetricsArgs;
use crate::cli::signing::VerifyArgs;
use crate::components::{CallCounts, Served};
use crate::tools::CommandError;
use crate::tools::duration::{self, Least};
use crate::tools::signal;

/// Options of `consume`.
#[derive(Debug, Args)]
#[command(after_help = "\
A fan-out consumer (no --group) runs every task in the queue, in id order, \
and keeps its own checkpoint under its worker id: restarted with the same id, \
it resumes after the last task it passed. Consumers with the same --group \
share the tasks instead, each task to one member. A task that fails is \
recorded (see `switchboard queue failures`) and passed; --on-failure retry \
runs it again first, --on-failure halt stops the consumer before it (exit \
status 1; restarted, the consumer meets the task again, until \
`switchboard queue skip TASK --worker ID` (or `--group G`) passes it; the \
failure stays recorded for `queue retry`).

A group member owns a task it claimed for --lease: a member that \
dies mid-task leaves it to another member once the lease runs out, so the \
lease must be longer than the longest task, unless --renew-lease keeps \
renewing it while the task runs.

SIGINT or SIGTERM stops the consumer after the current task.")]
pub(crate) struct ConsumeArgs {
    #[command(flatten)]
    queue: QueueFile,
    /// This consumer's id; its checkpoint is kept under it.
    #[arg(long, value_name = "ID", env = "SWITCHBOARD_WORKER")]
    worker: String,
    /// Join the work-queue group G: members share the tasks.
    #[arg(long, value_name = "G", env = "SWITCHBOARD_GROUP")]
    group: Option<String>,
    #[command(flatten)]
    hosted: Hosted,
    /// The tasks' wire format; producers must use the same.
    #[arg(long, env = "SWITCHBOARD_QUEUE_PROTOCOL", default_value = "json", value_parser = protocols::callable_parser())]
    protocol: &'static ProtocolEntry,
    /// The longest wait between two polls when the queue is idle, at least
    /// 1 ms: milliseconds, or a number with a unit (500ms, 1.5s, 2m, 1h).
    /// It is the most a task enqueued by another process waits to be
    /// picked up (a producer in the same process wakes the consumer at
    /// once). Polls are cheap: at 100, an idle consumer uses no measurable
    /// CPU.
    #[arg(
        long,
        env = "SWITCHBOARD_POLL_MAX",
        value_name = "MS",
        default_value = "100",
        value_parser = duration::millis(Least::Is(Duration::from_millis(1))),
        allow_hyphen_values = true,
    )]
    poll_max: Duration,
    /// Commit the checkpoint after every N tasks: 1 redoes at most one task
    /// after a crash, a larger N is faster and redoes at most N.
    #[arg(long, env = "SWITCHBOARD_CHECKPOINT_EVERY", value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every: u64,
    /// What to do with a task that fails.
    #[arg(long, env = "SWITCHBOARD_ON_FAILURE", value_enum, value_name = "POLICY", default_value_t = OnFailure::Record)]
    on_failure: OnFailure,
    /// With `--on-failure retry`: runs of a failing task in all.
    #[arg(long, env = "SWITCHBOARD_ATTEMPTS", value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    attempts: u32,
    /// With `--on-failure retry`: the wait before the second run, growing
    /// linearly with each run: milliseconds, or a number with a unit
    /// (500ms, 1.5s, 2m, 1h).
    #[arg(
        long,
        env = "SWITCHBOARD_BACKOFF",
        value_name = "MS",
        default_value = "1000",
        value_parser = duration::millis(Least::Zero),
        allow_hyphen_values = true,
    )]
    backoff: Duration,
    /// Group members: how long a claimed task stays theirs, more than zero:
    /// seconds, or a number with a unit (500ms, 1.5s, 2m, 1h).
    #[arg(
        long,
        env = "SWITCHBOARD_LEASE",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = duration::seconds(Least::AboveZero),
        allow_hyphen_values = true,
    )]
    lease: Duration,
    /// Group members: renew the lease every third of --lease while a task
    /// runs, so tasks may take longer than the lease (a member that hangs
    /// then keeps its task).
    #[arg(long, env = "SWITCHBOARD_RENEW_LEASE")]
    renew_lease: bool,
    /// Group members: deliveries of a task whose members died before it
    /// is recorded as failed.
    #[arg(long, env = "SWITCHBOARD_MAX_DELIVERIES", value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    max_deliveries: u32,
    /// Stop once the backlog is empty, showing progress on standard error.
    #[arg(long, env = "SWITCHBOARD_DRAIN")]
    drain: bool,
    #[command(flatten)]
    component: ComponentArgs,
    #[command(flatten)]
    metrics: MetricsArgs,
    #[command(flatten)]
    replies: crate::cli::replies::RepliesArgs,
    #[command(flatten)]
    signing: VerifyArgs,
}

/// `--on-failure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OnFailure {
    /// Record the failure and go on with the next task.
    Record,
    /// Run the task again (see --attempts, --backoff), then record it.
    Retry,
    /// Record the failure and stop the consumer before the task.
    Halt,
}

impl ConsumeArgs {
    fn options(&self) -> ConsumerOptions {
        let every = usize::try_from(self.checkpoint_every).unwrap_or(usize::MAX);
        let policy = match self.on_failure {
            OnFailure::Record => FailurePolicy::Record,
            OnFailure::Retry => FailurePolicy::Retry {
                max_attempts: self.attempts,
                backoff: self.backoff,
            },
            OnFailure::Halt => FailurePolicy::Halt,
        };
        ConsumerOptions::default()
            .with_poll_max(self.poll_max)
            .with_checkpoint_every(every)
            .with_failure_policy(policy)
            .with_visibility_timeout(self.lease)
            .with_max_deliveries(self.max_deliveries)
            .with_lease_renewal(self.renew_lease)
    }

    fn watched(&self) -> Watched {
        match &self.group {
            Some(group) => Watched::Group(group.clone()),
            None => Watched::Consumer(self.worker.clone()),
        }
    }
}

/// Runs the consumer until the shutdown signal or a control command (or,
/// with `--drain`, until its backlog is empty).
pub(crate) async fn run(args: ConsumeArgs, context: &Context) -> Result<(), CommandError> {
    let counts = Arc::new(CallCounts::default());
    let readiness = Readiness::new();
    // With no probe at all, `/readyz` would say ready before the consumer
    // is opened: this one holds it at 503 until then.
    let startup = readiness.probe("startup");
    let signing = args.signing.load()?;
    let metrics = args.metrics.start(&context.info, &readiness).await?;
    let setups = [
        crate::hosting::counting(&counts),
        crate::hosting::metering(metrics.on()),
    ];
    let setups = setups
        .into_iter()
        .chain(
            args.replies
                .setup(context, signing.as_ref().map(|s| s.signer.clone())),
        )
        .chain(signing.map(|s| s.setup));
    let app = args.hosted.application_counted(context, None, setups)?;
    // Protocols that write the sender into their messages (Postage) read it here.
    let settings = crate::hosting::typed_settings(&context.info, &Default::default())
        .with(Fingerprint::clone(&context.fingerprint));
    let methods = app.methods().map(|m| m.name.to_owned()).collect();
    let server = Server::new(app, args.protocol.server(&settings));
    let path = args.queue.path();
    let cannot_open = || CommandError::queue(format!("cannot open the queue {}", path.display()));
    let fingerprint = Arc::clone(&context.fingerprint);
    // `--metrics-listen`'s `/readyz` answers from the consumer's probe.
    let consumer = QueueConsumer::open(path, args.worker.clone(), args.options())
        .map_err(cannot_open())?
        .with_readiness(&readiness);
    drop(startup);
    let consumer = match &args.group {
        Some(group) => consumer.with_group(group.clone()),
        None => consumer,
    };
    let admin = QueueAdmin::open(path, QueueOptions::default()).map_err(cannot_open())?;
    let signal = signal().map_err(CommandError::Signals)?;
    print_banner(&args, context.info.name());
    if args.drain {
        return drain(consumer, server, &admin, signal, args.watched())
            .await
            .map_err(CommandError::queue("the consumer stopped"));
    }
    let served = Served {
        transports: vec![format!("sqlite:{}?worker={}", path.display(), args.worker)],
        methods,
    };
    let component = args
        .component
        .start(
            &context.info,
            &fingerprint,
            served,
            Arc::clone(&counts),
            &[],
            args.hosted.state_dir(),
        )
        .await?;
    let serving = Serving {
        consumers: Stage::spawn(|stop| Box::pin(consumer.run(server, stop))),
        listeners: Stage::none(),
        draining: Draining::default(),
        counts: Arc::clone(&counts),
    };
    let ending = component::serve_until_told(component, signal, serving)
        .await
        .map_err(CommandError::queue("the consumer stopped"))?;
    if ending == Ending::Restart {
        component::restart()?;
    }
    Ok(())
}

/// Runs `consumer` until its backlog is empty (or `signal`), showing
/// progress meanwhile and the final state after.
async fn drain(
    consumer: QueueConsumer,
    server: Server,
    admin: &QueueAdmin,
    signal: impl Future<Output = ()> + Send + 'static,
    watched: Watched,
) -> Result<(), QueueError> {
    let mut meter = Meter::new(watched);
    if let Ok(status) = admin.status().await {
        meter.begin(&status);
    }
    let result = {
        let run = consumer.run_until_idle(server, signal);
        tokio::select! {
            result = run => result,
            never = progress::watch(admin, &mut meter) => match never {},
        }
    };
    let status = admin.status().await.ok();
    meter.finish(status.as_ref());
    result
}

/// Prints what runs where. A closed standard output (`| head -1`) is not
/// a reason to stop consuming, so write errors are ignored.
fn print_banner(args: &ConsumeArgs, host: &str) {
    let role = match &args.group {
        Some(group) => format!("member {} of group {group}", args.worker),
        None => format!("fan-out consumer {}", args.worker),
    };
    let stop = if args.drain {
        "Stops when the backlog is empty, or with Ctrl-C."
    } else {
        "Stop with Ctrl-C."
    };
    let banner = format!(
        "{host} consuming {} as {role}\n  services: {}\n  protocol: {}\n  state:    {}\n{stop}\n",
        args.queue.path().display(),
        args.hosted.names(),
        args.protocol.name(),
        args.hosted.db.display(),
    );
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
}
