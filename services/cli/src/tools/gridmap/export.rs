//! `gridmap export SLUG [-o FILE]` and `gridmap export --all DIR`: maps
//! read from the server, written in the map text format that import reads.

use std::path::{Path, PathBuf};

use clap::Args;
use clap::error::ErrorKind;
use switchboard::Client;
use switchboard_gridmap::sync;
use switchboard_host::HostInfo;
use switchboard_host::tools::{CommandError, Exit};

use super::{ServerArgs, note};
use crate::tools::error::ToolFailure;

/// `gridmap export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The map's slug.
    #[arg(required_unless_present = "all")]
    slug: Option<String>,
    /// Write here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Write every map on the server into DIR instead, one file per map
    /// named by its slug (fancy-map.txt), in the format import reads:
    /// `import DIR` then changes nothing. DIR is created if missing; files
    /// of the same names are replaced, other files left as they are.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["slug", "output"])]
    all: Option<PathBuf>,
    #[command(flatten)]
    server: ServerArgs,
}

/// Exports one map, or every map.
pub(super) async fn run(args: ExportArgs, host: &HostInfo) -> Result<Exit, CommandError> {
    let client = args.server.client(host).await?;
    match (args.slug, args.all) {
        (_, Some(dir)) => export_all(&client, &dir).await,
        (Some(slug), None) => export(&client, &slug, args.output.as_deref())
            .await
            .map(|()| Exit::Success),
        // clap asks for one of them (`required_unless_present`).
        (None, None) => Err(CommandError::Usage(clap::Error::new(
            ErrorKind::MissingRequiredArgument,
        ))),
    }
}

/// Writes every map into `dir` as `SLUG.txt`, printing `SLUG -> PATH` for
/// each. A map that cannot be exported is reported and the others still
/// written; a file that cannot be written stops the export, as the next
/// ones would fail alike.
async fn export_all(client: &Client, dir: &Path) -> Result<Exit, CommandError> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|source| ToolFailure::ExportDir {
            dir: dir.to_owned(),
            source,
        })?;
    let maps = sync::all_maps(client)
        .await
        .map_err(|source| CommandError::call("cannot list the maps", source))?;
    let mut exit = Exit::Success;
    for map in maps {
        let path = dir.join(format!("{}.txt", map.slug));
        match export(client, &map.slug, Some(&path)).await {
            Ok(()) => println!("{} -> {}", map.slug, path.display()),
            Err(err @ CommandError::File { .. }) => return Err(err),
            Err(err) => note(&mut exit, Err(err)),
        }
    }
    Ok(exit)
}

/// Prints map `slug` in the map text format, or writes it to `output`.
async fn export(client: &Client, slug: &str, output: Option<&Path>) -> Result<(), CommandError> {
    let file = sync::export(client, slug)
        .await
        .map_err(|source| ToolFailure::Export {
            slug: slug.to_owned(),
            source,
        })?;
    let text = file.to_text();
    let Some(path) = output else {
        print!("{text}");
        return Ok(());
    };
    tokio::fs::write(path, text)
        .await
        .map_err(|source| CommandError::File {
            action: "write",
            path: path.to_owned(),
            source,
        })
}
