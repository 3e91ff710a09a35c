//! `switchboard consume`: one queue consumer running the services.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use switchboard::Server;
use switchboard_services::hosting;
use switchboard_sqlite_queue::{ConsumerOptions, QueueAdmin, QueueConsumer, QueueOptions};

use super::progress::{self, Meter, Watched};
use super::{QueueFile, QueueProtocol};

/// Options of `consume`.
#[derive(Debug, Args)]
#[command(after_help = "\
A fan-out consumer (no --group) runs every task in the queue, in id order, \
and keeps its own checkpoint under its worker id: restarted with the same id, \
it resumes after the last task it passed. Consumers with the same --group \
share the tasks instead, each task to one member. A task that fails is \
recorded (see `switchboard queue failures`) and passed.

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
    /// Services to run, comma-separated (default: all).
    #[arg(long, env = "SWITCHBOARD_SERVICES", value_delimiter = ',', default_values_t = default_services())]
    services: Vec<String>,
    /// SQLite file holding the services' state (created if missing).
    #[arg(
        long,
        value_name = "STATE",
        env = "SWITCHBOARD_DB",
        default_value = "switchboard.db"
    )]
    db: PathBuf,
    /// The tasks' wire format; producers must use the same.
    #[arg(long, value_enum, default_value_t = QueueProtocol::Json)]
    protocol: QueueProtocol,
    /// The longest wait between two polls when the queue is idle, in
    /// milliseconds (a producer in the same process wakes the consumer at once).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    poll_max: u64,
    /// Commit the checkpoint after every N tasks: 1 redoes at most one task
    /// after a crash, a larger N is faster and redoes at most N.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every: u64,
    /// Stop once the backlog is empty, showing progress on standard error.
    #[arg(long)]
    drain: bool,
}

fn default_services() -> Vec<String> {
    hosting::SERVICES.iter().map(|s| (*s).to_owned()).collect()
}

impl ConsumeArgs {
    fn options(&self) -> ConsumerOptions {
        let every = usize::try_from(self.checkpoint_every).unwrap_or(usize::MAX);
        ConsumerOptions::default()
            .with_poll_max(Duration::from_millis(self.poll_max))
            .with_checkpoint_every(every)
    }

    fn watched(&self) -> Watched {
        match &self.group {
            Some(group) => Watched::Group(group.clone()),
            None => Watched::Consumer(self.worker.clone()),
        }
    }
}

pub(crate) async fn run(args: ConsumeArgs) -> ExitCode {
    let app = match hosting::application(&args.services, &args.db) {
        Ok(app) => app,
        Err(err) => return crate::cli::fail("cannot set up the services", &err),
    };
    let (in_protocol, out_protocol) = args.protocol.server();
    let server = Server::new(app, in_protocol, out_protocol);
    let path = args.queue.path();
    let consumer = match QueueConsumer::open(path, args.worker.clone(), args.options()) {
        Ok(consumer) => consumer,
        Err(err) => {
            return crate::cli::fail(&format!("cannot open the queue {}", path.display()), &err);
        }
    };
    let consumer = match &args.group {
        Some(group) => consumer.with_group(group.clone()),
        None => consumer,
    };
    let admin = match QueueAdmin::open(path, QueueOptions::default()) {
        Ok(admin) => admin,
        Err(err) => {
            return crate::cli::fail(&format!("cannot open the queue {}", path.display()), &err);
        }
    };
    let signal = match crate::cli::serve::shutdown_signal() {
        Ok(signal) => signal,
        Err(err) => return crate::cli::fail("cannot listen for shutdown signals", &err),
    };
    print_banner(&args);
    let meter = Arc::new(Mutex::new(Meter::new(args.watched())));
    let result = if args.drain {
        if let Ok(status) = admin.status().await {
            meter
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .begin(&status);
        }
        let drained = progress::until_drained(admin.clone(), Arc::clone(&meter));
        let shutdown = async move {
            tokio::select! {
                () = signal => {},
                () = drained => {},
            }
        };
        consumer.run(server, shutdown).await
    } else {
        consumer.run(server, signal).await
    };
    if args.drain {
        let status = admin.status().await.ok();
        meter
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .finish(status.as_ref());
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => crate::cli::fail("the consumer stopped", &err),
    }
}

/// Prints what runs where. A closed standard output (`| head -1`) is not
/// a reason to stop consuming, so write errors are ignored.
fn print_banner(args: &ConsumeArgs) {
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
        "switchboard consuming {} as {role}\n  services: {}\n  protocol: {}\n  state:    {}\n{stop}\n",
        args.queue.path().display(),
        args.services.join(", "),
        args.protocol.name(),
        args.db.display(),
    );
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
}
