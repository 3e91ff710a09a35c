//! Crash safety with real processes (issue 4, "Acceptance"): fan-out
//! consumers and work-queue group members SIGKILLed at random moments, and
//! a producer SIGKILLed in the middle of a batch.
//!
//! The test binary re-executes itself as the consumer and producer
//! processes (see `processes/mod.rs`); the kill moments are random (the
//! seed is printed; `SBQ_SEED` replays it approximately), the assertions
//! hold for every schedule.

mod processes;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use processes::{
    Execution, Proc, Rng, TestResult, enqueue_records, execution_count, executions, executions_of,
    results_db, runtime, serial, wait_until,
};
use switchboard_sqlite_queue::{QueueAdmin, QueueOptions, QueueProducer};

/// The child processes' entry point (returns at once in the parent).
#[test]
fn child_entry() {
    processes::child_entry();
}

const PATIENCE: Duration = Duration::from_secs(60);

fn consumer_env(
    queue: &Path,
    results: &Path,
    worker: &str,
    drain_to: Option<i64>,
) -> Vec<(&'static str, String)> {
    let mut envs = vec![
        ("SBQ_QUEUE", queue.display().to_string()),
        ("SBQ_RESULTS", results.display().to_string()),
        ("SBQ_WORKER", worker.to_owned()),
    ];
    if let Some(last) = drain_to {
        envs.push(("SBQ_DRAIN_TO", last.to_string()));
    }
    envs
}

const FANOUT_TASKS: i64 = 5_000;
const FANOUT_KILLS: usize = 22;

