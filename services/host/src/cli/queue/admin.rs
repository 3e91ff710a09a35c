//! `switchboard queue status|failures|retry|gc`: operations on a queue
//! file, all safe while producers and consumers run.

use clap::{Args, Subcommand};
use switchboard_sqlite_queue::{FailureRecord, QueueAdmin, QueueError, QueueOptions, QueueStatus};

use super::{QueueFile, table};
use crate::cli::Context;
use crate::tools::CommandError;

/// `queue`: the file (an option of `queue` and of each operation, so
/// `queue --queue F status` and `queue status --queue F` both work) and
/// the operation.
#[derive(Debug, Args)]
pub(crate) struct QueueArgs {
    #[command(flatten)]
    queue: QueueFile,
    #[command(subcommand)]
    command: QueueCommand,
}

/// The queue operations.
#[derive(Debug, Subcommand)]
pub(crate) enum QueueCommand {
    /// Show the tasks stored, then backlog (lag) per consumer and per group,
    /// and the failure count.
    Status {
        /// Print one JSON object instead of the table, for scripts and
        /// monitoring.
        #[arg(long, env = "SWITCHBOARD_JSON")]
        json: bool,
    },
    /// List the recorded failures, oldest first.
    Failures {
        /// Print a JSON array instead of the table, for scripts and
        /// monitoring.
        #[arg(long, env = "SWITCHBOARD_JSON")]
        json: bool,
    },
    /// Enqueue a failed task again (as a new task, for every consumer) and
    /// print the new task's id.
    #[command(after_help = "\
Only a task with a recorded failure that was not retried yet is enqueued \
again, so running the same retry twice does not run the task twice; the \
new task's id is printed on standard output, what happened on standard \
error. --force enqueues any stored task again, failed or not.")]
    Retry {
        /// The id of the task to run again.
        task: i64,
        /// Enqueue the task again even if it never failed or was retried.
        #[arg(long, env = "SWITCHBOARD_FORCE")]
        force: bool,
    },
    /// Pass a task without running it: the way past a task a consumer
    /// halted on (`consume --on-failure halt`). Its failure stays recorded.
    Skip {
        /// The id of the task to pass.
        task: i64,
        /// The fan-out consumer that halted: the task must be the next one
        /// after its checkpoint.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "group",
            conflicts_with = "group"
        )]
        worker: Option<String>,
        /// The work-queue group whose member halted on the task.
        #[arg(long, value_name = "G")]
        group: Option<String>,
    },
    /// Delete the tasks every consumer and group has passed (failed tasks
    /// stay until retried) and print how many were deleted.
    Gc,
}

/// `value` as one line of JSON. Plain data with string keys always
/// serializes; the fallback only keeps the signature honest.
fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"))
}

/// Runs a queue operation and prints its outcome.
pub(crate) async fn run(args: QueueArgs, context: &Context) -> Result<(), CommandError> {
    let QueueArgs { queue, command } = args;
    let path = queue.existing(context.info.name())?;
    let admin = QueueAdmin::open(path, QueueOptions::default()).map_err(CommandError::queue(
        format!("cannot open the queue {}", path.display()),
    ))?;
    match command {
        QueueCommand::Status { json } => status(&admin, json).await,
        QueueCommand::Failures { json } => failures(&admin, json).await,
        QueueCommand::Retry { task, force } => retry(&admin, task, force).await,
        QueueCommand::Skip {
            task,
            worker,
            group,
        } => skip(&admin, task, worker, group).await,
        QueueCommand::Gc => gc(&admin).await,
    }
}

/// `queue status`: the summary and the consumer and group tables, or one
/// JSON object.
async fn status(admin: &QueueAdmin, json: bool) -> Result<(), CommandError> {
    let status = admin
        .status()
        .await
        .map_err(CommandError::queue("cannot read the queue status"))?;
    if json {
        println!("{}", to_json(&status));
    } else {
        print!("{}", status_text(&status));
    }
    Ok(())
}

/// `queue failures`: the failure table, or one JSON array.
async fn failures(admin: &QueueAdmin, json: bool) -> Result<(), CommandError> {
    let failures = admin
        .failures()
        .await
        .map_err(CommandError::queue("cannot read the failures"))?;
    if json {
        println!("{}", to_json(&failures));
    } else if failures.is_empty() {
        println!("no failures recorded");
    } else {
        print!("{}", failures_text(&failures));
    }
    Ok(())
}

