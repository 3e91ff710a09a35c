//! The services a host serves: every `#[rpc]` service linked into the
//! binary, picked with `--services`, each described and set up as the
//! host's [`Service`] entries say.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use switchboard::ApplicationBuilder;
use switchboard::protocol::BoxError;

use super::entry::{Entry, joined};

/// Sets up an application's state in a state file.
pub(crate) type SetupFn =
    Arc<dyn Fn(ApplicationBuilder, &Path) -> Result<ApplicationBuilder, BoxError> + Send + Sync>;

/// A service a host serves: its `#[rpc]` name, a description for
/// `--help`, and what it needs set up when it is served (gridmap: its
/// SQLite store).
#[derive(Clone)]
pub struct Service {
    name: &'static str,
    description: String,
    setup: Option<SetupFn>,
}

impl Service {
    /// The service named `name` (as its methods' `#[rpc(service = ...)]`
    /// say), with nothing to set up.
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            description: String::new(),
            setup: None,
        }
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Describes it for `--help`.
    #[must_use]
    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Sets it up with `setup` when it is served: the builder and the
    /// state file, the builder back with the service's state.
    #[must_use]
    pub fn with_setup<F, E>(mut self, setup: F) -> Self
    where
        F: Fn(ApplicationBuilder, &Path) -> Result<ApplicationBuilder, E> + Send + Sync + 'static,
        E: Into<BoxError>,
    {
        self.setup = Some(Arc::new(move |builder, db| {
            setup(builder, db).map_err(Into::into)
        }));
        self
    }

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
        match &self.setup {
            Some(setup) => setup(builder, db),
            None => Ok(builder),
        }
    }

    /// Every service's name, comma-separated: the default of `--services`.
    pub fn all_names() -> String {
        joined(Self::all())
    }
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("setup", &self.setup.is_some())
            .finish()
    }
}

/// The services of this process, once [`install`] has run.
static INSTALLED: OnceLock<Vec<Service>> = OnceLock::new();

/// Makes `described` this process's services, with every other linked
/// service after them (the first call wins; later ones get its list). The
/// described ones keep their order, linked services without a method are
/// left out, and the rest come sorted.
pub fn install(described: Vec<Service>) -> &'static [Service] {
    INSTALLED.get_or_init(|| {
        let linked = switchboard::services();
        let mut services: Vec<Service> = described
            .into_iter()
            .filter(|s| linked.contains(&s.name))
            .collect();
        for name in linked {
            if !services.iter().any(|s| s.name == name) {
                services.push(Service::new(name));
            }
        }
        services
    })
}

impl Entry for Service {
    const KIND: &'static str = "service";

    /// The installed services, or every linked one if none were.
    fn all() -> Vec<&'static Self> {
        install(Vec::new()).iter().collect()
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &str {
        &self.description
    }
}

#[cfg(test)]
mod tests {
    use switchboard::Application;
    use switchboard_demo as _;

    use super::*;

    #[test]
    fn linked_services_are_listed_and_set_up() -> Result<(), BoxError> {
        let services = install(vec![Service::new("demo").describe("the demo")]);
        assert_eq!(services[0].name(), "demo");
        assert_eq!(services[0].description(), "the demo");
        assert_eq!(Service::all_names(), "demo");
        let dir = std::env::temp_dir();
        let builder = Application::builder().services(["demo"]);
        let app = services[0]
            .setup(builder, &dir.join("unused.db"))?
            .build()?;
        assert!(app.methods().any(|m| m.service == "demo"));
        Ok(())
    }
}