/// A fan-out consumer (`victim`, checkpoint after every task: the default)
/// is SIGKILLed 22 times while it works through 5 000 tasks, restarted
/// after each kill, and a last instance drains the queue; a second fan-out
/// consumer (`steady`) runs beside it the whole time and is never killed.
///
/// Each life of `victim` is killed after it recorded a random number (1 to
/// 100) of executions, at a random phase of its task cycle, so the lives
/// together cannot reach the end of the queue before the last kill.
///
/// Asserted for `victim`: every task executed at least once, none lost,
/// duplicates ≤ kills, and more precisely each life runs consecutive tasks
/// and starts at the last task its predecessor recorded (killed between
/// the handler and the checkpoint commit) or at the next one. For
/// `steady`: every task exactly once, in order.
#[test]
fn fanout_consumer_killed_at_random_redoes_at_most_one_task_per_kill() -> TestResult {
    let _serial = serial();
    let started = Instant::now();
    let mut rng = Rng::seeded("fanout_consumer_killed_at_random");
    let dir = tempfile::tempdir()?;
    let (queue, results_path) = (dir.path().join("q.db"), dir.path().join("results.db"));
    let results = results_db(&results_path)?;
    let rt = runtime()?;
    let producer = QueueProducer::open(&queue, QueueOptions::default())?;
    rt.block_on(enqueue_records(&producer, 0..FANOUT_TASKS, 500))?;

    let mut steady = Proc::spawn(
        "steady",
        "consumer",
        &consumer_env(&queue, &results_path, "steady", Some(FANOUT_TASKS)),
    )?;
    let mut lives = Vec::new();
    for kill in 0..FANOUT_KILLS {
        let mut victim = Proc::spawn(
            &format!("victim life {kill}"),
            "consumer",
            &consumer_env(&queue, &results_path, "victim", None),
        )?;
        let pid = victim.pid();
        lives.push(pid);
        let target = rng.range(1, 100);
        wait_until("the victim's progress", PATIENCE, || {
            if let Some(status) = victim.try_wait()? {
                return Err(format!("victim (pid {pid}) exited by itself: {status}").into());
            }
            Ok(executions_of(&results, pid)? >= target)
        })?;
        // A random phase within the task cycle: handler, checkpoint, fetch.
        let spin = Duration::from_micros(rng.below(400));
        let spin_start = Instant::now();
        while spin_start.elapsed() < spin {
            std::hint::spin_loop();
        }
        victim.kill()?;
    }
    let mut last = Proc::spawn(
        "victim (last life)",
        "consumer",
        &consumer_env(&queue, &results_path, "victim", Some(FANOUT_TASKS)),
    )?;
    lives.push(last.pid());
    last.expect_success(PATIENCE)?;
    steady.expect_success(PATIENCE)?;

    let all = executions(&results)?;
    for e in &all {
        assert_eq!(e.arg, e.task - 1, "task {} carries its own data", e.task);
    }
    let steady_tasks: Vec<i64> = all
        .iter()
        .filter(|e| e.worker == "steady")
        .map(|e| e.task)
        .collect();
    let expected: Vec<i64> = (1..=FANOUT_TASKS).collect();
    assert!(
        steady_tasks == expected,
        "the steady consumer ran every task exactly once, in order ({} executions)",
        steady_tasks.len()
    );

    assert_eq!(
        lives.iter().collect::<HashSet<_>>().len(),
        lives.len(),
        "no pid was reused"
    );
    let victim: Vec<&Execution> = all.iter().filter(|e| e.worker == "victim").collect();
    let mut runs: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &victim {
        *runs.entry(e.task).or_default() += 1;
    }
    let missing: Vec<i64> = (1..=FANOUT_TASKS)
        .filter(|t| !runs.contains_key(t))
        .collect();
    assert!(missing.is_empty(), "tasks never executed: {missing:?}");
    assert_eq!(runs.len(), expected.len(), "no unknown task ran");
    let duplicates = victim.len() - runs.len();
    let last_life = lives.last().copied();
    let done_at_last_kill = victim.iter().filter(|e| Some(e.pid) != last_life).count();
    assert!(
        duplicates <= FANOUT_KILLS,
        "{duplicates} duplicate executions for {FANOUT_KILLS} kills"
    );

    // Life by life: consecutive tasks, each life starting at the task its
    // predecessor was on (redone) or the one after.
    let mut previous_last = 0;
    for (life, pid) in lives.iter().enumerate() {
        let tasks: Vec<i64> = victim
            .iter()
            .filter(|e| e.pid == *pid)
            .map(|e| e.task)
            .collect();
        let Some((&first, &end)) = tasks.first().zip(tasks.last()) else {
            continue;
        };
        assert!(
            first == previous_last || first == previous_last + 1,
            "life {life} started at task {first} after its predecessor recorded task {previous_last}"
        );
        assert!(
            tasks.windows(2).all(|w| w[1] == w[0] + 1),
            "life {life} ran consecutive tasks: {tasks:?}"
        );
        previous_last = end;
    }
    assert_eq!(previous_last, FANOUT_TASKS);

    let status = rt.block_on(QueueAdmin::open(&queue, QueueOptions::default())?.status())?;
    assert_eq!(status.failures, 0);
    for consumer in &status.consumers {
        assert_eq!((consumer.checkpoint, consumer.lag), (FANOUT_TASKS, 0));
    }
    eprintln!(
        "fan-out crash: {FANOUT_KILLS} kills, {duplicates} duplicates, {} lives, \
         {done_at_last_kill} executions before the last life, {:?}",
        lives.len(),
        started.elapsed()
    );
    Ok(())
}

const GROUP_TASKS: i64 = 3_000;
const GROUP_KILLS: usize = 21;
const VISIBILITY_MS: i64 = 300;
const MEMBERS: [&str; 3] = ["m1", "m2", "m3"];

