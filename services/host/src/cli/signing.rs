//! `--secret-file` and `--signature-window`: signed calls
//! ([`switchboard::signing`]). `serve` and `consume` require every request
//! to be signed by one of the secrets; `call` and `enqueue` sign with the
//! first.
//!
//! The secret is only ever read from a file, never from the command line
//! or a variable's value: a flag's value shows in `ps` and in shell
//! history. The variable (`SWITCHBOARD_SECRET_FILE`) names the file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use switchboard::signing::{DEFAULT_WINDOW, Secrets, Signer, Verifier};

use crate::catalog::services::SetupFn;
use crate::tools::CommandError;
use crate::tools::duration::{self, Least};

/// `--secret-file`, for the commands that call (`call`, `enqueue`).
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// Sign every call with the shared secret in this file (its first
    /// non-empty line), for services run with --secret-file.
    #[arg(
        long = "secret-file",
        value_name = "PATH",
        env = "SWITCHBOARD_SECRET_FILE"
    )]
    secret_file: Option<PathBuf>,
}

impl SignArgs {
    /// The signer, when a secret file was named.
    pub(crate) fn signer(&self) -> Result<Option<Signer>, CommandError> {
        let Some(path) = &self.secret_file else {
            return Ok(None);
        };
        let secrets = Secrets::read_files([path])?;
        Ok(Some(Signer::new(secrets.signing())))
    }
}

/// `--secret-file` and `--signature-window`, for the commands that serve
/// (`serve`, `consume`).
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Require every call to be signed with a shared secret of these
    /// files: one secret a line, empty lines skipped, each at least 16
    /// bytes; repeat the flag for more files. Every secret is accepted, so
    /// a new one can be added before callers switch to it.
    #[arg(
        long = "secret-file",
        value_name = "PATH",
        env = "SWITCHBOARD_SECRET_FILE"
    )]
    secret_files: Vec<PathBuf>,
    /// With --secret-file: how old a signature may be, more than zero:
    /// seconds, or a number with a unit (90s, 2m, 1h). Size it for the
    /// longest a call may wait in a queue before it runs.
    #[arg(
        long,
        env = "SWITCHBOARD_SIGNATURE_WINDOW",
        value_name = "SECONDS",
        default_value = window_default(),
        value_parser = duration::seconds(Least::AboveZero),
    )]
    signature_window: Duration,
}

/// [`DEFAULT_WINDOW`] in seconds, as the flag's default.
fn window_default() -> String {
    DEFAULT_WINDOW.as_secs().to_string()
}

/// What a serving process does with its secrets: require signed calls,
/// and sign what it sends on its own (the replies it delivers as calls)
/// with the first one.
pub(crate) struct Signing {
    /// The setup requiring signatures.
    pub(crate) setup: SetupFn,
    /// The signer of the first secret.
    pub(crate) signer: Signer,
}

impl VerifyArgs {
    /// The secrets' uses, when secret files were named, the files read
    /// once; their errors (unreadable, empty, a short line) stop the
    /// command before it serves anything.
    pub(crate) fn load(&self) -> Result<Option<Signing>, CommandError> {
        if self.secret_files.is_empty() {
            return Ok(None);
        }
        let secrets = Secrets::read_files(&self.secret_files)?;
        let signer = Signer::new(secrets.signing());
        let verifier = Verifier::new(&secrets).with_window(self.signature_window);
        tracing::info!(
            secrets = secrets.len(),
            window_s = self.signature_window.as_secs(),
            "signed calls required"
        );
        let setup: SetupFn = Arc::new(move |builder, _db| Ok(builder.signatures(verifier.clone())));
        Ok(Some(Signing { setup, signer }))
    }
}
