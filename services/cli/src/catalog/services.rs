//! The service catalog: every service the `switchboard` command hosts, by
//! name, with what it needs besides its name (gridmap: its SQLite store).
//! `serve` and `consume` read it for `--services` and
//! [`hosting::application`](crate::hosting::application) to set them up:
//! a new service is one entry in [`SERVICES`].

use std::path::Path;
use std::sync::OnceLock;

use switchboard::ApplicationBuilder;
use switchboard::protocol::BoxError;

use super::entry::{Entry, joined};

/// Every service, in the order `serve` and `consume` list them.
pub static SERVICES: &[Service] = &[
    Service {
        name: switchboard_demo::SERVICE,
        description: "echo, sum, subtract, fail and sleep: one method of each kind",
        setup: |builder, _db| Ok(builder),
    },
    Service {
        name: switchboard_gridmap::SERVICE,
        description: "maps, their observers and obstacles, and what each observer sees (kept in --db)",
        setup: |builder, db| Ok(switchboard_gridmap::setup(builder, db)?),
    },
    Service {
        name: switchboard_stats::SERVICE,
        description: "sensors, measurements and their statistics computed by queue workers (SQLite queue beside --db, or RabbitMQ)",
        setup: |builder, db| Ok(switchboard_stats::setup(builder, db)?),
    },
];

/// A service of the catalog.
#[derive(Debug)]
pub struct Service {
    name: &'static str,
    description: &'static str,
    setup: fn(ApplicationBuilder, &Path) -> Result<ApplicationBuilder, BoxError>,
}

impl Service {
    /// Gives `builder` what the service needs, its state in the SQLite
    /// file `db` if it keeps any. The service itself is named separately
    /// ([`ApplicationBuilder::services`]).
    ///
    /// # Errors
    /// The service's own error, such as a database that cannot be opened.
    pub fn setup(
        &self,
        builder: ApplicationBuilder,
        db: &Path,
    ) -> Result<ApplicationBuilder, BoxError> {
        (self.setup)(builder, db)
    }

    /// Every service's name, comma-separated: the default of `--services`.
    pub fn all_names() -> &'static str {
        static NAMES: OnceLock<String> = OnceLock::new();
        NAMES.get_or_init(|| joined(SERVICES))
    }
}

impl Entry for Service {
    const KIND: &'static str = "service";

    fn all() -> &'static [Self] {
        SERVICES
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &'static str {
        self.description
    }
}

#[cfg(test)]
mod tests {
    use switchboard::Application;

    use super::*;

    #[test]
    fn every_service_sets_up_and_builds() -> Result<(), BoxError> {
        let names: Vec<&str> = SERVICES.iter().map(Entry::name).collect();
        assert_eq!(Service::all_names(), names.join(","));
        let dir = tempfile::tempdir()?;
        for service in SERVICES {
            let builder = Application::builder().services([service.name()]);
            let app = service
                .setup(builder, &dir.path().join("state.db"))?
                .build()?;
            let name = service.name();
            assert!(app.methods().any(|m| m.service == name), "{name}");
        }
        Ok(())
    }
}
