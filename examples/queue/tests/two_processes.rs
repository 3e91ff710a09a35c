//! The example end to end: its output shows one consumer, then two
//! fan-out consumer processes, each running every task in order.

use std::collections::BTreeMap;
use std::process::Command;

#[test]
fn each_consumer_process_runs_every_task_in_order() -> Result<(), Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_example-queue")).output()?;
    let stdout = String::from_utf8(output.stdout)?;
    assert!(
        output.status.success(),
        "{}: {stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let (one, two) = stdout
        .split_once("Two fan-out consumers in two processes")
        .ok_or("no second round")?;
    let every: Vec<i64> = (1..=10).collect();
    assert_eq!(tasks_by_worker(one).get("1"), Some(&every), "{stdout}");
    let two = tasks_by_worker(two);
    assert_eq!(two.get("1"), Some(&every), "{stdout}");
    assert_eq!(two.get("2"), Some(&every), "{stdout}");
    Ok(())
}

/// Task ids per worker, in the order of the "This is worker id N,
/// processing task id M." lines.
fn tasks_by_worker(text: &str) -> BTreeMap<String, Vec<i64>> {
    let mut tasks: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("This is worker id ") else {
            continue;
        };
        let Some((worker, task)) = rest.split_once(", processing task id ") else {
            continue;
        };
        if let Ok(task) = task.trim_end_matches('.').parse() {
            tasks.entry(worker.to_owned()).or_default().push(task);
        }
    }
    tasks
}
