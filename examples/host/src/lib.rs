//! The `parcels` service: a service of its own, outside every shipped
//! crate, that `src/main.rs` hosts with [`switchboard_host::Host`].
//!
//! Parcels are registered (`register`, or `POST /api/parcels/`), tracked
//! (`track`, or `GET /api/parcels/{id}/`) and scanned on their way
//! (`scan`, one-way: scanners put scans on a queue, and the service
//! consumes them). The parcels live in memory, shared by every transport
//! the process serves; a real service would keep them in `--db`.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Mutex;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard::{ApplicationBuilder, Fault, State, rpc};

/// The service's name.
pub const SERVICE: &str = "parcels";

/// A parcel and where it has been seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Parcel {
    /// Its number, given at registration.
    pub id: u64,
    /// Who it goes to.
    pub recipient: String,
    /// Its weight in grams.
    pub weight_grams: u32,
    /// Where it was scanned, oldest first.
    pub scans: Vec<String>,
}

/// Every parcel, by number.
#[derive(Debug, Default)]
pub struct Parcels(Mutex<Vec<Parcel>>);

impl Parcels {
    fn with<T>(&self, f: impl FnOnce(&mut Vec<Parcel>) -> T) -> T {
        // A panic while holding the lock leaves a valid list: keep using it.
        let mut parcels = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut parcels)
    }
}

/// Gives the application the parcels' state. The state file is unused:
/// parcels live in memory. A service keeping its state in `db` opens it
/// here, and fails with its own error when it cannot.
///
/// # Errors
/// Never.
pub fn setup(builder: ApplicationBuilder, _db: &Path) -> Result<ApplicationBuilder, Infallible> {
    Ok(builder.state(Parcels::default()))
}

/// Registers a parcel for `recipient`; its number is in the reply (and in
/// the `Location` of `POST /api/parcels/`).
#[rpc(
    service = "parcels",
    http = "POST /api/parcels/",
    created = "/api/parcels/{id}/",
    throws = ["Client.Validation"]
)]
pub fn register(
    parcels: State<Parcels>,
    #[schemars(length(min = 1, max = 100))] recipient: String,
    #[schemars(range(min = 1, max = 30000))] weight_grams: u32,
) -> Parcel {
    parcels.with(|all| {
        let parcel = Parcel {
            id: all.len() as u64 + 1,
            recipient,
            weight_grams,
            scans: Vec::new(),
        };
        all.push(parcel.clone());
        parcel
    })
}

/// The parcel numbered `id`, with its scans.
#[rpc(
    service = "parcels",
    http = "GET /api/parcels/{id}/",
    throws = ["Client.NotFound"]
)]
pub fn track(parcels: State<Parcels>, id: u64) -> Result<Parcel, Fault> {
    parcels.with(|all| {
        all.iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| Fault::not_found(format!("no parcel {id}")))
    })
}

/// Records that parcel `id` was seen at `location`. One-way: scanners do
/// not wait; a scan of an unknown parcel is recorded as a failed task.
#[rpc(service = "parcels", one_way, throws = ["Client.NotFound"])]
pub fn scan(
    parcels: State<Parcels>,
    id: u64,
    #[schemars(length(min = 1, max = 100))] location: String,
) -> Result<(), Fault> {
    parcels.with(|all| match all.iter_mut().find(|p| p.id == id) {
        Some(parcel) => {
            parcel.scans.push(location);
            Ok(())
        }
        None => Err(Fault::not_found(format!("no parcel {id}"))),
    })
}