/// Three members of group `g` (visibility timeout 300 ms, quick tasks)
/// share 3 000 tasks while members are SIGKILLed at random (21 times, each
/// after a random 5 to 40 executions of the group) and restarted. The
/// kills end well before the group could drain (about a quarter of the tasks
/// are done at the last kill on a 2-core machine).
///
/// Asserted: every task executed at least once across the group, none
/// lost, no failure recorded (the delivery limit is far above the number
/// of kills), and no task executed by two members at once while its lease
/// held. That last check, and why it is sound:
///
/// - A member claims a task at time `c` (the queue's clock, unix ms) and
///   holds it until `c + V`. Another claim of the same task needs the lease
///   to have run out: `c' ≥ c + V` (ms), whoever claims it, and whether or
///   not the first member is still running it. The recorded `attempt` (the
///   deliveries before this one) orders the claims of one task.
/// - The handler does not see `c`, but it knows a lower bound: a member
///   runs one task at a time and claims the next one only after the
///   handler of the previous one returned, so `c ≥ floor_ns`, the end of
///   the process's previous execution (its start time for the first).
///   And an execution starts after its claim: `start ≥ c`.
/// - So for two executions `a`, `b` of one task with `b.attempt >
///   a.attempt`: `b.start_ns ≥ (floor_ms(a.floor_ns) + V) ms`. A member
///   that took a task whose lease still held would break it (by the time
///   between the previous task's end and the claim, a few ms at most).
///   No tolerance is needed: the queue truncates to ms, which only loosens
///   the bound by that truncation, accounted for above.
/// - Distinct claims have distinct `attempt`s: two executions with the
///   same attempt would be one claim delivered twice.
///
/// (Delivery after a lease that ran out while its member still ran the
/// task is allowed by the contract, so "intervals never overlap" is not.)
#[test]
fn group_members_killed_at_random_lose_no_task_and_never_share_a_lease() -> TestResult {
    let _serial = serial();
    let started = Instant::now();
    let mut rng = Rng::seeded("group_members_killed_at_random");
    let dir = tempfile::tempdir()?;
    let (queue, results_path) = (dir.path().join("q.db"), dir.path().join("results.db"));
    let results = results_db(&results_path)?;
    let rt = runtime()?;
    let producer = QueueProducer::open(&queue, QueueOptions::default())?;
    rt.block_on(enqueue_records(&producer, 0..GROUP_TASKS, 400))?;

    let member_env = |worker: &str| {
        let mut envs = consumer_env(&queue, &results_path, worker, Some(GROUP_TASKS));
        envs.push(("SBQ_GROUP", "g".to_owned()));
        envs.push(("SBQ_VISIBILITY_MS", VISIBILITY_MS.to_string()));
        envs
    };
    let mut members = MEMBERS
        .iter()
        .map(|m| Proc::spawn(m, "consumer", &member_env(m)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut killed = Vec::new();
    for _ in 0..GROUP_KILLS {
        let target = execution_count(&results)? + rng.range(5, 40);
        wait_until("the group's progress", PATIENCE, || {
            for member in &mut members {
                if let Some(status) = member.try_wait()? {
                    return Err(format!(
                        "{} exited ({status}) before the last kill: the group drained \
                         too early; raise GROUP_TASKS",
                        member.name
                    )
                    .into());
                }
            }
            Ok(execution_count(&results)? >= target)
        })?;
        let index = usize::try_from(rng.below(MEMBERS.len() as u64))?;
        killed.push(members[index].pid());
        members[index].kill()?;
        members[index] = Proc::spawn(MEMBERS[index], "consumer", &member_env(MEMBERS[index]))?;
    }
    let done_at_last_kill = execution_count(&results)?;
    for member in &mut members {
        member.expect_success(PATIENCE)?;
    }

    let all = executions(&results)?;
    let mut by_task: BTreeMap<i64, Vec<&Execution>> = BTreeMap::new();
    for e in &all {
        assert_eq!(e.arg, e.task - 1, "task {} carries its own data", e.task);
        assert!(MEMBERS.contains(&e.worker.as_str()), "{e:?}");
        by_task.entry(e.task).or_default().push(e);
    }
    let missing: Vec<i64> = (1..=GROUP_TASKS)
        .filter(|t| !by_task.contains_key(t))
        .collect();
    assert!(missing.is_empty(), "tasks never executed: {missing:?}");
    assert_eq!(
        by_task.len(),
        usize::try_from(GROUP_TASKS)?,
        "no unknown task ran"
    );

    let mut redelivered = 0;
    for (task, runs) in &mut by_task {
        runs.sort_by_key(|e| e.attempt);
        for pair in runs.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(
                b.attempt > a.attempt,
                "task {task}: one claim executed twice: {a:?} {b:?}"
            );
            let lease_ran_out_ns = (a.floor_ns / 1_000_000 + VISIBILITY_MS) * 1_000_000;
            assert!(
                b.start_ns >= lease_ran_out_ns,
                "task {task}: {} (pid {}) started it {} µs before the lease of {} (pid {}) \
                 could have run out",
                b.worker,
                b.pid,
                (lease_ran_out_ns - b.start_ns) / 1_000,
                a.worker,
                a.pid
            );
        }
        redelivered += runs.len() - 1;
    }

    let status = rt.block_on(QueueAdmin::open(&queue, QueueOptions::default())?.status())?;
    assert_eq!(
        status.failures, 0,
        "no task failed or ran out of deliveries"
    );
    let group = &status.groups[0];
    assert_eq!(
        (group.name.as_str(), group.floor, group.lag, group.leased),
        ("g", GROUP_TASKS, 0, 0)
    );
    eprintln!(
        "group crash: {} kills, {done_at_last_kill} executions at the last one, \
         {redelivered} re-executions, {:?}",
        killed.len(),
        started.elapsed()
    );
    Ok(())
}

const BATCH: i64 = 50_000;
const PRODUCER_KILLS: u32 = 5;

/// A producer process enqueues 50 000 tasks in one `enqueue_batch` and is
/// SIGKILLed at a random moment, five times on fresh files with the kill
/// moments spread over the batch's duration (measured first by a run that
/// is not killed). Each time the file holds all 50 000 tasks or none, it
/// passes `integrity_check`, and it takes the next enqueue.
#[test]
fn a_producer_killed_in_a_batch_leaves_all_of_it_or_nothing() -> TestResult {
    let _serial = serial();
    let mut rng = Rng::seeded("a_producer_killed_in_a_batch");
    let dir = tempfile::tempdir()?;
    let rt = runtime()?;
    let producer_env = |queue: &Path| {
        vec![
            ("SBQ_QUEUE", queue.display().to_string()),
            ("SBQ_BATCH", BATCH.to_string()),
        ]
    };

    // Calibration: how long the batch takes on this machine, now.
    let queue = dir.path().join("calibration.db");
    let mut producer = Proc::spawn(
        "producer (calibration)",
        "producer-batch",
        &producer_env(&queue),
    )?;
    let begun = Instant::now();
    producer.expect_success(PATIENCE)?;
    let batch_time = begun.elapsed();
    let status = rt.block_on(QueueAdmin::open(&queue, QueueOptions::default())?.status())?;
    assert_eq!((status.tasks, status.last_task_id), (BATCH, BATCH));

    let mut outcomes = Vec::new();
    for run in 0..PRODUCER_KILLS {
        let queue = dir.path().join(format!("killed-{run}.db"));
        let mut producer = Proc::spawn(
            &format!("producer (run {run})"),
            "producer-batch",
            &producer_env(&queue),
        )?;
        // Run r kills within the r-th fifth of 1.5 × the batch time.
        let slot = batch_time.mul_f64(1.5) / PRODUCER_KILLS;
        let delay = slot * run + slot.mul_f64(rng.below(1_000) as f64 / 1_000.0);
        std::thread::sleep(delay);
        producer.kill()?;

        let admin = QueueAdmin::open(&queue, QueueOptions::default())?;
        let status = rt.block_on(admin.status())?;
        assert!(
            status.tasks == 0 || status.tasks == BATCH,
            "run {run} (killed after {delay:?}): {} of {BATCH} tasks",
            status.tasks
        );
        assert_eq!(status.last_task_id, status.tasks, "ids 1..=n, none more");
        let check: String =
            rusqlite::Connection::open(&queue)?
                .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        assert_eq!(check, "ok");
        let next = rt.block_on(
            QueueProducer::open(&queue, QueueOptions::default())?.enqueue(
                "record",
                processes::JSON,
                br#"{"task":0}"#.to_vec(),
                None,
            ),
        )?;
        assert_eq!(next, status.tasks + 1);
        outcomes.push((delay, status.tasks));
    }
    eprintln!("producer kills: batch takes {batch_time:?}; (kill delay, tasks left): {outcomes:?}");
    Ok(())
}
