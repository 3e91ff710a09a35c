//! `gridmap import [--dry-run] FILE|DIR...`: makes the server's maps equal
//! to map files, writing only what differs, or with `--dry-run` prints what
//! that would change and writes nothing.

use std::path::{Path, PathBuf};

use clap::Args;
use switchboard::{CallError, Client};
use switchboard_gridmap::sync::{self, Plan};
use switchboard_gridmap::text::MapFile;
use switchboard_host::HostInfo;
use switchboard_host::tools::{CommandError, Exit};

use super::{ServerArgs, note};
use crate::tools::error::ToolFailure;

/// What a directory given to import holds: files with this extension, as
/// `export --all` writes them.
const EXTENSION: &str = "txt";

/// `gridmap import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Map files (a name line, rows of `.`/`#`/letters, then
    /// `letter,Name,range` lines), or directories whose `*.txt` files are
    /// imported in name order (what `export --all` writes).
    #[arg(required = true, value_name = "FILE|DIR")]
    files: Vec<PathBuf>,
    /// Print what each file would create, update and delete on the server,
    /// call by call, without writing anything: the server is only read.
    #[arg(long, env = "SWITCHBOARD_DRY_RUN")]
    dry_run: bool,
    #[command(flatten)]
    server: ServerArgs,
}

/// Imports each file, reporting those that fail and going on with the
/// next; the exit code is the last failure's (success if none failed).
pub(super) async fn run(args: ImportArgs, host: &HostInfo) -> Result<Exit, CommandError> {
    let client = args.server.client(host).await?;
    let mut exit = Exit::Success;
    for path in &args.files {
        match map_files(path).await {
            Ok(files) => {
                for file in files {
                    note(&mut exit, import(&client, &file, args.dry_run).await);
                }
            }
            Err(err) => note(&mut exit, Err(err)),
        }
    }
    Ok(exit)
}

/// `path` itself, or if it is a directory, its `*.txt` files by name.
async fn map_files(path: &Path) -> Result<Vec<PathBuf>, CommandError> {
    if !tokio::fs::metadata(path).await.is_ok_and(|m| m.is_dir()) {
        // Reading it says what is wrong, if anything.
        return Ok(vec![path.to_owned()]);
    }
    let unreadable = |source| CommandError::File {
        action: "read",
        path: path.to_owned(),
        source,
    };
    let mut files = Vec::new();
    let mut entries = tokio::fs::read_dir(path).await.map_err(unreadable)?;
    while let Some(entry) = entries.next_entry().await.map_err(unreadable)? {
        let file = entry.path();
        if file.extension().is_some_and(|e| e == EXTENSION) && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(ToolFailure::NoMapFiles(path.to_owned()).into());
    }
    files.sort();
    Ok(files)
}

/// Imports one map file and prints `PATH -> SLUG`; with `dry_run`, prints
/// the plan instead of applying it.
async fn import(client: &Client, path: &Path, dry_run: bool) -> Result<(), CommandError> {
    let file = read(path).await?;
    // `export --all` saves each map under its slug, which a renamed map's
    // name no longer gives.
    let saved_as = path.file_stem().and_then(|stem| stem.to_str());
    let plan = sync::plan(client, &file, saved_as)
        .await
        .map_err(failed(path))?;
    if dry_run {
        print_plan(path, &plan);
        return Ok(());
    }
    let map = plan.apply(client).await.map_err(failed(path))?;
    println!("{} -> {}", path.display(), map.slug);
    Ok(())
}

/// Reads and parses a map file.
async fn read(path: &Path) -> Result<MapFile, CommandError> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|source| CommandError::File {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
    let file = MapFile::parse(&text).map_err(|source| ToolFailure::MapFile {
        path: path.to_owned(),
        source,
    })?;
    Ok(file)
}

/// A failed call while importing `path`.
fn failed(path: &Path) -> impl FnOnce(CallError) -> CommandError {
    let context = format!("cannot import {}", path.display());
    move |source| CommandError::Call { context, source }
}

/// `PATH -> SLUG: N changes`, then one indented line per call.
fn print_plan(path: &Path, plan: &Plan) {
    let count = match plan.len() {
        0 => "no change".to_owned(),
        1 => "1 change".to_owned(),
        n => format!("{n} changes"),
    };
    let new = if plan.is_new() { "new map, " } else { "" };
    println!("{} -> {}: {new}{count}", path.display(), plan.map().slug);
    for change in plan.changes() {
        println!("  {change}");
    }
}
