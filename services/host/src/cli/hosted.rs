//! The options that pick what a command hosts or describes: `--services`
//! (`serve`, `consume`, `interface`), the state file `--db` (`serve`,
//! `consume`) and `--protocols` (`serve`, `interface`).

use std::path::{Path, PathBuf};

use clap::Args;
use switchboard::Application;
use switchboard::catalog::ProtocolEntry;

use super::Context;
use crate::catalog::services::SetupFn;
use crate::catalog::{EntryParser, Service, protocols};
use crate::hosting;
use crate::tools::CommandError;

/// `--services`.
#[derive(Debug, Args)]
pub(crate) struct ServicesArg {
    /// Services, comma-separated.
    #[arg(
        long,
        env = "SWITCHBOARD_SERVICES",
        value_name = "NAMES",
        value_delimiter = ',',
        default_value = Service::all_names(),
        value_parser = EntryParser::<Service>::all(),
    )]
    pub(crate) services: Vec<&'static Service>,
}

/// `--protocols`.
#[derive(Debug, Args)]
pub(crate) struct ProtocolsArg {
    /// Protocols the server mounts, comma-separated.
    #[arg(
        long,
        env = "SWITCHBOARD_PROTOCOLS",
        value_name = "NAMES",
        value_delimiter = ',',
        default_value = protocols::all_names(),
        value_parser = EntryParser::<ProtocolEntry>::all(),
    )]
    pub(crate) protocols: Vec<&'static ProtocolEntry>,
}

/// `--services` and `--db`.
#[derive(Debug, Args)]
pub(crate) struct Hosted {
    #[command(flatten)]
    pub(crate) services: ServicesArg,
    /// SQLite file holding the services' state (created if missing).
    #[arg(
        long,
        value_name = "STATE",
        env = "SWITCHBOARD_DB",
        default_value = "switchboard.db"
    )]
    pub(crate) db: PathBuf,
}

impl Hosted {
    /// The application of the services picked, with state in `--db`, the
    /// host's own setups run, then `extra` (a call counter, metrics on or
    /// off).
    pub(crate) fn application_counted(
        &self,
        context: &Context,
        public_url: Option<&str>,
        extra: impl IntoIterator<Item = SetupFn>,
    ) -> Result<Application, CommandError> {
        let mut setups = context.setups.clone();
        setups.extend(extra);
        Ok(hosting::application_with(
            &context.info,
            self.services.services.iter().copied(),
            &setups,
            &self.db,
            public_url,
        )?)
    }

    /// The directory of the state file (empty: the working directory).
    pub(crate) fn state_dir(&self) -> &Path {
        self.db.parent().unwrap_or(Path::new(""))
    }

    /// The services' names, comma-separated, for banners.
    pub(crate) fn names(&self) -> String {
        let names: Vec<&str> = self.services.services.iter().map(|s| s.name()).collect();
        names.join(", ")
    }
}