/// `queue retry`: the new task's id on standard output, what happened on
/// standard error.
async fn retry(admin: &QueueAdmin, task: i64, force: bool) -> Result<(), CommandError> {
    let retried = if force {
        admin.retry_forced(task).await
    } else {
        admin.retry(task).await
    };
    let context = match &retried {
        Err(QueueError::NeverFailed(_) | QueueError::AlreadyRetried { .. }) => {
            format!("cannot retry task {task} (--force enqueues it again anyway)")
        }
        _ => format!("cannot retry task {task}"),
    };
    let new_id = retried.map_err(CommandError::queue(context))?;
    eprintln!("task {task} enqueued again as task {new_id}");
    println!("{new_id}");
    Ok(())
}

/// `queue skip`: passes the task for the consumer or the group.
async fn skip(
    admin: &QueueAdmin,
    task: i64,
    worker: Option<String>,
    group: Option<String>,
) -> Result<(), CommandError> {
    let (skipped, who) = match (worker, group) {
        (Some(worker), _) => (
            admin.skip(&worker, task).await,
            format!("consumer {worker}"),
        ),
        (None, Some(group)) => (
            admin.skip_in_group(&group, task).await,
            format!("group {group}"),
        ),
        // clap requires one of them; say so anyway rather than panic.
        (None, None) => {
            return Err(CommandError::Unfit(
                "give --worker ID or --group G".to_owned(),
            ));
        }
    };
    skipped.map_err(CommandError::queue(format!("cannot skip task {task}")))?;
    println!("task {task} passed for {who}");
    Ok(())
}

/// `queue gc`: how many tasks were deleted.
async fn gc(admin: &QueueAdmin) -> Result<(), CommandError> {
    let deleted = admin
        .gc()
        .await
        .map_err(CommandError::queue("cannot collect the queue"))?;
    println!("deleted {deleted} tasks");
    Ok(())
}

/// The summary lines, then a consumer table and a group table (or a line
/// saying there are none).
fn status_text(status: &QueueStatus) -> String {
    let mut out = format!(
        "tasks stored:  {}\nlast task id:  {}\nfailures:      {}\n\n",
        status.tasks, status.last_task_id, status.failures
    );
    out.push_str(&consumers_text(status));
    out.push('\n');
    out.push_str(&groups_text(status));
    out
}

/// The fan-out consumers' table: checkpoint and lag of each.
fn consumers_text(status: &QueueStatus) -> String {
    if status.consumers.is_empty() {
        return "no fan-out consumers registered\n".to_owned();
    }
    let rows: Vec<Vec<String>> = status
        .consumers
        .iter()
        .map(|c| {
            vec![
                c.worker_id.clone(),
                c.checkpoint.to_string(),
                c.lag.to_string(),
            ]
        })
        .collect();
    table::render(&["CONSUMER", "CHECKPOINT", "LAG"], &rows)
}

/// The groups' table: floor, lag and leased tasks of each.
fn groups_text(status: &QueueStatus) -> String {
    if status.groups.is_empty() {
        return "no groups registered\n".to_owned();
    }
    let rows: Vec<Vec<String>> = status
        .groups
        .iter()
        .map(|g| {
            let cells = [g.floor, g.lag, g.leased].map(|n| n.to_string());
            std::iter::once(g.name.clone()).chain(cells).collect()
        })
        .collect();
    table::render(&["GROUP", "FLOOR", "LAG", "LEASED"], &rows)
}

fn failures_text(failures: &[FailureRecord]) -> String {
    let rows: Vec<Vec<String>> = failures
        .iter()
        .map(|f| {
            vec![
                f.task_id.to_string(),
                f.worker_id.clone(),
                f.group.clone().unwrap_or_else(|| "-".to_owned()),
                f.faultcode.clone(),
                f.attempts.to_string(),
                table::utc(f.failed_at),
                f.retried_as
                    .map_or_else(|| "-".to_owned(), |id| id.to_string()),
                f.faultstring.replace('\n', " "),
            ]
        })
        .collect();
    let headers = [
        "TASK",
        "WORKER",
        "GROUP",
        "CODE",
        "ATTEMPTS",
        "FAILED AT",
        "RETRIED AS",
        "MESSAGE",
    ];
    table::render(&headers, &rows)
}
