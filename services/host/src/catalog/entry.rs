//! What the catalogs share: [`Entry`], an item picked by name; the clap
//! value parser [`EntryParser`], which lists the names in `--help` and
//! refuses any other as a usage error; and [`CatalogError`].

use std::ffi::OsStr;
use std::fmt;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::error::ErrorKind;

/// An item of a catalog, picked by name on the command line.
pub trait Entry: fmt::Debug + Sync + 'static {
    /// What the catalog holds, for messages: `protocol`, `service`, ...
    const KIND: &'static str;

    /// Every entry, in the catalog's order.
    fn all() -> Vec<&'static Self>
    where
        Self: Sized;

    /// The name used in flags, environment variables and `.env` files.
    fn name(&self) -> &'static str;

    /// One line saying what it is, for `--help`.
    fn description(&self) -> &str;

    /// The entry named `name`.
    ///
    /// # Errors
    /// [`CatalogError::Unknown`], listing the known names.
    fn named(name: &str) -> Result<&'static Self, CatalogError>
    where
        Self: Sized,
    {
        let all = Self::all();
        all.iter()
            .find(|entry| entry.name() == name)
            .copied()
            .ok_or_else(|| CatalogError::Unknown {
                kind: Self::KIND,
                name: name.to_owned(),
                known: joined(all.iter().copied()),
            })
    }
}

/// The names of `entries`, comma-separated: how a list of them is typed
/// (and shown as a default in `--help`).
pub fn joined<'a, T: Entry + ?Sized>(entries: impl IntoIterator<Item = &'a T>) -> String {
    let names: Vec<&str> = entries.into_iter().map(Entry::name).collect();
    names.join(",")
}

/// Why a catalog could not give what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// No entry has this name.
    #[error("unknown {kind} `{name}` (known: {known})")]
    Unknown {
        /// What was looked for: `protocol`, `service`, ...
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// The protocol has no client: it cannot be called, enqueued or consumed.
    #[error("protocol `{0}` cannot be called (its routes are per method)")]
    NoClient(&'static str),
}

/// A clap value parser for the entries of one catalog (or some of them):
/// names are trimmed, `--help` lists them with their descriptions, and any
/// other name is a usage error listing the possible values.
#[derive(Debug)]
pub struct EntryParser<T: 'static> {
    entries: Vec<&'static T>,
}

impl<T: Entry> EntryParser<T> {
    /// A parser taking every entry of the catalog.
    pub fn all() -> Self {
        Self::new(T::all())
    }

    /// A parser taking only `entries`.
    pub fn new(entries: impl IntoIterator<Item = &'static T>) -> Self {
        Self {
            entries: entries.into_iter().collect(),
        }
    }
}

impl<T> Clone for EntryParser<T> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
        }
    }
}

impl<T: Entry> TypedValueParser for EntryParser<T> {
    type Value = &'static T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let name = value.to_str().map(str::trim);
        if let Some(entry) = self.entries.iter().find(|e| Some(e.name()) == name) {
            return Ok(entry);
        }
        // Not one of ours: clap words the error and lists the possible values.
        let possible = self.entries.iter().map(|e| possible_value(*e));
        PossibleValuesParser::new(possible).parse_ref(cmd, arg, value)?;
        Err(clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.entries.iter().map(|e| possible_value(*e))))
    }
}

fn possible_value<T: Entry>(entry: &T) -> PossibleValue {
    PossibleValue::new(entry.name()).help(entry.description().to_owned())
}
